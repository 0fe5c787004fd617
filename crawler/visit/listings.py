"""A collection's full listing, followed page by page to the end (bounded)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup

from ..extract.dom import absolute, attr, clean_text, host_of, parse_html
from ..extract.modules import ModuleBox
from ..extract.pages import pagination_links
from ..extract.records import Record, find_records
from ..extract.vocab import LISTING_WORDS
from ..platforms import PlatformAdapter
from ..transport.http import FetchError, Page
from .reuse import listing_fingerprint
from .session import VisitSession

__all__ = ["ListingResult", "crawl_listing"]


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


async def crawl_listing(
    session: VisitSession,
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
    while queue and pages < session.options.max_listing_pages:
        url = queue.pop(0)
        try:
            if adapter.always_browser:
                page = await session.render(url, load_more=True)
            else:
                page = await session.fetch(url)
                if page.status < 400 and adapter.listing_needs_browser(page):
                    page = await session.render(url, load_more=True)
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
            result.fingerprint = listing_fingerprint(page_soup, found, declared)
            if previous and previous.get("start") == start and previous.get("fingerprint") == result.fingerprint:
                result.reused = previous  # unchanged since the last crawl: skip the other pages
                return result
        for link in pagination_links(page_soup, page.final_url):
            if link not in seen and _same_listing(link, start):
                seen.add(link)
                queue.append(link)
    return result
