"""A collection's full listing, followed page by page to the end (bounded)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup

from ..extract.dom import absolute, attr, clean_text, host_of, parse_html
from ..extract.jsondata import find_json_lists, record_from_json
from ..extract.modules import ModuleBox
from ..extract.pages import category_tabs, declared_total, pagination_links, stated_counts, total_pages
from ..extract.records import Record, find_records, label_category
from ..extract.vocab import LISTING_WORDS
from ..model import Completeness
from ..platforms import PlatformAdapter
from ..transport.http import FetchError, Page
from .apps import AppListing
from .reuse import home_fingerprint, listing_fingerprint
from .session import VisitSession, as_role

__all__ = ["ListingResult", "app_listing_result", "crawl_listing", "listing_start"]


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


_LABELS = {"resources": "资源", "articles": "文章", "albums": "相册"}


def listing_start(
    adapter: PlatformAdapter, kind: str, home: Page, soup: BeautifulSoup, modules: list[ModuleBox]
) -> str | None:
    """The address of a collection's full listing, or None (an in-app tab, or no listing)."""
    return adapter.listing_url(kind, home, soup, modules) or _listing_url(kind, home, soup, modules)


def _box_count(kind: str, modules: list[ModuleBox], home: Page | None = None) -> tuple[int | None, str]:
    """What the home page says the collection holds: its module box's count (资源(27)), or
    a statistics line (资源：27)."""
    box = next((m for m in modules if m.type == kind and m.items is not None), None)
    if box is not None:
        return box.items, f"{box.name}({box.items})"
    stated = stated_counts(home.soup).get(kind) if home is not None else None
    return stated if stated is not None else (None, "")


def app_listing_result(kind: str, app: AppListing, modules: list[ModuleBox], home: Page) -> ListingResult:
    """An app's collection as a listing: its API total declares the count."""
    declared, declared_by = _box_count(kind, modules, home)
    if app.declared is not None:
        declared, declared_by = app.declared, f"共 {app.declared} 条（平台接口）"
    return ListingResult(
        home.final_url,
        list(app.records),
        declared=declared,
        declared_by=declared_by,
        pages_failed=app.pages_failed,
        truncated=app.truncated,
        grown_in_part=app.grown_in_part,
        app=app,
    )


@dataclass
class ListingResult:
    """One collection's listing: the records read, or the previous items when the first
    page shows the listing has not changed since the last crawl; and what the space
    declares about it (a total, a page count) against what was read."""

    start: str | None
    records: list[Record] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    fingerprint: str | None = None
    home_key: str | None = None  # what the home page's box says of it (count, newest dated items)
    reused: dict[str, Any] | None = None  # the previous state, reused as it was
    declared: int | None = None  # items the space says the collection has
    declared_by: str = ""  # where it says so (资源(27), 共 87 条)
    pages_declared: int | None = None  # 共 N 页
    pages_failed: int = 0  # listing pages that could not be read
    truncated: bool = False  # stopped at the page bound with pages left
    grown_in_part: bool = False  # a page whose list was still growing when the browser stopped
    app: AppListing | None = None  # read from an app's JSON

    def completeness(self, kind: str, read: int) -> Completeness:
        """Declared against read, for the check-1 ``completeness`` object."""
        if self.reused is not None and "completeness" in self.reused:
            return Completeness(**{**self.reused["completeness"], "read": read})
        label = _LABELS[kind]
        notes = []
        complete = True
        if self.declared is not None and read < self.declared:
            complete = False
        if self.pages_declared is not None and len(self.pages) < self.pages_declared:
            complete = False
            notes.append(f"共 {self.pages_declared} 页，读到 {len(self.pages)} 页")
        if self.pages_failed:
            complete = False
            notes.append(f"{self.pages_failed} 个列表页无法打开")
        if self.truncated:
            complete = False
            notes.append("列表页数超过上限，未读完")
        if self.grown_in_part:
            complete = False
            notes.append("列表在限定时间内仍在加载，未读完")
        if self.declared is not None:
            head = f"页面显示 {self.declared_by}，读到 {read} 个"
        elif self.start is None and not self.records:
            head = f"空间上没有找到{label}列表，读到 {read} 个"
        else:
            head = f"页面未显示{label}总数，读到 {read} 个"
        evidence = "；".join([head, *notes])
        return Completeness(self.declared, read, complete, evidence, self.start)


