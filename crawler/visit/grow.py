"""Lists grown by 加载更多 (or scrolling) from a JSON API, read over plain HTTP once learnt.

A listing whose first rows come with the page and whose further rows a script asks from
the platform's API has to be rendered, button clicked until the end, to be read whole.
When the browser has done so once on a host, the answers it saw say how: the API address
with a page number in it, and (an item shown both drawn and in an answer) how a drawn row
links an item to its page. :func:`learn_list_api` turns them into a :class:`ListApi`, a
template where the parts of the listing's own address (the space id, the collection's
path) and the page number are placeholders; :func:`grow_list` plays it on another space's
listing page read over HTTP, asking the API page by page.

A learnt list API is one more thing a platform recipe verifies before it trusts it (see
:mod:`crawler.platforms.recipes`): a visit by the recipe and one in the browser must give
the same snapshot, so a template that names a foreign space, reads rows otherwise than
the page draws them, or asks the wrong pages is dropped, and those lists are rendered.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from ..extract.jsondata import find_json_lists, record_from_json
from ..extract.records import Record, find_records
from ..transport.http import FetchError, Page
from .apps import _PAGE_PARAMS, _id_of

if TYPE_CHECKING:
    from .session import VisitSession

__all__ = ["ListApi", "fits", "grow_list", "learn_list_api"]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_MIN_SHARE = 0.8  # of an answer's rows that must be drawn on the page for it to be the list's
_MIN_SUBSTRING = 6  # a part of the listing's address this long is looked for inside other parts


@dataclass(frozen=True)
class ListApi:
    """How one kind of listing page grows: ``page`` is the listing's address with
    placeholders (``{s2}`` a path segment, ``{q_uid}`` a query value) where the API or the
    item links use its parts, ``api`` the API address with the same placeholders and
    ``{page}``, ``start`` the first page number asked after the drawn rows, ``link`` an
    item's page with ``{id}`` (None when the answers carry the items' addresses)."""

    page: str
    api: str
    start: int
    link: str | None = None
    path: tuple[str, ...] = ()  # where the list sits in the API's answer

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "path": list(self.path)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ListApi | None:
        try:
            path = tuple(str(p) for p in data.get("path") or ())
            return cls(str(data["page"]), str(data["api"]), int(data["start"]), data.get("link") or None, path)
        except (KeyError, TypeError, ValueError):
            return None


def _tokens(url: str) -> dict[str, str]:
    """The parts of a listing's address another address may reuse, by placeholder name
    (``s2`` the third path segment, ``q_uid`` the value of ``uid``), as written (encoded)."""
    parts = urlsplit(url)
    out = {}
    for index, segment in enumerate(parts.path.split("/")):
        if len(segment) >= 2 and not (segment.isdigit() and len(segment) < 3):
            out[f"s{index}"] = segment
    for pair in parts.query.split("&") if parts.query else []:
        key, _, value = pair.partition("=")
        if len(value) >= 2 and re.fullmatch(r"\w+", key):
            out.setdefault(f"q_{key}", value)
    return out


def _cache_buster(key: str, value: str) -> bool:
    """A parameter a script adds so that no cache answers (jQuery's ``_=1700000000000``)."""
    return key in ("_", "t", "ts", "timestamp", "rnd", "r", "v") and value.isdigit() and len(value) >= 10


def _abstract(url: str, tokens: dict[str, str], page_key: str | None = None) -> str:
    """``url`` with the listing's parts as placeholders and the page number as ``{page}``.
    A part stands for a whole path segment, or a query value under the same key, or (a
    long one, an id) wherever it appears; cache busters are left out."""
    parts = urlsplit(url)
    long = sorted(((n, v) for n, v in tokens.items() if len(v) >= _MIN_SUBSTRING), key=lambda kv: -len(kv[1]))

    def inside(text: str) -> str:
        for name, value in long:
            if value in text:
                text = text.replace(value, "{" + name + "}")
        return text

    def segment(text: str) -> str:
        name = next((n for n, v in tokens.items() if n.startswith("s") and v == text), None)
        return "{" + name + "}" if name else inside(text)

    path = "/".join(segment(s) if s else s for s in parts.path.split("/"))
    query = []
    for pair in parts.query.split("&") if parts.query else []:
        key, eq, value = pair.partition("=")
        if _cache_buster(key, value):
            continue
        if page_key is not None and key == page_key:
            query.append(f"{key}={{page}}")
        elif eq and tokens.get(f"q_{key}") == value:
            query.append(f"{key}={{q_{key}}}")
        else:
            query.append(f"{key}{eq}{inside(value)}" if eq else pair)
    out = f"{parts.scheme}://{parts.netloc}{path}"
    return out + ("?" + "&".join(query) if query else "")


def _pattern(template: str) -> re.Pattern[str]:
    """A listing address template as a regular expression binding its placeholders."""
    out, seen, at = [], set(), 0
    for match in _PLACEHOLDER.finditer(template):
        out.append(re.escape(template[at : match.start()]))
        name = match.group(1)
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>[^/?&#]+)")
        seen.add(name)
        at = match.end()
    out.append(re.escape(template[at:]))
    return re.compile("".join(out))


def _fill(template: str, values: dict[str, str]) -> str | None:
    missing = [m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1) not in values]
    if missing:
        return None
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _drawn_by_title(page: Page) -> dict[str, Record]:
    return {r.title: r for r in find_records(page.soup, page.final_url)}


def _page_key(source: str) -> tuple[str, int] | None:
    query = parse_qsl(urlsplit(source).query, keep_blank_values=True)
    return next(((k, int(v)) for k, v in query if k.lower() in _PAGE_PARAMS and v.isdigit()), None)


def _link(pairs: list[tuple[str, str]], tokens: dict[str, str]) -> str | None:
    """The item links' template: the drawn address of an item with its id (the last place
    it appears) as ``{id}``, kept only if it gives every other item's drawn address."""
    for ident, url in pairs:
        spots = list(re.finditer(rf"(?<=[=/]){re.escape(ident)}(?=$|[&/?#.])", url))
        if not spots:
            continue
        at = spots[-1]
        template = url[: at.start()] + "{id}" + url[at.end() :]
        if all(template.replace("{id}", other) == drawn for other, drawn in pairs):
            return _abstract(template, tokens)
    return None


def learn_list_api(page: Page) -> ListApi | None:
    """What a listing rendered in the browser (buttons clicked to the end) says about how
    its rows grow: the API answers most of whose rows are drawn on the page, asked with a
    page number, as a template over the listing's address. None when there is no such
    answer (the list is not grown from an API, or its page number is not a parameter)."""
    if not page.answers:
        return None
    drawn = _drawn_by_title(page)
    host = urlsplit(page.final_url).netloc
    tokens = _tokens(page.final_url)
    for found in find_json_lists(page.answers):
        if not found.records or urlsplit(found.source).netloc != host:
            continue
        titles = [record_from_json(item, "", "").title for item in found.records]
        if sum(t in drawn for t in titles) < _MIN_SHARE * len(titles):
            continue
        paged = _page_key(found.source)
        if paged is None:
            continue
        api = _abstract(found.source, tokens, paged[0])
        # The first page the script asks after the drawn rows: the lowest among the
        # answers of the same API (answers may come back in any order).
        start = min(
            key[1]
            for source, _ in page.answers
            if (key := _page_key(source)) is not None and _abstract(source, tokens, key[0]) == api
        )
        # The parts the API names (the space, the collection) are what differ from one
        # listing to another; the rest of the listing's address stays as it is.
        used = {k: v for k, v in tokens.items() if "{" + k + "}" in api}
        pairs = [
            (ident, drawn[title].url)
            for item, title in zip(found.records, titles, strict=True)
            if (ident := _id_of(item)) and title in drawn
        ]
        link = _link(pairs, used)
        return ListApi(_abstract(page.final_url, used), api, start, link, found.path)
    return None


def _row_key(item: dict[str, Any]) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)


