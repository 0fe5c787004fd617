"""Drag-and-drop module spaces (东师理想 style): every widget on one server-rendered page,
placed by absolute positions; teachers add and name widgets freely, so most of them are
custom. The layout script only moves boxes, so the page is read without a browser.
"""

from __future__ import annotations

import re

from ..transport.http import Page
from .base import CrawlSession, PlatformAdapter

__all__ = ["DragDropAdapter"]

# A start tag placed absolutely by the layout script, in any attribute order.
_PLACED = re.compile(r"""<[a-z]+\b[^>]*\bstyle\s*=\s*["'][^"']*position\s*:\s*absolute[^>]*>""", re.IGNORECASE)
_PORTLET = re.compile(r"widget|portlet", re.IGNORECASE)


class DragDropAdapter(PlatformAdapter):
    name = "dragdrop"

    def matches(self, url: str, page: Page) -> bool:
        return sum(1 for tag in _PLACED.findall(page.html) if _PORTLET.search(tag)) >= 2

    async def complete_home(self, session: CrawlSession, page: Page) -> Page:
        return page
