"""Visit one space and build its :class:`SpaceSnapshot`.

home page ─► adapter completes it (AJAX fragments over HTTP, or the browser)
          ─► wall? (login, friends-only, private, missing) ─► snapshot with the status
          ─► profile, modules ─► full listings (pagination / 加载更多, bounded)
          ─► detail pages of video resources ─► videos ─► outbound links
Every failure becomes a crawl status with a Chinese message; nothing here raises for a
space that cannot be read.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup

from ._browser import BrowserSession
from ._dom import absolute, attr, clean_text, host_of, parse_html
from ._fetch import CachedPage, FetchError, HttpFetcher, Page
from ._model import (
    Album,
    Article,
    CrawlInfo,
    DeclaredVideo,
    Module,
    OutboundLink,
    Profile,
    Resource,
    SpaceSnapshot,
    Target,
    Video,
    VideoProbe,
    Visibility,
)
from ._modules import ModuleBox, find_modules
from ._pages import detect_wall, find_declared_video, find_video_urls, is_official, pagination_links, total_pages
from ._profile import extract_profile, name_from_heading
from ._records import Record, find_records, label_category
from ._ssrf import AddressPolicy
from ._vocab import FORMAT_CATEGORY, LISTING_WORDS, TITLE_KEYWORDS, VIDEO_EXTENSIONS
from .adapters import PlatformAdapter, pick_adapter

__all__ = ["CrawlContext", "CrawlOptions", "crawl_space"]

logger = logging.getLogger("spacebot.crawler")
CHINA_TZ = timezone(timedelta(hours=8))
_DECISIVE_FORMATS = {
    "ppt",
    "pptx",
    "pps",
    "ppsx",
    "key",
    "swf",
    "mp3",
    "wav",
    "wma",
    "m4a",
    "aac",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "bmp",
}
_STYLE_RE = re.compile(r"<style[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class CrawlOptions:
    timeout: float = 10.0  # per request
    total_timeout: float = 120.0  # per space
    max_listing_pages: int = 60  # per listing
    max_detail_pages: int = 80
    concurrency: int = 4  # requests at once within one space
    official_domains: tuple[str, ...] = ()
    generic_only: bool = False  # skip platform adapters (measures the generic extractor)
    obey_robots: bool = True
    screenshots: bool = False  # keep the home page's HTML and a screenshot of it
    policy: AddressPolicy = field(default_factory=AddressPolicy)  # the SSRF guard


@dataclass
class CrawlContext:
    """What one visit shares: the clients, the page budget and the pages seen."""

    options: CrawlOptions
    fetcher: HttpFetcher
    browser: BrowserSession
    pages: list[Page] = field(default_factory=list)
    vias: set[str] = field(default_factory=set)
    # Pages of the last crawl that came with validators (asked for conditionally now),
    # and those of this crawl (kept for the next one).
    http_cache: dict[str, CachedPage] = field(default_factory=dict)
    validated: dict[str, CachedPage] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._slots = asyncio.Semaphore(self.options.concurrency)

    async def fetch(self, url: str, *, fragment: bool = False) -> Page:
        async with self._slots:
            page = await self.fetcher.get(url, self.http_cache.get(url))
        if page.status == 200 and (page.etag or page.last_modified):
            self.validated[url] = CachedPage(page.html, page.final_url, page.etag, page.last_modified)
        else:  # no longer validated (or gone): forget the old copy
            self.http_cache.pop(url, None)
        self.vias.add("http")
        if not fragment:
            self.pages.append(page)
        return page

    async def render(self, url: str, *, load_more: bool = False) -> Page:
        await self.fetcher.check_robots(url)
        async with self._slots:
            if self.fetcher.gate is not None:
                async with self.fetcher.gate.slot(url):
                    page = await self.browser.render(url, load_more=load_more)
            else:
                page = await self.browser.render(url, load_more=load_more)
        self.vias.add("browser")
        self.pages.append(page)
        return page


def _now() -> str:
    return datetime.now(CHINA_TZ).isoformat(timespec="seconds")


async def crawl_space(
    target: Target,
    options: CrawlOptions | None = None,
    *,
    browser: BrowserSession | None = None,
    fetcher: HttpFetcher | None = None,
    previous_state: dict[str, Any] | None = None,
) -> SpaceSnapshot:
    """Crawl one space; always returns a snapshot (failures are its crawl status).

    A sweep passes one ``browser`` and one ``fetcher`` (with its host gate and robots.txt
    cache) to every space; a single check makes its own. With ``previous_state`` (the
    ``state`` of the space's last snapshot) a listing whose first page is unchanged is
    not read further, and its items (and the videos of unchanged resources) are reused;
    pages that came with validators are asked for conditionally.
    """
    options = options or CrawlOptions()
    own_browser = browser is None
    own_fetcher = fetcher is None
    session = browser or BrowserSession(timeout=max(options.timeout, 10.0), policy=options.policy)
    client = fetcher or HttpFetcher(timeout=options.timeout, obey_robots=options.obey_robots, policy=options.policy)
    ctx = CrawlContext(options, client, session, http_cache=_http_cache(previous_state))
    started = _now()
    try:
        return await asyncio.wait_for(_crawl(ctx, target, started, previous_state), options.total_timeout)
    except TimeoutError:
        return _failed(
            ctx,
            target,
            started,
            "error",
            f"检查超时：{options.total_timeout:g} 秒内未能读完该空间（页面过多或服务器过慢）",
        )
    except FetchError as exc:
        return _failed(ctx, target, started, exc.kind, str(exc))
    except Exception as exc:  # a page that breaks an extractor must not stop a sweep
        logger.exception("crawl of %s failed", target.url)
        return _failed(
            ctx,
            target,
            started,
            "error",
            f"检查时出现内部错误（{exc.__class__.__name__}: {exc}），请把该网址报告给开发者",
        )
    finally:
        if own_fetcher:
            await ctx.fetcher.aclose()
        if own_browser:
            await session.aclose()


_HTTP_CACHE_LIMIT = 500  # pages per space


def _http_cache(state: dict[str, Any] | None) -> dict[str, CachedPage]:
    entries = (state or {}).get("http_cache") or {}
    return {url: CachedPage(**entry) for url, entry in entries.items() if isinstance(entry, dict) and "html" in entry}


def _http_cache_state(ctx: CrawlContext) -> dict[str, Any]:
    """This crawl's validated pages, plus the earlier ones it had no need to ask for again
    (the later pages of an unchanged listing)."""
    kept = {url: page for url, page in ctx.http_cache.items() if url not in ctx.validated}
    merged = {**kept, **ctx.validated}
    return {url: asdict(page) for url, page in list(merged.items())[-_HTTP_CACHE_LIMIT:]}


def _failed(
    ctx: CrawlContext,
    target: Target,
    started: str,
    status: str,
    message: str | None,
    platform: str = "unknown",
    visibility: Visibility | None = None,
    profile: Profile | None = None,
    final_url: str | None = None,
) -> SpaceSnapshot:
    return SpaceSnapshot(
        target=target,
        crawl=CrawlInfo(
            final_url=final_url or target.url,
            platform=platform,
            status=status,
            error=message,
            pages=len(ctx.pages),
            via=_via(ctx),
            started_at=started,
            finished_at=_now(),
        ),
        visibility=visibility or Visibility("unknown", message or ""),
        profile=profile or Profile(),
    )


def _via(ctx: CrawlContext) -> str:
    if ctx.vias == {"http", "browser"}:
        return "mixed"
    return next(iter(ctx.vias), "http")


async def _crawl(
    ctx: CrawlContext, target: Target, started: str, previous_state: dict[str, Any] | None
) -> SpaceSnapshot:
    snapshot, artifacts = await _crawl_home_and_lists(ctx, target, started, previous_state)
    return replace(snapshot, artifacts=artifacts) if artifacts else snapshot


async def _artifacts(ctx: CrawlContext, home: Page) -> dict[str, bytes]:
    """The home page's HTML, and a screenshot when the browser can make one (evidence for reviewers)."""
    out = {"home.html": home.html.encode("utf-8")}
    try:
        out["home.png"] = await ctx.browser.screenshot(home.final_url, home.html)
    except Exception as exc:  # a picture is nice to have; the inspection does not depend on it
        logger.info("no screenshot of %s: %s", home.final_url, exc)
    return out


async def _crawl_home_and_lists(
    ctx: CrawlContext, target: Target, started: str, previous_state: dict[str, Any] | None
) -> tuple[SpaceSnapshot, dict[str, bytes]]:
    first = await ctx.fetch(target.url)
    adapter = pick_adapter(target.url, first, generic_only=ctx.options.generic_only)
    home = first
    if first.status < 400:
        home = await adapter.complete_home(ctx, first)
        if home is not first and home.via == "http":
            # The adapter filled the page itself: read links from the completed page.
            ctx.pages[ctx.pages.index(first)] = home
    soup = home.soup
    modules = find_modules(soup, home.final_url)
    wall = detect_wall(soup, home.status, home.final_url, has_content=len(modules) >= 2)
    artifacts = await _artifacts(ctx, home) if ctx.options.screenshots else {}
    if wall is not None and wall.status != "ok":
        snapshot = _failed(
            ctx,
            target,
            started,
            wall.status,
            wall.evidence,
            adapter.name,
            Visibility(wall.visibility, wall.evidence),
            final_url=home.final_url,
        )
        return snapshot, artifacts
    if wall is not None:  # friends-only / private: the crawl worked, the content is hidden
        profile = Profile(name=name_from_heading(soup))
        snapshot = _failed(
            ctx,
            target,
            started,
            "ok",
            None,
            adapter.name,
            Visibility(wall.visibility, wall.evidence),
            profile,
            home.final_url,
        )
        return snapshot, artifacts
    if home.status >= 400:
        status = "blocked" if home.status in (403, 429, 503) else "error"
        reason = {
            429: "平台限制访问频率（HTTP 429），重试后仍被拒绝",
            503: "平台暂时不可用（HTTP 503），重试后仍未恢复",
            403: "平台拒绝访问（HTTP 403）",
        }.get(home.status, f"平台返回 HTTP {home.status}")
        snapshot = _failed(
            ctx, target, started, status, f"{reason}：{home.final_url}", adapter.name, final_url=home.final_url
        )
        return snapshot, artifacts

    raw_styles = _STYLE_RE.findall(home.html)
    profile = extract_profile(soup, raw_styles, home.final_url)
    earlier = previous_state or {}
    kinds = ("resources", "articles", "albums")
    listings = dict(
        zip(
            kinds,
            await asyncio.gather(
                *(_crawl_listing(ctx, adapter, kind, home, soup, modules, earlier.get(kind)) for kind in kinds)
            ),
            strict=True,
        )
    )
    state: dict[str, Any] = {}

    def items(kind: str, build: Any, make: Any) -> list[Any]:
        listing = listings[kind]
        if listing.reused is not None:
            built = [make(**item) for item in listing.reused["items"]]
            links = [OutboundLink(**link) for link in listing.reused.get("links", [])]
        else:
            built = _dedupe([build(r) for r in listing.records])
            links = _outbound_links(listing.pages, home.final_url, ctx.options.official_domains)
        if listing.start is not None and listing.fingerprint is not None:
            state[kind] = {
                "start": listing.start,
                "fingerprint": listing.fingerprint,
                "items": [asdict(x) for x in built],
                "links": [asdict(x) for x in links],
            }
        return built

    resources = items("resources", _resource, Resource)
    articles = items("articles", _article, Article)
    albums = items("albums", lambda r: Album(name=r.title, url=r.url, photos=r.photos), Album)
    if listings["resources"].reused is not None and "videos" in earlier:
        videos = [_video_from_state(v) for v in earlier["videos"]["items"]]
        detail_links = [OutboundLink(**link) for link in earlier["videos"].get("links", [])]
    else:
        before = len(ctx.pages)
        videos = await _find_videos(ctx, adapter, resources)
        detail_links = _outbound_links(ctx.pages[before:], home.final_url, ctx.options.official_domains)
    state["videos"] = {"items": [asdict(v) for v in videos], "links": [asdict(x) for x in detail_links]}
    if ctx.http_cache or ctx.validated:
        state["http_cache"] = _http_cache_state(ctx)
    outbound = _merge_links(
        _outbound_links(ctx.pages, home.final_url, ctx.options.official_domains),
        *(
            OutboundLink(**link)
            for kind in kinds
            if listings[kind].reused is not None
            for link in (listings[kind].reused or {}).get("links", [])
        ),
        *detail_links,
    )
    visible = Visibility("everyone", f"未登录访问即可看到空间主页内容（{len(modules)} 个模块）")

    snapshot = SpaceSnapshot(
        target=target,
        crawl=CrawlInfo(
            final_url=home.final_url,
            platform=adapter.name,
            status="ok",
            error=None,
            pages=len(ctx.pages),
            via=_via(ctx),
            started_at=started,
            finished_at=_now(),
        ),
        visibility=visible,
        profile=profile,
        modules=tuple(Module(m.name, m.kind, m.url, m.items) for m in modules),
        resources=tuple(resources),
        articles=tuple(articles),
        albums=tuple(albums),
        videos=tuple(videos),
        outbound_links=tuple(outbound),
        state=state,
    )
    return snapshot, artifacts


def _listing_url(kind: str, home: Page, soup: BeautifulSoup, modules: list[ModuleBox]) -> str | None:
    for module in modules:
        if module.kind == "builtin" and module.type == kind and module.url:
            return module.url
    words = LISTING_WORDS[kind]
    for a in soup.find_all("a"):
        text = re.sub(r"[\s(（]*\d+[)）]?$", "", clean_text(a))
        url = absolute(home.final_url, attr(a, "href"))
        if text in words and url and host_of(url) == host_of(home.final_url) and url != home.final_url:
            return url
    return None


def _same_listing(url: str, first: str) -> bool:
    a, b = urlsplit(url), urlsplit(first)
    if a.hostname != b.hostname or re.sub(r"\d+", "", a.path) != re.sub(r"\d+", "", b.path):
        return False
    fixed_a = {(k, v) for k, v in parse_qsl(a.query) if not v.isdigit()}
    fixed_b = {(k, v) for k, v in parse_qsl(b.query) if not v.isdigit()}
    return fixed_a == fixed_b


@dataclass
class ListingResult:
    """One collection's listing: the records read, or the previous items when the first
    page shows the listing has not changed since the last crawl."""

    start: str | None
    records: list[Record] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    fingerprint: str | None = None
    reused: dict[str, Any] | None = None  # the previous state, reused as it was


def _fingerprint(first: BeautifulSoup, records: list[Record], declared: int | None) -> str:
    """What the first page says about the whole listing: its page count, the count the
    home page declares, and its newest items."""
    head = [(r.url, r.title, r.date, r.original, r.size_bytes, r.photos) for r in records]
    return hashlib.sha256(json.dumps([total_pages(first), declared, head], ensure_ascii=False).encode()).hexdigest()


async def _crawl_listing(
    ctx: CrawlContext,
    adapter: PlatformAdapter,
    kind: str,
    home: Page,
    soup: BeautifulSoup,
    modules: list[ModuleBox],
    previous: dict[str, Any] | None,
) -> ListingResult:
    start = adapter.listing_url(kind, home, soup, modules) or _listing_url(kind, home, soup, modules)
    if start is None:
        # No full listing: take what the module box on the home page shows.
        box = next((m for m in modules if m.type == kind), None)
        return ListingResult(None, find_records(parse_html(str(box.element)), home.final_url) if box else [])
    declared = next((m.items for m in modules if m.type == kind and m.items is not None), None)
    result = ListingResult(start)
    records = result.records
    queue, seen = [start], {start}
    pages = 0
    while queue and pages < ctx.options.max_listing_pages:
        url = queue.pop(0)
        try:
            if adapter.always_browser:
                page = await ctx.render(url, load_more=True)
            else:
                page = await ctx.fetch(url)
                if page.status < 400 and adapter.listing_needs_browser(page):
                    page = await ctx.render(url, load_more=True)
        except FetchError:
            continue  # one unreadable listing page (or one robots.txt forbids) leaves the rest
        if page.status >= 400:
            continue
        pages += 1
        result.pages.append(page)
        page_soup = page.soup
        found = find_records(page_soup, page.final_url)
        records.extend(found)
        if pages == 1:
            result.fingerprint = _fingerprint(page_soup, found, declared)
            if previous and previous.get("start") == start and previous.get("fingerprint") == result.fingerprint:
                result.reused = previous  # unchanged since the last crawl: skip the other pages
                return result
        for link in pagination_links(page_soup, page.final_url):
            if link not in seen and _same_listing(link, start):
                seen.add(link)
                queue.append(link)
    return result


def _category(record: Record) -> str:
    label = label_category(record.labels)
    if label:
        return label
    if record.format in _DECISIVE_FORMATS:
        return FORMAT_CATEGORY[record.format]
    for category, words in TITLE_KEYWORDS:
        if any(w in record.title for w in words):
            return category
    if record.format in FORMAT_CATEGORY:
        return FORMAT_CATEGORY[record.format]
    return "other"


def _resource(r: Record) -> Resource:
    return Resource(
        title=r.title,
        url=r.url,
        category=_category(r),
        original=r.original,
        published=r.date,
        visibility=r.visibility,
        format=r.format,
        size_bytes=r.size_bytes,
    )


def _article(r: Record) -> Article:
    category = next((lab for lab in r.labels if not lab.isdigit()), None)
    return Article(title=r.title, url=r.url, original=r.original, published=r.date, category=category)


def _dedupe(items: list[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.url or item.title if hasattr(item, "url") else item.title
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


async def _find_videos(ctx: CrawlContext, adapter: PlatformAdapter, resources: list[Resource]) -> list[Video]:
    videos: dict[str, Video] = {}
    for page in list(ctx.pages):  # videos shown on the home page or in listings
        for url in find_video_urls(page.soup, page.html, page.final_url, "\n".join(page.json_bodies)):
            videos.setdefault(url, Video(url=url, page_url=page.final_url, title=None))
    wanted = [
        r for r in resources if r.category in ("microlecture", "lesson_video") or (r.format or "") in VIDEO_EXTENSIONS
    ]
    wanted = wanted[: ctx.options.max_detail_pages]

    async def visit(resource: Resource) -> list[Video]:
        try:
            if adapter.always_browser:
                page = await ctx.render(resource.url)
            else:
                page = await ctx.fetch(resource.url)
                if page.status < 400 and adapter.detail_needs_browser(page):
                    page = await ctx.render(resource.url)
        except FetchError:
            return []
        if page.status >= 400:
            return []
        soup = page.soup
        urls = find_video_urls(soup, page.html, page.final_url, "\n".join(page.json_bodies))
        declared = find_declared_video(soup) if len(urls) == 1 else None
        return [Video(url=u, page_url=resource.url, title=resource.title, declared=declared) for u in urls]

    for found in await asyncio.gather(*(visit(r) for r in wanted)):
        for video in found:
            videos.setdefault(video.url, video)
    return list(videos.values())


def _video_from_state(data: dict[str, Any]) -> Video:
    """A video of an unchanged listing; a successful probe is kept (nothing is read again,
    so ``bytes_read`` is 0), a failed one is done again."""
    declared = data.get("declared")
    probe = data.get("probe")
    return Video(
        url=data["url"],
        page_url=data["page_url"],
        title=data["title"],
        probe=replace(VideoProbe(**probe), bytes_read=0) if probe and probe.get("status") == "ok" else None,
        declared=DeclaredVideo(**declared) if declared else None,
    )


def _merge_links(first: list[OutboundLink], *more: OutboundLink) -> list[OutboundLink]:
    """Distinct by URL, the first page a link was seen on wins."""
    links = {link.url: link for link in reversed([*first, *more])}
    ordered = list(dict.fromkeys(link.url for link in [*first, *more]))
    return [links[url] for url in ordered]


def _outbound_links(pages: list[Page], space_url: str, official_domains: tuple[str, ...] = ()) -> list[OutboundLink]:
    space_host = host_of(space_url)
    links: dict[str, OutboundLink] = {}
    for page in pages:
        soup = page.soup
        for a in soup.find_all("a"):
            url = absolute(page.final_url, attr(a, "href"))
            if not url or host_of(url) == space_host or url in links:
                continue
            host = host_of(url)
            links[url] = OutboundLink(
                url=url,
                text=clean_text(a) or (attr(a, "title") or ""),
                domain=host,
                official=is_official(url, space_host, official_domains),
                page_url=page.final_url,
            )
    return list(links.values())