async def crawl_listing(
    session: VisitSession,
    adapter: PlatformAdapter,
    kind: str,
    home: Page,
    soup: BeautifulSoup,
    modules: list[ModuleBox],
    previous: dict[str, Any] | None,
) -> ListingResult:
    start = listing_start(adapter, kind, home, soup, modules)
    declared, declared_by = _box_count(kind, modules, home)
    if start is None:
        # No full listing: take what the module box on the home page shows.
        shown = next((m for m in modules if m.type == kind), None)
        records = find_records(parse_html(str(shown.element)), home.final_url) if shown else []
        return ListingResult(None, records, declared=declared, declared_by=declared_by)
    result = ListingResult(start, declared=declared, declared_by=declared_by)
    box = next((m for m in modules if m.type == kind and m.items is not None), None)
    if box is not None:
        result.home_key = home_fingerprint(box.items, find_records(parse_html(str(box.element)), home.final_url))
    if (
        previous
        and result.home_key is not None
        and previous.get("start") == start
        and previous.get("home_key") == result.home_key
        and previous.get("fingerprint")
        and (previous.get("completeness") or {}).get("complete")
    ):
        # The home page declares the same count and shows the same newest items, and the
        # listing was read whole last time: it is not read at all.
        result.fingerprint, result.reused = previous["fingerprint"], previous
        return result
    tabs: list[tuple[str | None, str]] = [(None, start)]  # category tabs: (label, first page)
    tab_totals: list[int | None] = []
    pages = 0
    for index in range(session.options.max_listing_pages):
        if index >= len(tabs) or pages >= session.options.max_listing_pages:
            break
        label, tab_start = tabs[index]
        queue, seen = [tab_start], {tab_start}
        first_of_tab = True
        while queue and pages < session.options.max_listing_pages:
            url = queue.pop(0)
            page = await _listing_page(session, adapter, url)
            if page is None:
                result.pages_failed += 1  # one unreadable listing page (or one robots.txt forbids) leaves the rest
                if first_of_tab:
                    tab_totals.append(None)  # the tab was tried: what it holds is unknown, not left out
                    first_of_tab = False
                continue
            pages += 1
            result.pages.append(page)
            result.grown_in_part = result.grown_in_part or page.grown_in_part
            page_soup = page.soup
            found = find_records(page_soup, page.final_url)
            if page.answers:
                found = _exact_sizes(found, page.answers)
            if page.grown:  # rows its 加载更多 adds, asked from the API as learnt (see .grow)
                on_page = {r.url for r in found}
                found = found + [r for r in page.grown if r.url not in on_page]
            if first_of_tab and index == 0:
                current, others = category_tabs(page_soup, page.final_url, {r.url for r in found})
                label = label or current
                tabs.extend((name, link) for name, link in others if link not in {t[1] for t in tabs})
            if label:  # the tab an item sits under names its category
                found = [r if label_category(r.labels) else replace(r, labels=[*r.labels, label]) for r in found]
            result.records.extend(found)
            if first_of_tab:
                tab_totals.append(_declared_on_page(result, page, found, tab=index > 0 or len(tabs) > 1))
            if pages == 1:
                result.fingerprint = listing_fingerprint(page_soup, found, declared)
                if previous and previous.get("start") == start and previous.get("fingerprint") == result.fingerprint:
                    result.reused = previous  # unchanged since the last crawl: skip the other pages
                    return result
            first_of_tab = False
            for link in pagination_links(page_soup, page.final_url, page.html):
                if link not in seen and _same_listing(link, tab_start):
                    seen.add(link)
                    queue.append(link)
        result.truncated = result.truncated or bool(queue)
    result.truncated = result.truncated or len(tabs) > len(tab_totals)
    if len(tabs) > 1 or result.pages_failed or result.truncated or result.grown_in_part:
        result.home_key = None  # a box does not vouch for a listing split in tabs, or read in part
    if len(tabs) > 1:
        _tabs_declared(result, tab_totals, declared, declared_by)
    if not result.pages:
        # No page of the listing could be read (a captcha, an error): what the home page's
        # box shows is still what a visitor sees; the listing stays incomplete.
        shown = next((m for m in modules if m.type == kind), None)
        result.records = find_records(parse_html(str(shown.element)), home.final_url) if shown else []
    return result


