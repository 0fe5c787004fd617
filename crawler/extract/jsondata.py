"""Records in the JSON answers a single-page app loads, found by their shape.

A record list is an array of objects most of which carry a title-like string (by the
field names platforms use: ``title``, ``name``, ``resName``, ``resourceName`` …, or a short
Chinese string) and something an item has: a date, an id, a URL, a size. The object that
holds the array often says how many there are in all (``total``, ``totalRow``,
``totalPage`` …): that is the listing's declared count. Fields are read by their names'
meaning, dates as strings or epoch seconds/milliseconds (Beijing time).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from .records import Record, originality
from .vocab import FORMATS, VIDEO_EXTENSIONS, parse_date, parse_size, relative_date

__all__ = ["JsonList", "find_json_lists", "json_links", "json_video_urls", "record_from_json"]

_TITLE_KEYS = (
    "title",
    "name",
    "resname",
    "resourcename",
    "res_name",
    "resource_name",
    "filename",
    "file_name",
    "albumname",
    "album_name",
    "blogtitle",
    "articletitle",
    "subject",
    "topic",
    "caption",
)
_URL_KEYS = ("url", "link", "href", "detailurl", "detail_url", "viewurl", "view_url", "pageurl", "page_url", "weburl")
_ID_KEYS = ("id", "rid", "aid", "resid", "res_id", "resourceid", "resource_id", "articleid", "article_id", "blogid")
_ORIGINAL_KEYS = ("original", "isoriginal", "is_original", "original_type", "originaltype", "source_type", "yc")
_CATEGORY_KEYS = ("typename", "type_name", "category", "categoryname", "category_name", "catname", "res_type_name")
_FORMAT_KEYS = ("ext", "fileext", "file_ext", "format", "ti_format", "suffix", "filetype", "file_type", "extension")
_SIZE_KEYS = ("size", "filesize", "file_size", "ti_size", "bytes", "length")
_PHOTO_KEYS = ("photo_count", "photocount", "picnum", "pic_num", "photonum", "photo_num", "imgcount", "piccount")
_PHOTO_LISTS = ("picture_list", "photos", "pictures", "images", "pics", "photo_list")
_PHOTO_COUNT_KEY = re.compile(r"(pic|photo|img|image).*(count|num|total|cnt)|(count|num|total|cnt).*(pic|photo|img)")
_TOTAL_KEYS = ("total", "totalrow", "totalcount", "total_count", "recordstotal", "totalelements", "totalnum", "count")
_PAGES_KEYS = ("totalpage", "totalpages", "total_page", "pages", "pagecount", "page_count")
_ORIGIN_WORDS = ("原创", "转载", "转帖", "非原创", "原创作品")
_CHINA = timedelta(hours=8)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_VIDEO_URL = re.compile(r"\.(?:" + "|".join(VIDEO_EXTENSIONS) + r")(?:$|\?)", re.IGNORECASE)
_HREF = re.compile(r"""<a\b[^>]*href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


@dataclass
class JsonList:
    """One record list of one JSON answer, with what its envelope declares."""

    source: str  # the URL that answered
    records: list[dict[str, Any]]
    total: int | None = None
    pages: int | None = None
    path: tuple[str, ...] = field(default=())  # where the list sits in the answer


def _lower_keys(item: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in item.items()}


def _title(item: dict[str, Any]) -> str | None:
    low = _lower_keys(item)
    for key in _TITLE_KEYS:
        value = low.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _looks_like_record(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    title = _title(item)
    if title is None or len(title) > 120:
        return False
    low = _lower_keys(item)
    has_fact = any(k in low for k in _ID_KEYS + _URL_KEYS + _SIZE_KEYS + _PHOTO_KEYS) or any(
        "time" in k or "date" in k for k in low
    )
    return has_fact or bool(_CJK.search(title))


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


_Found = tuple[list[Any], tuple[str, ...], list[dict[str, Any]]]


def _walk(node: Any, path: tuple[str, ...], parents: list[dict[str, Any]]) -> Iterator[_Found]:
    if isinstance(node, dict) and any(k.lower() in _TOTAL_KEYS for k in map(str, node)):
        for key, value in node.items():  # an empty list beside its total: "no items", said outright
            if value == []:
                yield value, (*path, str(key)), [*parents, node]
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)), [*parents, node])
    elif isinstance(node, list):
        if node and sum(1 for item in node if _looks_like_record(item)) * 5 >= len(node) * 3:
            yield node, path, parents
        for index, item in enumerate(node):
            if isinstance(item, dict | list):
                yield from _walk(item, (*path, str(index)), parents)


def _declared(parents: list[dict[str, Any]], keys: tuple[str, ...]) -> int | None:
    for envelope in reversed(parents):  # the nearest envelope first
        low = _lower_keys(envelope)
        for key in keys:
            number = _number(low.get(key))
            if number is not None:
                return number
    return None


