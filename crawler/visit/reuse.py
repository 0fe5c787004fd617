"""What a re-sweep reuses from the last crawl of a space: pages kept with their validators
(asked for conditionally), listings whose first page is unchanged, and their videos."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from typing import Any

from bs4 import BeautifulSoup

from ..extract.pages import total_pages
from ..extract.records import Record
from ..model import DeclaredVideo, Video, VideoProbe
from ..transport.http import CachedPage
from .session import VisitSession

__all__ = ["home_fingerprint", "http_cache_from_state", "http_cache_state", "listing_fingerprint", "video_from_state"]


_HTTP_CACHE_LIMIT = 500  # pages per space


def http_cache_from_state(state: dict[str, Any] | None) -> dict[str, CachedPage]:
    entries = (state or {}).get("http_cache") or {}
    return {url: CachedPage(**entry) for url, entry in entries.items() if isinstance(entry, dict) and "html" in entry}


def http_cache_state(session: VisitSession) -> dict[str, Any]:
    """This crawl's validated pages, plus the earlier ones it had no need to ask for again
    (the later pages of an unchanged listing)."""
    kept = {url: page for url, page in session.http_cache.items() if url not in session.validated}
    merged = {**kept, **session.validated}
    return {url: asdict(page) for url, page in list(merged.items())[-_HTTP_CACHE_LIMIT:]}


def listing_fingerprint(first: BeautifulSoup, records: list[Record], declared: int | None) -> str:
    """What the first page says about the whole listing: its page count, the count the
    home page declares, and its newest items."""
    head = [(r.url, r.title, r.date, r.original, r.size_bytes, r.photos) for r in records]
    return hashlib.sha256(json.dumps([total_pages(first), declared, head], ensure_ascii=False).encode()).hexdigest()


def home_fingerprint(declared: int | None, shown: list[Record]) -> str | None:
    """What the home page says about a collection, when it says enough to vouch for it: the
    count its module box declares and the newest items it shows with their dates. None when
    the box declares no count or shows no dated item."""
    if declared is None or not any(r.date for r in shown):
        return None
    dated = [(r.url, r.title, r.date, r.original, r.size_bytes, r.photos) for r in shown]
    return hashlib.sha256(json.dumps(["home", declared, dated], ensure_ascii=False).encode()).hexdigest()


def video_from_state(data: dict[str, Any]) -> Video:
    """A video of an unchanged listing; a successful probe is kept (nothing is read again,
    so ``bytes_read`` is 0), a failed one is done again, and so is one made before sound,
    light and the card's text were measured."""
    declared = data.get("declared")
    probe: dict[str, Any] = data.get("probe") or {}
    kept = probe.get("status") == "ok" and "audio" in probe and not probe.get("detail")
    return Video(
        url=data["url"],
        page_url=data["page_url"],
        title=data["title"],
        probe=replace(VideoProbe.from_stored(probe), bytes_read=0) if kept else None,
        declared=DeclaredVideo(**declared) if declared else None,
    )