def _binding(api: ListApi, url: str) -> dict[str, str] | None:
    match = _pattern(api.page).fullmatch(url)
    return match.groupdict() if match else None


def fits(api: ListApi, url: str) -> bool:
    """Whether ``api`` was learnt on listings addressed like ``url``."""
    return _binding(api, url) is not None


def _rows_at(
    url: str, text: str, path: tuple[str, ...], null_ends: bool = True
) -> tuple[list[dict[str, Any]], int | None] | None:
    """The rows of the list at ``path`` in an answer (and its total), None when the answer
    has no list there (an empty one counts; ``null`` there too, with ``null_ends``)."""
    lists = find_json_lists([(url, text)])
    found = next((jl for jl in lists if jl.path == path), None)
    if found is not None:
        return found.records, found.total
    node: Any = json.loads(text)
    for step in path:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return None
    return ([], None) if node == [] or (node is None and null_ends) else None


async def grow_list(
    session: VisitSession, page: Page, apis: tuple[ListApi, ...], *, hinted: bool = True
) -> Page | None:
    """The listing ``page`` (read over HTTP) with the rows its 加载更多 would add, asked
    from the API a learnt :class:`ListApi` names, page by page until a page brings no new
    row, fewer rows than the first, or the API's total is reached; None when no learnt API
    fits the page, an answer is not as learnt, or the page bound is reached (the caller
    renders the page instead).

    ``hinted``: the page shows a 加载更多 control, so the API must bring rows. A list grown
    by scrolling shows none, whether or not more rows follow: an empty (well-formed)
    first answer means the drawn rows are all there are."""
    fitting = ((api, values) for api in apis if (values := _binding(api, page.final_url)) is not None)
    chosen = next(fitting, None)
    if chosen is None:
        return None
    api, values = chosen
    seen: set[str] = set()  # rows asked so far (an API may answer past its end with its last page)
    answers: list[tuple[str, str]] = []
    records: list[Record] = []
    full: int | None = None  # rows of a whole page
    for number in range(api.start, api.start + session.options.max_listing_pages):
        url = _fill(api.api, {**values, "page": str(number)})
        if url is None:
            return None
        try:
            answer = await session.fetch(url, fragment=True)
            if answer.status >= 400 or answer.blocked is not None:
                return None
            # An error answer may carry null where the list was ({"code": 401, "data": null}):
            # past the rows read it ends the list, but it cannot say a scrolled list has none.
            found = _rows_at(url, answer.html, api.path, null_ends=hinted or bool(records))
        except (FetchError, ValueError):
            return None
        if found is None:
            return None
        rows, total = found
        fresh = [item for item in rows if _row_key(item) not in seen]
        if not fresh:
            break
        answers.append((url, answer.html))
        for item in fresh:
            seen.add(_row_key(item))
            record = record_from_json(item, page.final_url, page.final_url)
            ident = _id_of(item)
            if "#" in record.url and api.link is not None and ident is not None:
                record = replace(record, url=_fill(api.link, {**values, "id": ident}) or record.url)
            records.append(record)
        full = full if full is not None else len(rows)
        # A total no larger than one page may count that page's rows only: not a bound.
        if len(rows) < full or (total is not None and total > len(rows) and len(seen) >= total):
            break
    else:
        return None  # more pages than a listing is read to: the browser's read decides
    if not records and hinted:
        return None  # the page shows 加载更多 and the API gave nothing: not as learnt
    return replace(page, answers=[*page.answers, *answers], grown=records)