def find_json_lists(bodies: list[tuple[str, str]]) -> list[JsonList]:
    """Every record list in the given JSON answers ``(url, text)``, biggest first."""
    found: list[JsonList] = []
    for source, text in bodies:
        try:
            data = json.loads(text)
        except (ValueError, TypeError):
            continue
        for items, path, parents in _walk(data, (), []):
            records = [item for item in items if _looks_like_record(item)]
            total = _declared(parents, _TOTAL_KEYS)
            found.append(JsonList(source, records, total, _declared(parents, _PAGES_KEYS), path))
    return sorted(found, key=lambda jl: -len(jl.records))


def _date(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value > 0:
        seconds = value / 1000 if value > 1e11 else value
        return (datetime.fromtimestamp(seconds, UTC) + _CHINA).date().isoformat()
    if isinstance(value, str):
        if value.strip().isdigit() and len(value.strip()) >= 10:
            return _date(int(value.strip()))
        return parse_date(value) or relative_date(value)
    return None


def _original(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {1: True, 0: False, 2: False}.get(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("1", "true", "yes", "y", "original"):
            return True
        if low in ("0", "false", "no", "n", "repost", "reprint"):
            return False
        return originality(value)
    return None


def _category(low: dict[str, Any]) -> str | None:
    tags = low.get("tag_list") or low.get("tags")
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, dict):
                name = _lower_keys(tag).get("tag_name") or _lower_keys(tag).get("name")
                if isinstance(name, str) and name.strip():
                    return name.strip()
            elif isinstance(tag, str) and tag.strip():
                return tag.strip()
    for key in _CATEGORY_KEYS:
        value = low.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _items_part(low: dict[str, Any]) -> dict[str, Any]:
    """网龙-style ``ti_items[0]`` holds the file's format, size and storages."""
    items = low.get("ti_items")
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return {**_lower_keys(items[0]), **low}
    return low


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value, in order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def json_video_urls(value: Any, base: str) -> list[str]:
    """Video file URLs anywhere in a JSON value (storage lists, player configs)."""
    files = (s.strip() for s in _strings(value) if _VIDEO_URL.search(s))
    return list(dict.fromkeys(urljoin(base, s) for s in files if not s.startswith("<")))


def json_links(value: Any, base: str) -> list[str]:
    """Links inside HTML strings of a JSON value (an article's body)."""
    found = (urljoin(base, href) for s in _strings(value) if "<a" in s for href in _HREF.findall(s))
    return list(dict.fromkeys(url for url in found if url.startswith(("http://", "https://"))))


def record_from_json(item: dict[str, Any], base: str, fallback_url: str) -> Record:
    """A listing record from a JSON object, fields read by their names' meaning."""
    low = _items_part(_lower_keys(item))
    title = _title(item) or ""
    url = next((urljoin(base, v) for k in _URL_KEYS if isinstance(v := low.get(k), str) and v.strip()), None)
    if url is not None and _VIDEO_URL.search(url):
        url = None  # a file, not the item's page
    date = next((d for k, v in low.items() if ("time" in k or "date" in k) and (d := _date(v))), None)
    original = next((o for k in _ORIGINAL_KEYS if k in low and (o := _original(low[k])) is not None), None)
    if original is None:  # "source": "原创" — the value says it, whatever the field is called
        original = next(
            (originality(v) for v in low.values() if isinstance(v, str) and v.strip() in _ORIGIN_WORDS), None
        )
    category = _category(low)
    fmt = None
    for key in _FORMAT_KEYS:
        value = low.get(key)
        if isinstance(value, str) and value.strip(". ").lower() in FORMATS:
            fmt = value.strip(". ").lower()
            break
    size = None
    for key in _SIZE_KEYS:
        value = low.get(key)
        size = _number(value) if _number(value) is not None else (parse_size(value) if isinstance(value, str) else None)
        if size is not None:
            break
    photos = next((_number(low.get(k)) for k in _PHOTO_KEYS if _number(low.get(k)) is not None), None)
    if photos is None:  # total_pic, imgCnt, photoTotal …
        photos = next((n for k, v in low.items() if _PHOTO_COUNT_KEY.search(k) and (n := _number(v)) is not None), None)
    if photos is None:
        photos = next((len(v) for k in _PHOTO_LISTS if isinstance(v := low.get(k), list)), None)
    ident = next((str(low[k]) for k in _ID_KEYS if k in low and low[k] is not None), None)
    return Record(
        title=title,
        url=url or (f"{fallback_url}#{ident}" if ident else f"{fallback_url}#{title}"),
        text="",
        block=title,
        date=date,
        original=original,
        labels=[category] if category else [],
        format=fmt,
        size_bytes=size,
        photos=photos,
        visibility="everyone",
    )
