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

__all__ = ["ListApi", "grow_list", "learn_list_api"]

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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ListApi | None:
        try:
            return cls(str(data["page"]), str(data["api"]), int(data["start"]), data.get("link") or None)
        except (KeyError, TypeError, ValueError):
            return None


def _tokens(url: str) -> dict[str, str]:
    """The parts of a listing's address another address may reuse, by placeholder name."""
    parts = urlsplit(url)
    out = {}
    for index, segment in enumerate(parts.path.split("/")):
        if len(segment) >= 2 and not (segment.isdigit() and len(segment) < 3):
            out[f"s{index}"] = segment
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if len(value) >= 2 and re.fullmatch(r"\w+", key):
            out.setdefault(f"q_{key}", value)
    return out


def _abstract(url: str, tokens: dict[str, str], page_key: str | None = None) -> str:
    """``url`` with the listing's parts as placeholders (whole path segments and query
    values, or inside them for long ones) and the page number as ``{page}``."""
    parts = urlsplit(url)
    ordered = sorted(tokens.items(), key=lambda kv: -len(kv[1]))

    def part(text: str) -> str:
        for name, value in ordered:
            if text == value:
                return "{" + name + "}"
        for name, value in ordered:
            if len(value) >= _MIN_SUBSTRING and value in text:
                text = text.replace(value, "{" + name + "}")
        return text

    path = "/".join(part(s) if s else s for s in parts.path.split("/"))
    query = []
    for pair in parts.query.split("&") if parts.query else []:
        key, eq, value = pair.partition("=")
        if page_key is not None and key == page_key:
            query.append(f"{key}={{page}}")
        else:
            query.append(f"{key}{eq}{part(value)}" if eq else pair)
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


def learn_list_api(page: Page) -> ListApi | None:
    """What a listing rendered in the browser (buttons clicked to the end) says about how
    its rows grow: the API answer most of whose rows are drawn on the page, asked with a
    page number, as a template over the listing's address. None when there is no such
    answer (the list is not grown from an API, or its page number is not a parameter)."""
    if not page.answers:
        return None
    drawn = _drawn_by_title(page)
    host = urlsplit(page.final_url).netloc
    for found in find_json_lists(page.answers):
        if not found.records or urlsplit(found.source).netloc != host:
            continue
        titles = [record_from_json(item, "", "").title for item in found.records]
        if sum(t in drawn for t in titles) < _MIN_SHARE * len(titles):
            continue
        query = parse_qsl(urlsplit(found.source).query, keep_blank_values=True)
        page_key = next((k for k, v in query if k.lower() in _PAGE_PARAMS and v.isdigit()), None)
        if page_key is None:
            continue
        start = int(dict(query)[page_key])
        tokens = _tokens(page.final_url)
        api = _abstract(found.source, tokens, page_key)
        # The parts the API names (the space, the collection) are what differ from one
        # listing to another; the rest of the listing's address stays as it is.
        tokens = {k: v for k, v in tokens.items() if "{" + k + "}" in api}
        link = None
        for item, title in zip(found.records, titles, strict=True):
            ident, shown = _id_of(item), drawn.get(title)
            if ident and shown is not None and len(ident) >= 1:
                here = re.compile(rf"(?<=[=/]){re.escape(ident)}(?=$|[&/?#.])")
                if here.search(shown.url):
                    link = _abstract(here.sub("{id}", shown.url, count=1), tokens)
                    break
        return ListApi(_abstract(page.final_url, tokens), api, start, link)
    return None


def _key(item: dict[str, Any]) -> str:
    return _id_of(item) or record_from_json(item, "", "").title


def _binding(api: ListApi, url: str) -> dict[str, str] | None:
    match = _pattern(api.page).fullmatch(url)
    return match.groupdict() if match else None


async def grow_list(session: VisitSession, page: Page, apis: tuple[ListApi, ...]) -> Page | None:
    """The listing ``page`` (read over HTTP) with the rows its 加载更多 would add, asked
    from the API a learnt :class:`ListApi` names; None when no learnt API fits the page or
    the API does not answer as learnt (the caller renders the page instead)."""
    fitting = ((api, values) for api in apis if (values := _binding(api, page.final_url)) is not None)
    chosen = next(fitting, None)
    if chosen is None:
        return None
    api, values = chosen
    drawn = find_records(page.soup, page.final_url)
    seen: set[str] = set()  # the rows asked so far (an API may answer past its end with its last page)
    answers: list[tuple[str, str]] = []
    records: list[Record] = []
    total: int | None = None
    for number in range(api.start, api.start + session.options.max_listing_pages):
        url = _fill(api.api, {**values, "page": str(number)})
        if url is None:
            return None
        try:
            answer = await session.fetch(url, fragment=True)
            if answer.status >= 400 or answer.blocked is not None:
                return None
            json.loads(answer.html)
        except (FetchError, ValueError):
            return None
        lists = find_json_lists([(url, answer.html)])
        rows = lists[0].records if lists else []
        fresh = [item for item in rows if _key(item) not in seen]
        if not fresh:
            break
        answers.append((url, answer.html))
        total = total if total is not None else lists[0].total
        for item in fresh:
            record = record_from_json(item, page.final_url, page.final_url)
            ident = _id_of(item)
            if "#" in record.url and api.link is not None and ident is not None:
                record = replace(record, url=_fill(api.link, {**values, "id": ident}) or record.url)
            seen.add(_key(item))
            records.append(record)
        if total is not None and len(drawn) + len(records) >= total:
            break
    if not records:
        return None  # the page shows 加载更多 and the API gave nothing: not as learnt
    return replace(page, answers=[*page.answers, *answers], grown=records)
