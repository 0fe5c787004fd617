"""One visit's session: options, the HTTP and browser clients, the pages seen."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from ..extract.blocks import detect_block
from ..extract.pages import in_app_entry
from ..extract.vocab import LOAD_MORE_WORDS
from ..extract.walls import detect_wall
from ..transport.browser import BrowserSession
from ..transport.http import CachedPage, HttpFetcher, Page
from ..transport.ssrf import AddressPolicy

__all__ = ["CrawlOptions", "VisitSession", "as_role"]

# The role of the page a step of the visit is about to read (home, listing, detail,
# profile): a learned platform recipe may read some roles over plain HTTP.
ROLE: ContextVar[str | None] = ContextVar("spacebot_page_role", default=None)


@contextmanager
def as_role(role: str) -> Iterator[None]:
    token = ROLE.set(role)
    try:
        yield
    finally:
        ROLE.reset(token)


@dataclass(frozen=True)
class CrawlOptions:
    timeout: float = 10.0  # per request
    total_timeout: float = 120.0  # per space
    max_listing_pages: int = 60  # per listing
    max_detail_pages: int = 150  # item pages per space (a campaign space has up to ~100 items)
    concurrency: int = 4  # requests at once within one space
    per_host: int = 2  # requests in flight to one host, of every kind (a check's own gate)
    max_requests: int | None = 3000  # per space, of every kind; past it the space ends as an error
    official_domains: tuple[str, ...] = ()
    generic_only: bool = False  # skip platform adapters (measures the generic extractor)
    obey_robots: bool = True
    screenshots: bool = False  # keep the home page's HTML and a screenshot of it
    policy: AddressPolicy = field(default_factory=AddressPolicy)  # the SSRF guard


@dataclass
class VisitSession:
    """What one visit shares: the clients, the page budget and the pages seen.

    It is the :class:`~crawler.platforms.CrawlSession` that adapters are given.
    """

    options: CrawlOptions
    fetcher: HttpFetcher
    browser: BrowserSession
    pages: list[Page] = field(default_factory=list)
    vias: set[str] = field(default_factory=set)
    # Pages of the last crawl that came with validators (asked for conditionally now),
    # and those of this crawl (kept for the next one).
    http_cache: dict[str, CachedPage] = field(default_factory=dict)
    validated: dict[str, CachedPage] = field(default_factory=dict)
    # Roles a platform recipe reads over plain HTTP although their pages carry scripts, and
    # the roles this visit rendered in the browser (what a recipe may try without).
    http_roles: frozenset[str] = frozenset()
    rendered_roles: set[str] = field(default_factory=set)
    # How lists grown by 加载更多 ask the platform's API (see :mod:`.grow`): the recipe's,
    # played on listings read over HTTP; those this visit used; those it learnt rendering.
    list_apis: tuple[Any, ...] = ()
    used_apis: list[Any] = field(default_factory=list)
    learned_apis: list[Any] = field(default_factory=list)
    _fetched: dict[str, Page] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._slots = asyncio.Semaphore(self.options.concurrency)

    async def fetch(self, url: str, *, fragment: bool = False) -> Page:
        async with self._slots:
            page = await self.fetcher.get(url, self.http_cache.get(url))
        if page.status == 200 and (page.etag or page.last_modified):
            self.validated[url] = CachedPage(
                page.html, page.final_url, page.etag, page.last_modified, page.headers.get("date")
            )
        else:  # no longer validated (or gone): forget the old copy
            self.http_cache.pop(url, None)
        self.vias.add("http")
        self._judge(page)
        if not fragment:
            self.pages.append(page)
            self._fetched[url] = self._fetched[page.final_url] = page
        return page

    def _judge(self, page: Page) -> None:
        """Mark an answer that a firewall, captcha or rate limit gave instead of the page,
        and tell the host gate (it pauses a host after a run of them). A wall the space's
        owner set (private, login, gone) is the space's answer, not a block."""
        if page.status == 404 or detect_wall(page.soup, page.status, page.final_url, has_content=False) is None:
            page.blocked = detect_block(page.soup, page.status, page.headers)
        if self.fetcher.gate is not None:
            self.fetcher.gate.answered(page.final_url, page.blocked is not None)

    @asynccontextmanager
    async def _browser_turn(self, url: str) -> AsyncIterator[None]:
        # The page's own requests (the document, its scripts' AJAX) each take a slot of
        # the host gate in the browser's route handler; none is held for the whole page.
        await self.fetcher.check_robots(url)
        async with self._slots:
            yield
        self.vias.add("browser")

    async def render(self, url: str, *, load_more: bool = False) -> Page:
        role = ROLE.get()
        if role is not None and role in self.http_roles:  # the recipe: this page's scripts add nothing read
            known = self._fetched.get(url)
            page = known if known is not None and known.blocked is None else await self.fetch(url)
            # A list that grows by 加载更多, or by scrolling (with no control to show it:
            # a learnt list API fits its address), is not all there without the browser:
            # its API is asked as learnt, or the page is rendered.
            if not load_more or page.status >= 400:
                return page
            hinted = in_app_entry(page.soup, list(LOAD_MORE_WORDS))
            if not hinted and not self._grows(page):
                return page
            grown = await self._grown(page, hinted)
            if grown is not None:
                return grown
        async with self._browser_turn(url):
            page = await self.browser.render(url, load_more=load_more)
        self._judge(page)
        self.pages.append(page)
        if role is not None:
            self.rendered_roles.add(role)
        if load_more and page.answers and page.blocked is None:
            from .grow import learn_list_api

            learned = learn_list_api(page)
            if learned is not None and learned not in self.learned_apis:
                self.learned_apis.append(learned)
        return page

    def _grows(self, page: Page) -> bool:
        from .grow import fits

        return any(fits(api, page.final_url) for api in self.list_apis)

    async def _grown(self, page: Page, hinted: bool = True) -> Page | None:
        from .grow import grow_list

        for api in self.list_apis:
            grown = await grow_list(self, page, (api,), hinted=hinted)
            if grown is not None:
                if api not in self.used_apis and grown.grown:  # played: it brought rows to verify
                    self.used_apis.append(api)
                self._fetched[page.url] = self._fetched[page.final_url] = grown
                if self.pages and self.pages[-1] is page:
                    self.pages[-1] = grown
                return grown
        return None

    async def explore(self, url: str, paths: list[list[list[str]]]) -> tuple[Page, list[Page | None]]:
        """The page at ``url`` and the views its in-app tabs and items lead to (see
        :meth:`BrowserSession.explore`); the views are not listed as pages of the visit."""
        async with self._browser_turn(url):
            return await self.browser.explore(url, paths)
