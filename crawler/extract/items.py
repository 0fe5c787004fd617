"""Records of a listing page as the contract's items: category, originality, dates."""

from __future__ import annotations

from typing import Any

from ..model import Album, Article, Resource
from .records import Record, label_category
from .vocab import DECISIVE_FORMATS, FORMAT_CATEGORY, TITLE_KEYWORDS

__all__ = ["dedupe", "resource_category", "to_album", "to_article", "to_resource"]



def resource_category(record: Record) -> str:
    label = label_category(record.labels)
    if label:
        return label
    if record.format in DECISIVE_FORMATS:
        return FORMAT_CATEGORY[record.format]
    for category, words in TITLE_KEYWORDS:
        if any(w in record.title for w in words):
            return category
    if record.format in FORMAT_CATEGORY:
        return FORMAT_CATEGORY[record.format]
    return "other"


def to_resource(r: Record) -> Resource:
    return Resource(
        title=r.title,
        url=r.url,
        category=resource_category(r),
        original=r.original,
        published=r.date,
        visibility=r.visibility,
        format=r.format,
        size_bytes=r.size_bytes,
    )


def to_article(r: Record) -> Article:
    category = next((lab for lab in r.labels if not lab.isdigit()), None)
    return Article(title=r.title, url=r.url, original=r.original, published=r.date, category=category)


def dedupe(items: list[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.url or item.title if hasattr(item, "url") else item.title
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def to_album(r: Record) -> Album:
    return Album(name=r.title, url=r.url, photos=r.photos)
