"""Listings of a single-page app, whose tabs have no address: opened in the browser by
clicking the tab a visitor would (资源, 教学随笔 …), read from the JSON answers that fill
them, paged over plain HTTP where the API pages by a parameter, and completed from each
item's own JSON answer (learnt by opening one item) where the list leaves fields open.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..extract.items import incomplete, to_album
from ..extract.jsondata import JsonList, find_json_lists, json_links, json_video_urls, record_from_json
from ..extract.records import Record, find_records
from ..model import Video
from ..transport.http import FetchError, Page
from .session import VisitSession

__all__ = ["AppListing", "read_app_listings"]

_PAGE_PARAMS = ("page", "pn", "pageno", "pagenum", "pagenumber", "pageindex", "current", "curpage", "currentpage", "p")
_SIZE_PARAMS = ("size", "rows", "pagesize", "page_size", "limit", "ps", "num", "count")
_MAX_ROWS = 500


@dataclass
class AppListing:
    """One collection read from an app's JSON (or its drawn list)."""

    records: list[Record]
    declared: int | None = None
    source: str | None = None  # the API address that answered
    pages_failed: int = 0
    truncated: bool = False
    grown_in_part: bool = False  # drawn rows of a list that was still growing when the browser stopped
    in_app: set[str] = field(default_factory=set)  # record URLs that are only in-app routes
    videos: list[Video] = field(default_factory=list)
    links: dict[str, list[str]] = field(default_factory=dict)  # record URL → links in its body


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def _with(url: str, key: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, value if k == key else v) for k, v in _query(url)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


async def _json(session: VisitSession, url: str) -> Any:
    page = await session.fetch(url, fragment=True)
    if page.status >= 400:
        raise FetchError("error", f"HTTP {page.status}")
    return json.loads(page.html)


