"""Drag-and-drop module spaces (东师理想 style): every widget on one server-rendered page,
placed by absolute positions; teachers add and name widgets freely, so most of them are
custom. The layout script only moves boxes, so the page is read without a browser.
"""

from __future__ import annotations

import re

from ..transport.http import Page
from .base import CrawlSession, PlatformAdapter

__all__ = ["DragDropAdapter"]

_WIDGET = re.compile(
    r"""class\s*=\s*["'][^"']*widget[^"']*["'][^>]*style\s*=\s*["'][^"']*position\s*:\s*absolute""", re.IGNORECASE
)


class DragDropAdapter(PlatformAdapter):
    name = "dragdrop"

    def matches(self, url: str, page: Page) -> bool:
        return len(_WIDGET.findall(page.html)) >= 2

    async def complete_home(self, session: CrawlSession, page: Page) -> Page:
        return page
