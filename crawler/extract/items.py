"""Records of a listing page as the contract's items: category, originality, dates."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..model import Album, Article, Resource
from .detail import DetailFacts
from .records import Record, label_category
from .vocab import DECISIVE_FORMATS, FORMAT_CATEGORY, TITLE_KEYWORDS

__all__ = ["dedupe", "incomplete", "merge_records", "resource_category", "to_album", "to_article", "to_resource"]


def resource_category(record: Record, facts: DetailFacts | None = None) -> str:
    """The platform's own label first (the row's, then the item page's), then a file type
    that settles it, then title words, then any known file type."""
    label = label_category(record.labels) or (facts.category if facts else None)
    if label:
        return label
    fmt = record.format or (facts.format if facts else None)
    if fmt in DECISIVE_FORMATS:
        return FORMAT_CATEGORY[fmt]
    for category, words in TITLE_KEYWORDS:
        if any(w in record.title for w in words):
            return category
    if fmt in FORMAT_CATEGORY:
        return FORMAT_CATEGORY[fmt]
    return "other"


def incomplete(record: Record) -> bool:
    """True when the row leaves something for the item's page to say."""
    return (
        record.date is None
        or record.original is None
        or record.format is None
        or record.size_bytes is None
        or label_category(record.labels) is None
    )


def to_resource(r: Record, facts: DetailFacts | None = None) -> Resource:
    """A resource from its listing row, completed by its page where the row is silent."""
    f = facts or DetailFacts()
    return Resource(
        title=r.title,
        url=r.url,
        category=resource_category(r, facts),
        original=r.original if r.original is not None else f.original,
        published=r.date or f.date,
        visibility=r.visibility,
        format=r.format or f.format,
        size_bytes=r.size_bytes if r.size_bytes is not None else f.size_bytes,
    )


def to_article(r: Record, facts: DetailFacts | None = None) -> Article:
    f = facts or DetailFacts()
    category = next((lab for lab in r.labels if not lab.isdigit()), None) or f.label
    return Article(
        title=r.title,
        url=r.url,
        original=r.original if r.original is not None else f.original,
        published=r.date or f.date,
        category=category,
    )


def merge_records(records: list[Record]) -> list[Record]:
    """One record per item (by URL), in first-seen order; what one sighting shows and
    another does not (the category tab it sits under, a date) is kept."""
    merged: dict[str, Record] = {}
    for record in records:
        key = record.url or record.title
        seen = merged.get(key)
        if seen is None:
            merged[key] = record
            continue
        merged[key] = replace(
            seen,
            labels=seen.labels if label_category(seen.labels) else [*seen.labels, *record.labels],
            date=seen.date or record.date,
            original=seen.original if seen.original is not None else record.original,
            format=seen.format or record.format,
            size_bytes=seen.size_bytes if seen.size_bytes is not None else record.size_bytes,
            photos=seen.photos if seen.photos is not None else record.photos,
        )
    return list(merged.values())


def dedupe(items: list[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.url or item.title if hasattr(item, "url") else item.title
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


_NAME_COUNT = re.compile(r"^(?P<name>.+?)\s*[(（]\s*(?P<n>\d+)\s*[)）]$")


def to_album(r: Record) -> Album:
    """An album; "相册名（12）" is the name with its photo count."""
    match = _NAME_COUNT.match(r.title)
    if match and r.photos in (None, int(match.group("n"))):
        return Album(name=match.group("name"), url=r.url, photos=int(match.group("n")))
    return Album(name=r.title, url=r.url, photos=r.photos)
