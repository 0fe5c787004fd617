"""The snapshot database (one SQLite file through sqlite-utils).

Tables (browsable with Datasette or plain SQL):
- ``targets``: one row per space URL, with what the campaign list says about it;
- ``snapshots``: one row per inspection: status, verdict, the full check-1 JSON (``document``),
  its ``content_hash``; a snapshot identical to the previous one has no document and
  points at the original in ``unchanged_from``;
- ``sweeps`` and ``sweep_items``: each sweep run and the spaces it has done (with the
  deep-application index estimate and the cohort score);
- ``findings``: one row per finding, linked to its snapshot;
- ``crawl_state``: per space, the first-page fingerprint and items of each listing at the
  last crawl, so a re-sweep reads only the first page of an unchanged listing, and the
  validators (ETag, Last-Modified) of pages that had them, with their HTML in ``blobs``
  (kind ``html``), so those pages are asked for conditionally;
- ``blobs`` and ``snapshot_blobs``: content-addressed, zlib-compressed artifacts (the home
  page's HTML and screenshot) and which snapshot has which (role ``home.html``, ``home.png``);
- ``probe_cache``: the last probe of each video URL with the size and ETag/Last-Modified
  it had, so a re-sweep does not read unchanged videos again;
- ``migrations``: which schema steps were applied, and when.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from errors import StoreError

from ._probe_cache import ProbeCacheMixin
from ._recipes import RecipeMixin
from ._retention import PruneResult, RetentionMixin
from ._sweeps import SweepMixin

__all__ = ["PruneResult", "SnapshotStore"]


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


def _m003_sweeps(db: sqlite_utils.Database) -> None:
    db.table("sweeps").create(
        {"id": int, "key": str, "rubric": str, "source": str, "total": int, "started_at": str, "finished_at": str},
        pk="id",
        if_not_exists=True,
    )
    db.table("sweeps").create_index(["key"], if_not_exists=True)
    db.table("sweep_items").create(
        {
            "id": int,
            "sweep_id": int,
            "url": str,
            "snapshot_id": int,
            "status": str,
            "verdict": str,
            "deep_index": int,
            "cohort_score": float,
        },
        pk="id",
        foreign_keys=[("sweep_id", "sweeps", "id"), ("snapshot_id", "snapshots", "id")],
        if_not_exists=True,
    )
    db.table("sweep_items").create_index(["sweep_id", "url"], unique=True, if_not_exists=True)
    snapshots = db.table("snapshots")
    for column, kind in (("sweep_id", int), ("content_hash", str), ("unchanged_from", int)):
        if column not in snapshots.columns_dict:
            snapshots.add_column(column, kind)


def _m004_crawl_state(db: sqlite_utils.Database) -> None:
    db.table("crawl_state").create({"url": str, "state": str, "updated_at": str}, pk="url", if_not_exists=True)


def _m005_blobs(db: sqlite_utils.Database) -> None:
    db.table("blobs").create({"sha256": str, "kind": str, "size": int, "data": bytes}, pk="sha256", if_not_exists=True)
    db.table("snapshot_blobs").create(
        {"snapshot_id": int, "role": str, "sha256": str},
        pk=("snapshot_id", "role"),
        foreign_keys=[("snapshot_id", "snapshots", "id"), ("sha256", "blobs", "sha256")],
        if_not_exists=True,
    )


def _m006_platform_recipes(db: sqlite_utils.Database) -> None:
    db.table("platform_recipes").create(
        {"host": str, "status": str, "data": str, "updated_at": str}, pk="host", if_not_exists=True
    )


MIGRATIONS: tuple[tuple[str, Callable[[sqlite_utils.Database], None]], ...] = (
    ("001_initial", _m001_initial),
    ("002_probe_cache", _m002_probe_cache),
    ("003_sweeps", _m003_sweeps),
    ("004_crawl_state", _m004_crawl_state),
    ("005_blobs", _m005_blobs),
    ("006_platform_recipes", _m006_platform_recipes),
)


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One explicit transaction (the connection is in autocommit mode, so that schema
    changes are transactional too): everything inside is written, or nothing."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def content_hash(document: dict[str, Any]) -> str:
    """What a snapshot says, without when it was taken or what the visit and its probes cost."""
    stable = json.loads(json.dumps(document))
    for key in ("started_at", "finished_at", "pages", "via", "requests", "bytes", "renders"):
        stable["crawl"].pop(key, None)
    for video in stable.get("videos", []):
        if video.get("probe"):
            video["probe"].pop("bytes_read", None)
    return hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class SnapshotStore(SweepMixin, ProbeCacheMixin, RetentionMixin, RecipeMixin):
    """Open (and migrate) the database; every failure is a :class:`StoreError` in Chinese."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        """Open (creating and migrating it if needed) the database at ``path``.

        ``read_only`` is for reading an existing database, also on read-only media
        (a reviewers' shared folder): nothing is written, not even migrations.
        """
        self.path = Path(path)
        self._lock = threading.RLock()  # reentrant: the web app holds it around whole reads
        if self.path.is_dir():
            raise StoreError(f"数据库路径 {self.path} 是一个目录：请用 --db 指定一个文件，例如 spacebot.db")
        if not self.path.parent.exists():
            raise StoreError(f"数据库所在目录 {self.path.parent} 不存在：请先创建该目录或换一个 --db 路径")
        if read_only and not self.path.exists():
            raise StoreError(f"找不到数据库 {self.path}：请检查 --db 路径，或先运行 spacebot sweep / spacebot check")
        try:
            if read_only:
                self.db = sqlite_utils.Database(self._connect_read_only())
                missing = {name for name, _ in MIGRATIONS} - self._applied()
                if missing:
                    raise StoreError(
                        f"数据库 {self.path} 版本较旧：请先以可写方式运行一次 spacebot（例如 spacebot check）升级"
                    )
                return
            # Video probes run in worker threads and consult the probe cache from there.
            self.db = sqlite_utils.Database(sqlite3.connect(self.path, check_same_thread=False, isolation_level=None))
            self.db.execute("PRAGMA busy_timeout = 5000")
            self.db.enable_wal()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(store_message(self.path, exc)) from None

    def _connect_read_only(self) -> sqlite3.Connection:
        uri = self.path.resolve().as_uri()
        try:
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
            conn.execute("select count(*) from sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            # Read-only media without a WAL index: the file alone is the database, unless a
            # WAL still holds writes (then reading the file alone would be wrong).
            wal = Path(f"{self.path}-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise StoreError(
                    f"数据库 {self.path} 位于只读位置且有尚未合并的写入日志：请把 {self.path.name} 及同名的 -wal、-shm "
                    "文件一起复制到可写的位置后再试"
                ) from None
            return sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)

    def _applied(self) -> set[str]:
        if not self.db.table("migrations").exists():
            return set()
        return {row["name"] for row in self.db.table("migrations").rows}

    def _migrate(self) -> None:
        """Apply the missing migrations, each in one transaction: a failure (a full disk)
        leaves the database as it was before that step."""
        self.db.execute("create table if not exists migrations (name text primary key, applied_at text)")
        done = self._applied()
        for name, step in MIGRATIONS:
            if name in done:
                continue
            with transaction(self.db):
                step(self.db)
                self.db.execute("insert into migrations (name, applied_at) values (?, ?)", [name, _now()])

    def save_check(
        self,
        document: dict[str, Any],
        *,
        sweep_id: int | None = None,
        deep_index: int | None = None,
        state: dict[str, Any] | None = None,
        artifacts: dict[str, bytes] | None = None,
    ) -> int:
        """Store one check-1 document and its findings atomically; returns the snapshot id.

        A document identical to the URL's previous snapshot (but for timings) is recorded
        as unchanged: a row pointing at the earlier one, without a copy. With ``sweep_id``
        the sweep item is written in the same transaction.
        """
        target = document["target"]
        digest = content_hash(document)
        try:
            with self._lock, transaction(self.db):
                if sweep_id is not None:  # a result that arrives twice is stored once
                    stored = list(
                        self.db.execute(
                            "select snapshot_id from sweep_items where sweep_id = ? and url = ?",
                            [sweep_id, target["url"]],
                        )
                    )
                    if stored:
                        return int(stored[0][0])
                previous = list(
                    self.db.execute(
                        "select id, content_hash, unchanged_from from snapshots where url = ? order by id desc limit 1",
                        [target["url"]],
                    )
                )
                unchanged_from = None
                if previous and previous[0][1] == digest:
                    unchanged_from = previous[0][2] or previous[0][0]
                if state is not None:
                    self.db.table("crawl_state").upsert(
                        {
                            "url": target["url"],
                            "state": json.dumps(self._state_with_blobs(state), ensure_ascii=False),
                            "updated_at": _now(),
                        },
                        pk="url",
                    )
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
                            "document": None if unchanged_from else json.dumps(document, ensure_ascii=False),
                            "sweep_id": sweep_id,
                            "content_hash": digest,
                            "unchanged_from": unchanged_from,
                        }
                    )
                    .last_pk
                )
                if sweep_id is not None:
                    self.db.table("sweep_items").insert(
                        {
                            "sweep_id": sweep_id,
                            "url": target["url"],
                            "snapshot_id": snapshot_id,
                            "status": document["crawl"]["status"],
                            "verdict": document["verdict"],
                            "deep_index": deep_index,
                            "cohort_score": None,
                        }
                    )
                for role, data in (artifacts or {}).items():
                    digest_blob = self._put_blob(data, role.rsplit(".", 1)[-1])
                    self.db.table("snapshot_blobs").insert(
                        {"snapshot_id": snapshot_id, "role": role, "sha256": digest_blob}, pk=("snapshot_id", "role")
                    )
                if unchanged_from:
                    return int(snapshot_id)  # type: ignore[arg-type]
                self.db.table("findings").insert_all(
                    {
                        "snapshot_id": snapshot_id,
                        **{k: v for k, v in f.items() if k != "evidence"},
                        "evidence": json.dumps(f["evidence"], ensure_ascii=False),
                    }
                    for f in document["findings"]
                )
        except sqlite3.DatabaseError as exc:
            raise StoreError(store_message(self.path, exc)) from None
        return int(snapshot_id)  # type: ignore[arg-type]

    def _put_blob(self, data: bytes, kind: str) -> str:
        """Store ``data`` compressed under its SHA-256 (once, however often it is stored)."""
        digest = hashlib.sha256(data).hexdigest()
        self.db.table("blobs").insert(
            {"sha256": digest, "kind": kind, "size": len(data), "data": zlib.compress(data, 6)},
            pk="sha256",
            ignore=True,
        )
        return digest

    def _state_with_blobs(self, state: dict[str, Any]) -> dict[str, Any]:
        """The crawl state with the HTML of validated pages moved into ``blobs``."""
        cache = state.get("http_cache")
        if not cache:
            return state
        stored = {}
        for url, entry in cache.items():
            page = {k: v for k, v in entry.items() if k != "html"}
            page["html_sha256"] = self._put_blob(entry["html"].encode("utf-8"), "html")
            stored[url] = page
        return {**state, "http_cache": stored}

    def blob(self, snapshot_id: int, role: str) -> bytes | None:
        """A stored artifact of a snapshot (``home.html``, ``home.png``), decompressed."""
        with self._lock:
            rows = list(
                self.db.execute(
                    "select b.data from snapshot_blobs s join blobs b on b.sha256 = s.sha256 "
                    "where s.snapshot_id = ? and s.role = ?",
                    [snapshot_id, role],
                )
            )
        return zlib.decompress(rows[0][0]) if rows else None

    def latest_blob(self, url: str, role: str, up_to: int) -> bytes | None:
        """The artifact ``role`` of the latest snapshot of ``url`` up to ``up_to`` that has
        one: a video's title-card thumbnail is stored when the video is probed, and later
        snapshots that reuse the probe show that one."""
        with self._lock:
            rows = list(
                self.db.execute(
                    "select b.data from snapshot_blobs s join blobs b on b.sha256 = s.sha256 "
                    "join snapshots n on n.id = s.snapshot_id "
                    "where n.url = ? and s.role = ? and s.snapshot_id <= ? order by s.snapshot_id desc limit 1",
                    [url, role, up_to],
                )
            )
        return zlib.decompress(rows[0][0]) if rows else None

    def crawl_state(self, url: str) -> dict[str, Any] | None:
        """The listing fingerprints and items of the space's last crawl (for re-sweeps)."""
        with self._lock:
            rows = list(self.db.execute("select state from crawl_state where url = ?", [url]))
            if not rows:
                return None
            state = dict(json.loads(rows[0][0]))
            cache = state.get("http_cache") or {}
            pages = {}
            for page_url, entry in cache.items():
                found = list(self.db.execute("select data from blobs where sha256 = ?", [entry.get("html_sha256")]))
                if found:  # a page whose copy is gone is simply asked for in full
                    page = {k: v for k, v in entry.items() if k != "html_sha256"}
                    pages[page_url] = {**page, "html": zlib.decompress(found[0][0]).decode("utf-8")}
            if cache:
                state["http_cache"] = pages
        return state

    def document(self, snapshot_id: int) -> dict[str, Any]:
        """The check-1 document of a snapshot, following "unchanged" rows to their original."""
        row = self.db.table("snapshots").get(snapshot_id)
        original = row["unchanged_from"] or snapshot_id
        if row["document"] is None:
            row = self.db.table("snapshots").get(original)
        return dict(json.loads(row["document"]))

    def snapshots(self, url: str) -> list[dict[str, Any]]:
        return list(self.db.table("snapshots").rows_where("url = ?", [url], order_by="taken_at, id"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def store_message(path: Path, exc: Exception) -> str:
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
