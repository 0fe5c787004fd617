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
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from ..extract.blocks import detect_block
from ..extract.dom import clean_text, host_of
from ..extract.items import merge_records, to_album, to_article, to_resource
from ..extract.links import is_official, merge_links, outbound_links
from ..extract.modules import find_modules
from ..extract.pages import in_app_entry
from ..extract.profile import (
    name_from_heading,
)
from ..extract.records import Record
from ..extract.vocab import BEIJING, LISTING_WORDS, READ_AT
from ..extract.walls import detect_wall, script_redirect
from ..model import (
    Album,
    Article,
    Completeness,
    CrawlInfo,
    Module,
    OutboundLink,
    Profile,
    Resource,
    SpaceSnapshot,
    Target,
    Video,
    Visibility,
)
from ..platforms import pick_adapter
from ..platforms.recipes import RecipeBook
from ..transport.browser import BrowserSession
from ..transport.gate import METER, HostGate, Meter
from ..transport.http import FetchError, HttpFetcher, Page
from .apps import AppListing, read_app_listings
from .completeness import photos_completeness, videos_completeness
from .details import read_item_pages
from .grow import ListApi
from .listings import app_listing_result, crawl_listing, listing_start
from .profiles import read_profile
from .progress import stage
from .reuse import http_cache_from_state, http_cache_state, video_from_state
from .session import CrawlOptions, VisitSession, as_role

__all__ = ["crawl_space", "same_content"]

logger = logging.getLogger("spacebot.crawler")


def _now() -> str:
    return datetime.now(BEIJING).isoformat(timespec="seconds")


async def crawl_space(
    target: Target,
    options: CrawlOptions | None = None,
    *,
    browser: BrowserSession | None = None,
    fetcher: HttpFetcher | None = None,
    previous_state: dict[str, Any] | None = None,
    recipes: RecipeBook | None = None,
) -> SpaceSnapshot:
    """Crawl one space; always returns a snapshot (failures are its crawl status).

    A sweep passes one ``browser`` and one ``fetcher`` (with its host gate and robots.txt
    cache) to every space; a single check makes its own. With ``previous_state`` (the
    ``state`` of the space's last snapshot) a listing whose first page is unchanged is
    not read further, and its items (and the videos of unchanged resources) are reused;
    pages that came with validators are asked for conditionally. With ``recipes`` (a
    sweep's) the host's learned recipe decides which pages are read without the browser,
    once it has been verified (see :mod:`crawler.platforms.recipes`).
    """
    options = options or CrawlOptions()
    own_browser = browser is None
    own_fetcher = fetcher is None
    if fetcher is None:
        fetcher = HttpFetcher(
            timeout=options.timeout,
            obey_robots=options.obey_robots,
            policy=options.policy,
            gate=browser.gate if browser is not None and browser.gate else HostGate(options.per_host),
        )
    browser = browser or BrowserSession(timeout=max(options.timeout, 10.0), policy=options.policy, gate=fetcher.gate)
    meter = METER.get()
    token = None
    if meter is None:  # a crawl of its own (not inside a check that meters its probes too)
        meter = Meter(options.max_requests)
        token = METER.set(meter)
    last: list[VisitSession] = []

    async def visit(
        http_roles: frozenset[str] = frozenset(), aside: Meter | None = None, apis: tuple[dict[str, Any], ...] = ()
    ) -> SpaceSnapshot:
        """One visit; with ``aside`` its requests are metered there (a verification read:
        not held against the space's budget)."""
        cache = http_cache_from_state(previous_state)
        list_apis = tuple(a for a in map(ListApi.from_json, apis) if a is not None)
        session = VisitSession(options, fetcher, browser, http_cache=cache, http_roles=http_roles, list_apis=list_apis)
        last[:] = [session]
        own = METER.set(aside) if aside is not None else None
        try:
            return await _guarded(session, target, _now(), previous_state)
        finally:
            if own is not None:
                METER.reset(own)

    started = _now()
    try:
        snapshot = await _with_recipe(recipes, target, visit, lambda: last[0], meter, previous_state)
        if meter.exceeded:  # the visit went on without what was refused past the budget
            snapshot = _failed(last[0], target, started, "error", meter.message, platform=snapshot.crawl.platform)
        return metered(paused_out(snapshot, meter), meter)
    finally:
        if token is not None:
            METER.reset(token)
        if own_fetcher:
            await fetcher.aclose()
        if own_browser:
            await browser.aclose()


