"""The platform adapter interface: the one narrow extension point of the crawler.

An adapter recognises its platform family and knows where things are (how the home
page's modules get filled, where the full listings live, which pages need the browser).
Extraction itself is shared: every adapter hands pages to the same label-based
extractors, so an adapter is small and a platform without one still works (generic).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bs4 import BeautifulSoup

from .._fetch import Page
from .._modules import ModuleBox
from .._pages import needs_browser

if TYPE_CHECKING:
    from .._crawl import CrawlContext

__all__ = ["PlatformAdapter"]


class PlatformAdapter:
    """Default behaviour, used as it is by the generic adapter."""

    name = "generic"
    # True when every page of the platform is drawn by scripts: skip the plain fetch.
    always_browser = False

    def matches(self, url: str, page: Page) -> bool:
        return True

    async def complete_home(self, ctx: CrawlContext, page: Page) -> Page:
        """The home page with its modules filled (rendered in the browser when needed)."""
        if needs_browser(page.html):
            return await ctx.render(page.final_url)
        return page

    def listing_url(self, kind: str, home: Page, soup: BeautifulSoup, modules: list[ModuleBox]) -> str | None:
        """The full listing of ``kind`` (resources, articles, albums) when the adapter knows it."""
        return None

    def listing_needs_browser(self, page: Page) -> bool:
        return needs_browser(page.html)

    def detail_needs_browser(self, page: Page) -> bool:
        return needs_browser(page.html)
