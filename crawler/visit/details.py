"""The item pages of a space: what listings leave out (dates, 原创/转载, category, format,
size), the videos of video resources, and the links in article bodies.

Every article page is read (reviewers look for outbound links in the bodies); a
resource page is read when its row leaves a field open or it may hold a video; an album
page when the list does not say how many photos it has. The
number of item pages is bounded per space; the pages not read are counted, so the
videos' completeness says so.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

from ..extract.detail import DetailFacts, album_photos, read_detail
from ..extract.items import incomplete, resource_category, to_article, to_resource
from ..extract.pages import find_declared_video, find_video_urls
from ..extract.records import Record
from ..extract.vocab import VIDEO_EXTENSIONS
from ..model import Article, Resource, Video
from ..platforms import PlatformAdapter
from ..transport.http import FetchError, Page
from .session import VisitSession, as_role

__all__ = ["ItemPages", "read_item_pages"]


@dataclass
class ItemPages:
    """Resources and articles completed from their pages, and the videos found."""

    resources: list[Resource]
    articles: list[Article]
    videos: list[Video]
    unread_videos: int = 0  # video resources whose page could not be read
    resource_pages: list[Page] = field(default_factory=list)
    article_pages: list[Page] = field(default_factory=list)
    albums: list[Record] = field(default_factory=list)  # album records, counted on their pages where the list did not


def _may_hold_video(record: Record) -> bool:
    category = resource_category(record)
    return (
        category in ("microlecture", "lesson_video")
        or (record.format or "") in VIDEO_EXTENSIONS
        or (category == "other" and record.format is None)
    )


async def _open(session: VisitSession, adapter: PlatformAdapter, url: str) -> Page | None:
    with as_role("detail"):
        return await _read(session, adapter, url)


async def _read(session: VisitSession, adapter: PlatformAdapter, url: str) -> Page | None:
    try:
        if adapter.always_browser:
            page = await session.render(url)
        else:
            page = await session.fetch(url)
            if page.status < 400 and adapter.detail_needs_browser(page):
                page = await session.render(url)
    except FetchError:
        return None
    return page if page.status < 400 and page.blocked is None else None


async def read_item_pages(
    session: VisitSession,
    adapter: PlatformAdapter,
    resources: list[Record],
    articles: list[Record],
    albums: list[Record] | None = None,
) -> ItemPages:
    shown: list[Video] = []  # videos the home page or a listing plays
    for page in list(session.pages):
        for url in find_video_urls(page.soup, page.html, page.final_url, "\n".join(page.json_bodies)):
            shown.append(Video(url=url, page_url=page.final_url, title=None))
    budget = session.options.max_detail_pages
    video_records = [r for r in resources if _may_hold_video(r)]
    wanted = (video_records + [r for r in resources if incomplete(r) and r not in video_records])[:budget]
    wanted_articles = articles[: max(0, budget - len(wanted))]
    unread_videos = max(0, len(video_records) - len([r for r in wanted if r in video_records]))
    facts: dict[str, DetailFacts] = {}
    found: dict[str, list[Video]] = {}
    resource_pages: list[Page] = []
    article_pages: list[Page] = []

    async def visit_resource(record: Record) -> bool:
        page = await _open(session, adapter, record.url)
        if page is None:
            return False
        resource_pages.append(page)
        soup = page.soup
        facts[record.url] = read_detail(soup, record.title)
        urls = find_video_urls(soup, page.html, page.final_url, "\n".join(page.json_bodies))
        declared = find_declared_video(soup) if len(urls) == 1 else None
        found[record.url] = [Video(url=u, page_url=record.url, title=record.title, declared=declared) for u in urls]
        return True

    async def visit_article(record: Record) -> None:
        page = await _open(session, adapter, record.url)
        if page is not None:
            facts[record.url] = read_detail(page.soup, record.title)
            article_pages.append(page)

    counted: dict[str, int | None] = {}

    async def visit_album(record: Record) -> None:
        page = await _open(session, adapter, record.url)
        if page is not None:
            counted[record.url] = album_photos(page.soup, record.title)

    uncounted = [a for a in albums or [] if a.photos is None][: max(0, budget - len(wanted) - len(wanted_articles))]
    results = await asyncio.gather(
        *(visit_resource(r) for r in wanted),
        *(visit_article(a) for a in wanted_articles),
        *(visit_album(a) for a in uncounted),
    )
    results = results[: len(wanted)]
    # Pages in the order of their records, not of their answers: a link on two pages is
    # credited to the same one at every visit (the snapshot does not change by timing).
    order = {r.url: n for n, r in enumerate([*wanted, *wanted_articles])}
    resource_pages.sort(key=lambda page: order.get(page.url, len(order)))
    article_pages.sort(key=lambda page: order.get(page.url, len(order)))
    unread_videos += sum(1 for record, ok in zip(wanted, results, strict=False) if not ok and record in video_records)
    videos: dict[str, Video] = {}
    for record in resources:  # a video's own resource page names it first
        for video in found.get(record.url, []):
            videos.setdefault(video.url, video)
    for video in sorted(shown, key=lambda v: (v.page_url, v.url)):  # pages arrive in any order
        videos.setdefault(video.url, video)
    return ItemPages(
        resources=[to_resource(r, facts.get(r.url)) for r in resources],
        articles=[to_article(a, facts.get(a.url)) for a in articles],
        videos=list(videos.values()),
        unread_videos=unread_videos,
        resource_pages=resource_pages,
        article_pages=article_pages,
        albums=[
            replace(a, photos=counted[a.url]) if a.photos is None and counted.get(a.url) is not None else a
            for a in albums or []
        ],
    )