async def _with_recipe(
    recipes: RecipeBook | None,
    target: Target,
    visit: Callable[..., Awaitable[SpaceSnapshot]],
    session_of: Callable[[], VisitSession],
    meter: Meter,
    previous_state: dict[str, Any] | None,
) -> SpaceSnapshot:
    """The visit as the host's recipe says: as usual (and noting what was rendered), side by
    side with the recipe while it is verified, or by the recipe once it is trusted (checked
    against a visit as usual when its result looks wrong).

    A verdict is given only when it means something: the usual visit rendered every role
    of the candidate (a deleted space, a wall or a reused listing tests nothing), both
    visits ended alike (or the recipe's with an error), and neither ran out of budget or
    met a paused host. The recipe's side read is counted in the space's cost but not held
    against its budget."""
    host = urlsplit(target.url).netloc.lower()
    plan = recipes.plan(host) if recipes is not None else None

    def learnt(snapshot: SpaceSnapshot) -> None:  # after a visit as usual
        if recipes is not None and snapshot.crawl.status == "ok" and session_of().learned_apis:
            recipes.apis_seen(host, [a.to_json() for a in session_of().learned_apis])

    if recipes is None or plan is None:
        snapshot = await visit()
        if recipes is not None and snapshot.crawl.status == "ok":
            recipes.observed(host, session_of().rendered_roles)
            learnt(snapshot)
        return snapshot

    def judge(replayed: SpaceSnapshot, used: list[dict[str, Any]], usual: SpaceSnapshot, side: Meter | None) -> None:
        if recipes is not None and plan is not None and _walled(usual) and "home" in plan.http_roles:
            recipes.wall_verdict(host, same_content(replayed, usual))
        tested = plan.http_roles <= session_of().rendered_roles
        alike = replayed.crawl.status in (usual.crawl.status, "error")
        clean = not (meter.exceeded or meter.paused_out or (side is not None and (side.exceeded or side.paused_out)))
        if recipes is not None and plan is not None and tested and alike and clean:
            same = same_content(replayed, usual)
            recipes.verdict(host, plan.http_roles, same, _difference(replayed, usual), used)

    def played() -> list[dict[str, Any]]:
        return [a.to_json() for a in session_of().used_apis]

    if plan.mode == "verify":
        side = Meter(meter.limit)
        replayed = await visit(plan.http_roles, aside=side, apis=plan.list_apis)
        used = played()
        with meter._lock:  # counted, not budgeted
            meter.requests, meter.bytes, meter.renders = (
                meter.requests + side.requests,
                meter.bytes + side.bytes,
                meter.renders + side.renders,
            )
        snapshot = await visit()
        judge(replayed, used, snapshot, side)
        if session_of().learned_apis:  # a list grew here: the list APIs that did not fit it sat out
            recipes.api_round(host, used)
        learnt(snapshot)
        return snapshot
    replayed = await visit(plan.http_roles, apis=plan.list_apis)
    used = played()
    walls_trusted = recipes.recipes[host].walls_agreed > 0
    if not _looks_wrong(replayed, plan.http_roles, previous_state, walls_trusted):
        recipes.trusted_visit(host, meter.renders > 0)
        return replayed
    recipes.trusted_visit(host, True)
    snapshot = await visit()
    judge(replayed, used, snapshot, None)
    learnt(snapshot)
    return snapshot


def _comparable(snapshot: SpaceSnapshot) -> tuple[Any, ...]:
    data = asdict(replace(snapshot, state={}, artifacts={}))
    crawl = data.pop("crawl")
    return data, crawl["status"], crawl["platform"], crawl["final_url"]


def same_content(a: SpaceSnapshot, b: SpaceSnapshot) -> bool:
    """The same space read twice gave the same snapshot (timings and costs aside)."""
    return _comparable(a) == _comparable(b)


def _difference(a: SpaceSnapshot, b: SpaceSnapshot) -> str:
    """Where a visit by the recipe and one as usual differ, for the platforms listing."""
    if a.crawl.status != b.crawl.status:
        return f"状态不同（{a.crawl.status} / {b.crawl.status}）"
    left, right = _comparable(a)[0], _comparable(b)[0]
    parts = [key for key in left if left[key] != right.get(key)]
    return "不用浏览器时读到的内容不同：" + "、".join(parts) if parts else ""


def _walled(snapshot: SpaceSnapshot) -> bool:
    """Read ``ok`` behind a wall (friends only, private): nothing of the space is shown."""
    walls = ("friends_only", "private")
    return snapshot.crawl.status == "ok" and not snapshot.modules and snapshot.visibility.value in walls


