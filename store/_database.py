"""The snapshot database (one SQLite file through sqlite-utils).

Tables (browsable with Datasette or plain SQL):
- ``targets``: one row per space URL, with what the campaign list says about it;
- ``snapshots``: one row per inspection: status, verdict, the full check-1 JSON;
- ``findings``: one row per finding, linked to its snapshot;
- ``probe_cache``: the last probe of each video URL with the size and ETag/Last-Modified
  it had, so a re-sweep does not read unchanged videos again;
- ``migrations``: which schema steps were applied, and when.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler import StoreError, VideoProbe

__all__ = ["SnapshotStore"]


def _m001_initial(db: sqlite_utils.Database) -> None:
    db.table("targets").create(
        {"url": str, "teacher": str, "school": str, "group": str, "subject": str, "first_seen": str},
        pk="url",
        if_not_exists=True,
    )
    db.table("snapshots").create(
        {
            "id": int,
            "url": str,
            "taken_at": str,
            "status": str,
            "platform": str,
            "visibility": str,
            "verdict": str,
            "rubric": str,
            "document": str,
        },
        pk="id",
        foreign_keys=[("url", "targets", "url")],
        if_not_exists=True,
    )
    db.table("snapshots").create_index(["url", "taken_at"], if_not_exists=True)
    db.table("findings").create(
        {
            "id": int,
            "snapshot_id": int,
            "rubric": str,
            "item": str,
            "rule": str,
            "severity": str,
            "message": str,
            "required": str,
            "measured": str,
            "evidence": str,
        },
        pk="id",
        foreign_keys=[("snapshot_id", "snapshots", "id")],
        if_not_exists=True,
    )
    db.table("findings").create_index(["snapshot_id"], if_not_exists=True)


def _m002_probe_cache(db: sqlite_utils.Database) -> None:
    db.table("probe_cache").create(
        {"url": str, "size": int, "etag": str, "last_modified": str, "probe": str, "probed_at": str},
        pk="url",
        if_not_exists=True,
    )


MIGRATIONS: tuple[tuple[str, Callable[[sqlite_utils.Database], None]], ...] = (
    ("001_initial", _m001_initial),
    ("002_probe_cache", _m002_probe_cache),
)


class SnapshotStore:
    """Open (and migrate) the database; every failure is a :class:`StoreError` in Chinese."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        if self.path.is_dir():
            raise StoreError(f"数据库路径 {self.path} 是一个目录：请用 --db 指定一个文件，例如 spacebot.db")
        if not self.path.parent.exists():
            raise StoreError(f"数据库所在目录 {self.path.parent} 不存在：请先创建该目录或换一个 --db 路径")
        try:
            # Video probes run in worker threads and consult the probe cache from there.
            self.db = sqlite_utils.Database(sqlite3.connect(self.path, check_same_thread=False))
            self.db.execute("PRAGMA busy_timeout = 5000")
            self.db.enable_wal()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(_store_message(self.path, exc)) from None

    def _migrate(self) -> None:
        self.db.table("migrations").create({"name": str, "applied_at": str}, pk="name", if_not_exists=True)
        done = {row["name"] for row in self.db.table("migrations").rows}
        for name, step in MIGRATIONS:
            if name not in done:
                with self.db.conn:
                    step(self.db)
                    self.db.table("migrations").insert({"name": name, "applied_at": _now()})

    def save_check(self, document: dict[str, Any]) -> int:
        """Store one check-1 document and its findings atomically; returns the snapshot id."""
        target = document["target"]
        try:
            with self.db.conn:
                self.db.table("targets").insert({**target, "first_seen": _now()}, pk="url", ignore=True)
                self.db.table("targets").update(target["url"], {k: v for k, v in target.items() if v is not None})
                snapshot_id = (
                    self.db.table("snapshots")
                    .insert(
                        {
                            "url": target["url"],
                            "taken_at": document["crawl"]["finished_at"],
                            "status": document["crawl"]["status"],
                            "platform": document["crawl"]["platform"],
                            "visibility": document["visibility"]["value"],
                            "verdict": document["verdict"],
                            "rubric": document.get("rubric"),
                            "document": json.dumps(document, ensure_ascii=False),
                        }
                    )
                    .last_pk
                )
                self.db.table("findings").insert_all(
                    {
                        "snapshot_id": snapshot_id,
                        **{k: v for k, v in f.items() if k != "evidence"},
                        "evidence": json.dumps(f["evidence"], ensure_ascii=False),
                    }
                    for f in document["findings"]
                )
        except sqlite3.DatabaseError as exc:
            raise StoreError(_store_message(self.path, exc)) from None
        return int(snapshot_id)  # type: ignore[arg-type]

    # -- probe cache (inspectors.ProbeCache) -----------------------------------------------
    def lookup(self, url: str, size: int | None, etag: str | None, last_modified: str | None) -> VideoProbe | None:
        """The earlier probe of this URL if the file's size and validators are unchanged."""
        with self._lock:
            rows = list(
                self.db.execute("select size, etag, last_modified, probe from probe_cache where url = ?", [url])
            )
        if not rows:
            return None
        row = dict(zip(("size", "etag", "last_modified", "probe"), rows[0], strict=True))
        if (row["size"], row["etag"], row["last_modified"]) != (size, etag, last_modified):
            return None
        return VideoProbe(**json.loads(row["probe"]))

    def save(self, url: str, size: int | None, etag: str | None, last_modified: str | None, probe: VideoProbe) -> None:
        data = {k: v for k, v in asdict(probe).items() if k != "detail"}
        try:
            with self._lock, self.db.conn:
                self.db.table("probe_cache").upsert(
                    {
                        "url": url,
                        "size": size,
                        "etag": etag,
                        "last_modified": last_modified,
                        "probe": json.dumps(data),
                        "probed_at": _now(),
                    },
                    pk="url",
                )
        except sqlite3.DatabaseError as exc:
            raise StoreError(_store_message(self.path, exc)) from None

    def snapshots(self, url: str) -> list[dict[str, Any]]:
        return list(self.db.table("snapshots").rows_where("url = ?", [url], order_by="taken_at, id"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _store_message(path: Path, exc: Exception) -> str:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        return f"数据库 {path} 是只读的：请检查文件权限，或用 --db 换一个可写的位置"
    if "disk" in text and "full" in text:
        return f"磁盘已满，无法写入数据库 {path}：请清理磁盘空间后重试（已保存的数据不受影响）"
    if "not a database" in text or "malformed" in text:
        return f"{path} 不是 spacebot 的数据库文件（或已损坏）：请用 --db 指定另一个文件"
    if "locked" in text:
        return f"数据库 {path} 正被其他进程占用：请稍后重试"
    return f"无法读写数据库 {path}：{exc}"
