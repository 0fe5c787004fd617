"""Single-page apps (网龙 网教通 builds of 湖北教育云, smartedu-style): an empty shell
that scripts fill from a JSON API. Every page is rendered in the browser and lists are
grown with "加载更多" (or scrolling) until they end; API answers are searched for videos.
"""

from __future__ import annotations

import re

from ..extract.dom import clean_text, parse_html
from ..transport.http import Page
from .base import CrawlSession, PlatformAdapter

__all__ = ["SpaAdapter"]

_MOUNT = re.compile(r"""<div[^>]+id\s*=\s*["'](app|root|main-app|__nuxt|__next)["']""", re.IGNORECASE)


class SpaAdapter(PlatformAdapter):
    name = "spa"
    always_browser = True

    def matches(self, url: str, page: Page) -> bool:
        if not _MOUNT.search(page.html) or "<script" not in page.html.lower():
            return False
        soup = parse_html(page.html)
        return len(clean_text(soup.body)) < 80 if soup.body else True

    async def complete_home(self, session: CrawlSession, page: Page) -> Page:
        return await session.render(page.final_url)

    def listing_needs_browser(self, page: Page) -> bool:
        return True

    def detail_needs_browser(self, page: Page) -> bool:
        return True
