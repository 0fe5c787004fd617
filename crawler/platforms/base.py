"""The platform adapter interface: the one narrow extension point of the crawler.

An adapter recognises its platform family and knows where things are (how the home
page's modules get filled, where the full listings live, which pages need the browser).
Extraction itself is shared: every adapter hands pages to the same extractors, so an
adapter is small and a platform without one still works (generic).

Adapters talk to a :class:`CrawlSession` (fetch a page, render a page), never to the
visit's own classes.
"""

from __future__ import annotations

from typing import Protocol

from bs4 import BeautifulSoup

from ..extract.modules import ModuleBox
from ..extract.pages import needs_browser
from ..transport.http import Page

__all__ = ["CrawlSession", "PlatformAdapter"]


class CrawlSession(Protocol):
    """What an adapter may ask of the visit: pages, over plain HTTP or rendered.

    Every request passes the visit's host gate, robots.txt and SSRF guard.
    """

    async def fetch(self, url: str, *, fragment: bool = False) -> Page:
        """The page over plain HTTP; ``fragment`` pages (AJAX pieces) are not listed as pages."""
        ...

    async def render(self, url: str, *, load_more: bool = False) -> Page:
        """The page after its scripts ran in the browser (with ``load_more``, lists grown to the end)."""
        ...


class PlatformAdapter:
    """Default behaviour, used as it is by the generic adapter."""

    name = "generic"
    # True when every page of the platform is drawn by scripts: skip the plain fetch.
    always_browser = False

    def matches(self, url: str, page: Page) -> bool:
        return True

    async def complete_home(self, session: CrawlSession, page: Page) -> Page:
        """The home page with its modules filled (rendered in the browser when needed)."""
        if needs_browser(page.html):
            return await session.render(page.final_url)
        return page

    def listing_url(self, kind: str, home: Page, soup: BeautifulSoup, modules: list[ModuleBox]) -> str | None:
        """The full listing of ``kind`` (resources, articles, albums) when the adapter knows it."""
        return None

    def listing_needs_browser(self, page: Page) -> bool:
        return needs_browser(page.html)

    def detail_needs_browser(self, page: Page) -> bool:
        return needs_browser(page.html)