async def _all_pages(session: VisitSession, first: JsonList, listing: AppListing) -> list[dict[str, Any]]:
    """The whole list: the API asked page by page (or for all rows at once) over HTTP."""
    items = list(first.records)
    wanted = first.total
    if wanted is None and first.pages is None:
        return items
    per_page = max(1, len(first.records))
    last = first.pages or -(-(wanted or 0) // per_page)
    query = {k.lower(): (k, v) for k, v in _query(first.source)}
    page_key = next((query[k] for k in _PAGE_PARAMS if k in query and query[k][1].isdigit()), None)
    size_key = next((query[k] for k in _SIZE_PARAMS if k in query and query[k][1].isdigit()), None)
    if page_key is not None:
        start = int(page_key[1])
        bound = session.options.max_listing_pages
        for number in range(start + 1, min(start + last - 1, start + bound) + 1):
            try:
                answer = await _json(session, _with(first.source, page_key[0], str(number)))
            except (FetchError, ValueError):
                listing.pages_failed += 1
                continue
            lists = find_json_lists([(first.source, json.dumps(answer))])
            if not lists or not lists[0].records:
                break
            items.extend(lists[0].records)
            if wanted is not None and len(items) >= wanted:
                break
        listing.truncated = last - 1 > bound
    elif size_key is not None and wanted:
        try:
            answer = await _json(session, _with(first.source, size_key[0], str(min(wanted, _MAX_ROWS))))
            lists = find_json_lists([(first.source, json.dumps(answer))])
            if lists and len(lists[0].records) > len(items):
                items = list(lists[0].records)
        except (FetchError, ValueError):
            listing.pages_failed += 1
    return items


def _id_of(item: dict[str, Any]) -> str | None:
    for key, value in item.items():
        if str(key).lower() in ("id", "rid", "aid", "resid", "res_id", "resourceid", "articleid", "blogid"):
            if isinstance(value, int | str) and str(value).strip():
                return str(value)
    return None


def _link_template(items: list[dict[str, Any]], drawn: dict[str, str]) -> str | None:
    """How the drawn list links an item to its page, with ``{id}`` where its id goes (learnt
    from an item shown on the first page), for the items of the pages asked over HTTP."""
    for item in items:
        ident, title = _id_of(item), record_from_json(item, "", "").title
        url = drawn.get(title)
        if ident and url:
            pattern = re.compile(rf"(?<=[=/]){re.escape(ident)}(?=$|[&/?#.])")
            if pattern.search(url):
                return pattern.sub("{id}", url, count=1)
    return None


def _detail_template(view: Page, items: list[dict[str, Any]]) -> str | None:
    """The address of an item's own JSON answer, with ``{id}`` where its id goes (the item
    opened is looked for among all of the list's, in case a like-named one was opened)."""
    for item in items:
        ident = _id_of(item)
        if ident is None:
            continue
        pattern = re.compile(rf"(?<=[=/]){re.escape(ident)}(?=$|[&/?#.])")
        for url, text in view.answers:
            lists = find_json_lists([(url, text)])
            if pattern.search(url) and not (lists and len(lists[0].records) > 1):  # an item's answer, not a list's
                return pattern.sub("{id}", url, count=1)
    return None


def _object_with_title(value: Any, title: str) -> dict[str, Any] | None:
    if isinstance(value, dict):
        if any(isinstance(v, str) and v.strip() == title for v in value.values()):
            return value
        for inner in value.values():
            found = _object_with_title(inner, title)
            if found is not None:
                return found
    elif isinstance(value, list):
        for inner in value:
            found = _object_with_title(inner, title)
            if found is not None:
                return found
    return None


def _completed(record: Record, facts: Record) -> Record:
    return replace(
        record,
        date=record.date or facts.date,
        original=record.original if record.original is not None else facts.original,
        labels=record.labels or facts.labels,
        format=record.format or facts.format,
        size_bytes=record.size_bytes if record.size_bytes is not None else facts.size_bytes,
        photos=record.photos if record.photos is not None else facts.photos,
    )


async def _details(
    session: VisitSession,
    template: str,
    pairs: list[tuple[Record, dict[str, Any]]],
    listing: AppListing,
    base: str,
) -> list[Record]:
    """Each item's own JSON: its open fields, its videos, the links in its body."""
    out = []
    for record, item in pairs[: session.options.max_detail_pages]:
        ident = _id_of(item)
        if ident is None:
            out.append(record)
            continue
        try:
            answer = await _json(session, template.replace("{id}", ident))
        except (FetchError, ValueError):
            out.append(record)
            continue
        own = _object_with_title(answer, record.title) or {}
        facts = record_from_json(own, base, record.url) if own else record
        out.append(_completed(record, facts))
        for url in json_video_urls(own, base):
            listing.videos.append(Video(url=url, page_url=record.url, title=record.title))
        listing.links[record.url] = json_links(own, base)
    out.extend(record for record, _ in pairs[session.options.max_detail_pages :])
    return out


async def read_app_listings(
    session: VisitSession, home: Page, labels: dict[str, list[str]], needs_detail: dict[str, bool]
) -> dict[str, AppListing]:
    """The collections whose tabs are in-app, by the labels a visitor would click."""
    kinds = list(labels)
    if not kinds:
        return {}
    _, views = await session.explore(home.final_url, [[labels[kind]] for kind in kinds])
    base = home.final_url
    out: dict[str, AppListing] = {}
    samples: list[tuple[str, JsonList]] = []
    for kind, view in zip(kinds, views, strict=True):
        if view is None:
            continue
        found = find_json_lists(view.answers)
        lists = [jl for jl in found if jl.records]
        drawn = find_records(view.soup, view.final_url)
        if not lists:
            empty = next((jl.total for jl in found if jl.total == 0), None)  # the API says: none
            out[kind] = AppListing(drawn, declared=empty if not drawn else None, grown_in_part=view.grown_in_part)
            continue
        best = lists[0]
        listing = AppListing([], declared=best.total, source=best.source)
        items = await _all_pages(session, best, listing)
        by_title = {r.title: r.url for r in drawn}
        if kind == "albums":  # a drawn "相册名（12）" is the album 相册名; a drawn title as such wins
            by_title = {to_album(r).name: r.url for r in drawn} | by_title
        link = _link_template(items, by_title)
        records = []
        for item in items:
            record = record_from_json(item, base, base)
            if "#" in record.url and record.title in by_title:
                record = replace(record, url=by_title[record.title])  # the page the list links to
            elif "#" in record.url and link is not None and _id_of(item) is not None:
                record = replace(record, url=link.replace("{id}", str(_id_of(item))))  # a later page's item
            if "#" in record.url:
                listing.in_app.add(record.url)
            records.append(record)
        listing.records = records
        out[kind] = listing
        if items and listing.in_app and (needs_detail.get(kind) or any(incomplete(r) for r in records)):
            samples.append((kind, JsonList(best.source, items, best.total, best.pages)))
    if samples:
        paths = [[labels[kind], [_title_of(jl.records[0])]] for kind, jl in samples]
        _, opened = await session.explore(home.final_url, paths)
        for (kind, jl), view in zip(samples, opened, strict=True):
            template = _detail_template(view, jl.records) if view is not None else None
            if template is None:
                continue
            listing = out[kind]
            pairs = [(r, item) for r, item in zip(listing.records, jl.records, strict=False) if r.url in listing.in_app]
            done = await _details(session, template, pairs, listing, base)
            others = [r for r in listing.records if r.url not in listing.in_app]
            listing.records = done + others
    return out


def _title_of(item: dict[str, Any]) -> str:
    record = record_from_json(item, "", "")
    return record.title