def _looks_wrong(
    snapshot: SpaceSnapshot, roles: frozenset[str], previous: dict[str, Any] | None, walls_trusted: bool = False
) -> bool:
    """A visit by a trusted recipe whose result is suspicious where the recipe played a
    part: an error (a page that showed nothing); with the home page read over HTTP, no
    modules, or a block (a script challenge the browser would have passed); with listings
    or item pages read over HTTP, a collection (or the videos) read short of what the
    space declares, unless the last crawl read no more (items the owner hid). A wall
    (friends only, private: read ``ok`` with nothing shown) is the space's answer once the
    recipe and the browser have read one of the host's walls alike (``walls_trusted``):
    till then a wall is checked in the browser, since over HTTP a page its scripts would
    fill may show a wall's words."""
    status = snapshot.crawl.status
    if status == "error" or (status == "blocked" and "home" in roles):
        return True
    if status != "ok":
        return False
    if "home" in roles and not snapshot.modules and not (walls_trusted and _walled(snapshot)):
        return True  # an open space shows modules; a wall is taken once one was checked
    if not roles & {"listing", "detail"}:
        return False
    for kind, completeness in snapshot.completeness.items():
        if kind not in ("resources", "articles", "albums", "videos") or completeness.complete:
            continue
        before = ((previous or {}).get(kind) or {}).get("completeness") or {}
        if before.get("complete") is not False or completeness.read < int(before.get("read") or 0):
            return True
    return False


def paused_out(snapshot: SpaceSnapshot, meter: Meter) -> SpaceSnapshot:
    """A space read while its host was paused (after a run of blocked answers) is not whole:
    it is ``blocked`` (a sweep reads it again after the pause), not a space with less on it."""
    if not meter.paused_out or snapshot.crawl.status != "ok":
        return snapshot
    message = "读取中平台连续拦截访问（防火墙、验证码或访问频率限制），已暂停访问该平台，本空间未读完"
    return replace(snapshot, crawl=replace(snapshot.crawl, status="blocked", error=message))


def metered(snapshot: SpaceSnapshot, meter: Meter) -> SpaceSnapshot:
    """The snapshot with what its visit has cost so far."""
    crawl = replace(snapshot.crawl, requests=meter.requests, bytes=meter.bytes, renders=meter.renders)
    return replace(snapshot, crawl=crawl)


async def _guarded(
    session: VisitSession, target: Target, started: str, previous_state: dict[str, Any] | None
) -> SpaceSnapshot:
    """The visit; every failure becomes the snapshot's crawl status."""
    options = session.options
    clock = READ_AT.set(datetime.now(BEIJING))  # dates shown as 3天前 count from here …
    try:
        return await asyncio.wait_for(_crawl(session, target, started, previous_state), options.total_timeout)
    except TimeoutError:
        return _failed(
            session,
            target,
            started,
            "error",
            f"检查超时：{options.total_timeout:g} 秒内未能读完该空间（页面过多或服务器过慢）",
        )
    except FetchError as exc:
        return _failed(session, target, started, exc.kind, str(exc))
    except Exception as exc:  # a page that breaks an extractor must not stop a sweep
        logger.exception("crawl of %s failed", target.url)
        return _failed(
            session,
            target,
            started,
            "error",
            f"检查时出现内部错误（{exc.__class__.__name__}: {exc}），请把该网址报告给开发者",
        )
    finally:
        READ_AT.reset(clock)


def _server_clock(page: Page) -> None:
    """… or from the server's own clock, which drew them (its Date header; a page kept
    from an earlier crawl keeps the time it was drawn), where it gives a possible one: not
    before 2005, not ahead of this machine's clock by more than a day."""
    try:
        when = parsedate_to_datetime(page.headers.get("date") or "")
    except (TypeError, ValueError, IndexError):
        return
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if datetime(2005, 1, 1, tzinfo=UTC) <= when <= datetime.now(UTC) + timedelta(days=1):
        READ_AT.set(when.astimezone(BEIJING))


def _undrawn(page: Page, first: Page) -> bool:
    """A page drawn by scripts that shows (next to) nothing: no text beyond a "加载中…", no
    link, and no wall or block message (those say something)."""
    if page.via != "browser" or page.status >= 400:
        return False
    body = page.soup.body or page.soup
    if len(clean_text(body)) >= 30 or body.find("a", href=True) is not None or find_modules(page.soup, page.url):
        return False
    return (
        detect_wall(page.soup, page.status, page.final_url, has_content=False) is None
        and detect_block(page.soup, page.status, page.headers or first.headers) is None
    )