async def _listing_page(session: VisitSession, adapter: PlatformAdapter, url: str) -> Page | None:
    with as_role("listing"):
        return await _read_listing_page(session, adapter, url)


async def _read_listing_page(session: VisitSession, adapter: PlatformAdapter, url: str) -> Page | None:
    try:
        if adapter.always_browser:
            page = await session.render(url, load_more=True)
        else:
            page = await session.fetch(url)
            if page.status < 400 and adapter.listing_needs_browser(page):
                page = await session.render(url, load_more=True)
    except FetchError:
        return None
    return page if page.status < 400 and page.blocked is None else None


_SIZE_ROUNDING = 0.01  # a size drawn as 15.22M is within this share of the bytes it stands for


def _exact_sizes(records: list[Record], answers: list[tuple[str, str]]) -> list[Record]:
    """Rows a script drew from the platform's API answers, with the sizes those answers give
    in bytes where the row shows them rounded (15.22M): the list grown from the same answers
    over HTTP (see :mod:`.grow`) reads the same sizes."""
    sizes: dict[str, set[int]] = {}
    for found in find_json_lists(answers):
        for item in found.records:
            row = record_from_json(item, "", "")
            if row.title and row.size_bytes:
                sizes.setdefault(row.title, set()).add(row.size_bytes)
    drawn_titles = Counter(r.title for r in records)
    out = []
    for record in records:
        # Only a title that names one row on the page and one size in the answers.
        known = sizes.get(record.title, set())
        exact = next(iter(known)) if len(known) == 1 and drawn_titles[record.title] == 1 else None
        drawn = record.size_bytes
        if exact is not None and drawn and drawn != exact and abs(exact - drawn) <= _SIZE_ROUNDING * exact:
            record = replace(record, size_bytes=exact)
        out.append(record)
    return out


def _tabs_declared(result: ListingResult, totals: list[int | None], box: int | None, box_by: str) -> None:
    """A listing split in category tabs declares its count by the module box, or by the
    tabs' own totals when every tab states one; page counts are then per tab."""
    result.pages_declared = None
    if box is not None:
        result.declared, result.declared_by = box, box_by
    elif totals and all(t is not None for t in totals):
        whole = sum(t for t in totals if t is not None)
        result.declared, result.declared_by = whole, f"各分类共 {whole} 条"
    else:
        result.declared, result.declared_by = None, ""


def _declared_on_page(result: ListingResult, page: Page, records: list[Record], tab: bool) -> int | None:
    """What the listing's first page says about the whole listing (共 N 页, 共 N 条, or the
    total of the API that grows it); a category tab's first page says it of that tab only
    (returned, not kept)."""
    soup = page.soup
    text = clean_text(soup.body or soup)
    for record in records:  # "共 12 张" inside an album record is that album's, not the listing's
        text = text.replace(record.block, " ", 1)
    total = declared_total(text)
    if total is None and page.answers:  # a list grown from an API ("加载更多", scrolling)
        total = next((jl.total for jl in find_json_lists(page.answers) if jl.records and jl.total), None)
    if tab:
        return total
    result.pages_declared = total_pages(soup)
    if total is not None:
        result.declared, result.declared_by = total, f"共 {total} 条"
    return total
