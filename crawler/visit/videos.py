"""The videos of a space: those its pages play, and those on the detail pages of its
video resources."""

from __future__ import annotations

import asyncio

from ..extract.pages import find_declared_video, find_video_urls
from ..extract.vocab import VIDEO_EXTENSIONS
from ..model import Resource, Video
from ..platforms import PlatformAdapter
from ..transport.http import FetchError
from .session import VisitSession

__all__ = ["find_videos"]


async def find_videos(
    session: VisitSession, adapter: PlatformAdapter, resources: list[Resource]
) -> tuple[list[Video], int]:
    """The distinct videos, and how many video resources' detail pages could not be read."""
    videos: dict[str, Video] = {}
    for page in list(session.pages):  # videos shown on the home page or in listings
        for url in find_video_urls(page.soup, page.html, page.final_url, "\n".join(page.json_bodies)):
            videos.setdefault(url, Video(url=url, page_url=page.final_url, title=None))
    wanted = [
        r for r in resources if r.category in ("microlecture", "lesson_video") or (r.format or "") in VIDEO_EXTENSIONS
    ]
    skipped = max(0, len(wanted) - session.options.max_detail_pages)
    wanted = wanted[: session.options.max_detail_pages]

    async def visit(resource: Resource) -> list[Video] | None:
        try:
            if adapter.always_browser:
                page = await session.render(resource.url)
            else:
                page = await session.fetch(resource.url)
                if page.status < 400 and adapter.detail_needs_browser(page):
                    page = await session.render(resource.url)
        except FetchError:
            return None
        if page.status >= 400:
            return None
        soup = page.soup
        urls = find_video_urls(soup, page.html, page.final_url, "\n".join(page.json_bodies))
        declared = find_declared_video(soup) if len(urls) == 1 else None
        return [Video(url=u, page_url=resource.url, title=resource.title, declared=declared) for u in urls]

    unread = skipped
    for found in await asyncio.gather(*(visit(r) for r in wanted)):
        if found is None:
            unread += 1
            continue
        for video in found:
            videos.setdefault(video.url, video)
    return list(videos.values()), unread