def _failed(
    session: VisitSession,
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
            pages=len(session.pages),
            via=_via(session),
            started_at=started,
            finished_at=_now(),
        ),
        visibility=visibility or Visibility("unknown", message or ""),
        profile=profile or Profile(),
    )


def _via(session: VisitSession) -> str:
    if session.vias == {"http", "browser"}:
        return "mixed"
    return next(iter(session.vias), "http")


async def _crawl(
    session: VisitSession, target: Target, started: str, previous_state: dict[str, Any] | None
) -> SpaceSnapshot:
    snapshot, artifacts = await _crawl_home_and_lists(session, target, started, previous_state)
    return replace(snapshot, artifacts=artifacts) if artifacts else snapshot


async def _artifacts(session: VisitSession, home: Page) -> dict[str, bytes]:
    """The home page's HTML, and a screenshot of the live page when the browser can make one
    (evidence for reviewers; without one the report card says so)."""
    out = {"home.html": home.html.encode("utf-8")}
    try:
        out["home.png"] = await session.browser.screenshot(home.final_url)
    except Exception as exc:  # a picture is nice to have; the inspection does not depend on it
        logger.info("no screenshot of %s: %s", home.final_url, exc)
    return out


async def _crawl_home_and_lists(
    session: VisitSession, target: Target, started: str, previous_state: dict[str, Any] | None
) -> tuple[SpaceSnapshot, dict[str, bytes]]:
    stage("open")
    first = await session.fetch(target.url)
    _server_clock(first)
    if first.status < 400 and script_redirect(first.html, first.soup, first.final_url):
        # A page that sends the visitor elsewhere at once (an SSO login, the real home):
        # the browser follows it as a visitor's would, and the wall is judged where it ends.
        first = await session.render(first.final_url)
    adapter = pick_adapter(target.url, first, generic_only=session.options.generic_only)
    home = first
    if first.status < 400:
        with as_role("home"):
            home = await adapter.complete_home(session, first)
        if home is not first and home.via == "http":
            # The adapter filled the page itself: read links from the completed page.
            session.pages[session.pages.index(first)] = home
    if _undrawn(home, first):
        # Scripts that drew nothing (an API slow or failing this time): once more, then
        # say so. An undrawn page is not an empty space.
        with as_role("home"):
            again = await session.render(home.final_url)
        if _undrawn(again, first):
            message = f"页面由脚本生成，但两次打开都没有显示任何内容（平台接口可能故障或过慢）：{home.final_url}"
            return _failed(session, target, started, "error", message, adapter.name, final_url=home.final_url), {}
        home = again
    soup = home.soup
    modules = find_modules(soup, home.final_url)
    wall = detect_wall(soup, home.status, home.final_url, has_content=len(modules) >= 2)
    artifacts = await _artifacts(session, home) if session.options.screenshots else {}
    if wall is not None and wall.status != "ok":
        snapshot = _failed(
            session,
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
            session,
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
    blocked = detect_block(soup, home.status, home.headers or first.headers, has_content=len(modules) >= 2)
    if blocked or home.status >= 400:
        reason = blocked or f"平台返回 HTTP {home.status}"
        snapshot = _failed(
            session,
            target,
            started,
            "blocked" if blocked else "error",
            f"{reason}：{home.final_url}",
            adapter.name,
            final_url=home.final_url,
        )
        return snapshot, artifacts

    stage("listings")
    profile = await read_profile(session, adapter, home, modules)
    earlier = previous_state or {}
    kinds = ("resources", "articles", "albums")
    in_app: dict[str, list[str]] = {}
    if home.via == "browser":  # drawn by scripts: tabs without an address open in the app
        for kind in kinds:
            labels = [*LISTING_WORDS[kind], *(m.name for m in modules if m.type == kind)]
            if listing_start(adapter, kind, home, soup, modules) is None and in_app_entry(soup, labels):
                in_app[kind] = labels
    apps = await read_app_listings(session, home, in_app, {"resources": True, "articles": True, "albums": False})
    crawled = await asyncio.gather(
        *(
            crawl_listing(session, adapter, kind, home, soup, modules, earlier.get(kind))
            for kind in kinds
            if kind not in apps
        )
    )
    listings = dict(zip([kind for kind in kinds if kind not in apps], crawled, strict=True))
    listings.update({kind: app_listing_result(kind, app, modules, home) for kind, app in apps.items()})
    listings = {kind: listings[kind] for kind in kinds}
    state: dict[str, Any] = {}
    completeness: dict[str, Completeness] = {}
    official = session.options.official_domains

    def fresh(kind: str) -> list[Record]:
        """Records whose pages are still to read (an app's in-app items were read from its JSON)."""
        listing = listings[kind]
        if listing.reused is not None:
            return []
        skip = listing.app.in_app if listing.app is not None else set()
        return [r for r in merge_records(listing.records) if r.url not in skip]

    def from_app(kind: str, make: Any) -> list[Any]:
        listing = listings[kind]
        if listing.app is None:
            return []
        return [make(r) for r in merge_records(listing.records) if r.url in listing.app.in_app]

    def reused(kind: str, make: Any) -> tuple[list[Any], list[OutboundLink]]:
        earlier_state = listings[kind].reused or {}
        items = [make(**item) for item in earlier_state.get("items", [])]
        return items, [OutboundLink(**link) for link in earlier_state.get("links", [])]

    reuse_videos = listings["resources"].reused is not None and "videos" in earlier
    stage("details")
    item_pages = await read_item_pages(session, adapter, fresh("resources"), fresh("articles"), fresh("albums"))
    if listings["resources"].reused is not None:
        resources, resource_links = reused("resources", Resource)
    else:
        resources = item_pages.resources + from_app("resources", to_resource)
        resource_links = outbound_links(listings["resources"].pages, home.final_url, official)
    if listings["articles"].reused is not None:
        articles, article_links = reused("articles", Article)
    else:
        articles = item_pages.articles + from_app("articles", to_article)
        article_links = outbound_links(listings["articles"].pages + item_pages.article_pages, home.final_url, official)
        article_links += _body_links(listings["articles"].app, home.final_url, official)
    if listings["albums"].reused is not None:
        albums, album_links = reused("albums", Album)
    else:
        counted = {r.url: r for r in item_pages.albums}
        albums = [to_album(counted.get(r.url, r)) for r in merge_records(listings["albums"].records)]
        album_links = outbound_links(listings["albums"].pages, home.final_url, official)
    for kind, built, links in (
        ("resources", resources, resource_links),
        ("articles", articles, article_links),
        ("albums", albums, album_links),
    ):
        listing = listings[kind]
        completeness[kind] = listing.completeness(kind, len(built))
        if listing.start is not None and listing.fingerprint is not None:
            state[kind] = {
                "start": listing.start,
                "fingerprint": listing.fingerprint,
                "home_key": listing.home_key,
                "items": [asdict(x) for x in built],
                "links": [asdict(x) for x in links],
                "completeness": asdict(completeness[kind]),
            }
    if reuse_videos:
        videos = [video_from_state(v) for v in earlier["videos"]["items"]]
        detail_links = [OutboundLink(**link) for link in earlier["videos"].get("links", [])]
        unread_details = int(earlier["videos"].get("unread", 0))
    else:
        videos, unread_details = item_pages.videos, item_pages.unread_videos
        app_videos = listings["resources"].app.videos if listings["resources"].app else []
        videos = dedupe_videos([*videos, *app_videos])
        detail_links = outbound_links(item_pages.resource_pages, home.final_url, official)
    state["videos"] = {
        "items": [asdict(v) for v in videos],
        "links": [asdict(x) for x in detail_links],
        "unread": unread_details,
    }
    completeness["photos"] = photos_completeness(albums, completeness["albums"])
    completeness["videos"] = videos_completeness(len(videos), completeness["resources"], unread_details)
    if session.http_cache or session.validated:
        state["http_cache"] = http_cache_state(session)
    outbound = merge_links(
        outbound_links([home], home.final_url, official), *resource_links, *article_links, *album_links, *detail_links
    )
    visible = Visibility("everyone", f"未登录访问即可看到空间主页内容（{len(modules)} 个模块）")

    snapshot = SpaceSnapshot(
        target=target,
        crawl=CrawlInfo(
            final_url=home.final_url,
            platform=adapter.name,
            status="ok",
            error=None,
            pages=len(session.pages),
            via=_via(session),
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
        completeness=completeness,
        state=state,
    )
    return snapshot, artifacts


def _body_links(app: AppListing | None, home_url: str, official: tuple[str, ...]) -> list[OutboundLink]:
    """Links in the bodies of an app's articles (read from their JSON)."""
    if app is None:
        return []
    host = host_of(home_url)
    return [
        OutboundLink(url, "", host_of(url), is_official(url, host, official), page)
        for page, urls in app.links.items()
        for url in urls
        if host_of(url) != host
    ]


def dedupe_videos(videos: list[Video]) -> list[Video]:
    """One video per file URL, the first seen wins."""
    seen: dict[str, Video] = {}
    for video in videos:
        seen.setdefault(video.url, video)
    return list(seen.values())
