"""The probe cache: the last probe of each video URL with the size and ETag/Last-Modified
it had, so that a re-sweep does not read unchanged videos again (inspectors.ProbeCache)."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from crawler import VideoProbe
from errors import StoreError

__all__ = ["ProbeCacheMixin"]


class ProbeCacheMixin:
    db: sqlite_utils.Database
    path: Path
    _lock: threading.RLock

    def lookup(self, url: str, size: int | None, etag: str | None, last_modified: str | None) -> VideoProbe | None:
        """The earlier probe of this URL if the file's size and validators are unchanged."""
        with self._lock:
            rows = list(
                self.db.execute("select size, etag, last_modified, probe from probe_cache where url = ?", [url])
            )
        if not rows or tuple(rows[0][:3]) != (size, etag, last_modified):
            return None
        data = json.loads(rows[0][3])
        if "audio" not in data:
            return None  # probed before sound, light and the card's text were measured
        return VideoProbe.from_stored(data)

    def save(self, url: str, size: int | None, etag: str | None, last_modified: str | None, probe: VideoProbe) -> None:
        from ._database import store_message, transaction

        # the card's thumbnail is a blob of the snapshot that first showed it, not cached here
        data = {k: v for k, v in asdict(probe).items() if k not in ("detail", "card_image")}
        row = {
            "url": url,
            "size": size,
            "etag": etag,
            "last_modified": last_modified,
            "probe": json.dumps(data),
            "probed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        try:
            with self._lock, transaction(self.db):
                if probe.depth < 2:  # never in place of a probe of the same file that read more
                    earlier = self.lookup(url, size, etag, last_modified)
                    if earlier is not None and earlier.depth > probe.depth:
                        return
                self.db.table("probe_cache").upsert(row, pk="url")
        except sqlite3.DatabaseError as exc:
            raise StoreError(store_message(self.path, exc)) from None
