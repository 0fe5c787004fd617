"""Retention: pruning old snapshots and a consistent copy of the database.

A nightly sweep adds one snapshot per space; most are "unchanged" rows without a document,
but a year of them still adds up. ``prune`` keeps, per space, the last N snapshots plus
the newest of every calendar month (the monthly trend a bureau reports on), and always
those of the latest sweep (so its report stays whole); then it vacuums. A kept
"unchanged" snapshot whose original goes takes over that original's document first, so
nothing a kept snapshot shows is lost (its findings move with it). ``backup`` uses SQLite's online backup API: the copy
is consistent even while a sweep writes.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from errors import StoreError

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["PruneResult", "RetentionMixin"]


@dataclass(frozen=True)
class PruneResult:
    kept: int
    removed: int
    bytes_before: int
    bytes_after: int


class RetentionMixin:
    db: sqlite_utils.Database
    path: Path

    def _size(self) -> int:
        return sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())

    def prune(self, keep: int) -> PruneResult:
        """Keep the last ``keep`` snapshots of each space plus the newest of each month
        (and every snapshot of the latest sweep); remove the rest and vacuum."""
        from ._database import transaction

        before = self._size()
        rows = self.db.execute(
            "select id, url, taken_at, unchanged_from from snapshots order by url, taken_at desc, id desc"
        ).fetchall()
        per_space: dict[str, list[tuple[int, str]]] = defaultdict(list)
        original_of: dict[int, int | None] = {}
        for snapshot_id, url, taken_at, unchanged_from in rows:
            per_space[url].append((snapshot_id, taken_at or ""))
            original_of[snapshot_id] = unchanged_from
        kept: set[int] = set()
        for snapshots in per_space.values():  # newest first
            kept.update(snapshot_id for snapshot_id, _ in snapshots[:keep])
            newest_of_month: dict[str, int] = {}
            for snapshot_id, taken_at in snapshots:
                newest_of_month.setdefault(taken_at[:7], snapshot_id)
            kept.update(newest_of_month.values())
        latest = self.db.execute("select max(id) from sweeps").fetchone()[0]
        if latest is not None:
            kept.update(
                r[0]
                for r in self.db.execute(
                    "select snapshot_id from sweep_items where sweep_id = ? and snapshot_id is not null", [latest]
                )
            )
        removed = [snapshot_id for snapshot_id in original_of if snapshot_id not in kept]
        if not removed:
            return PruneResult(len(kept), 0, before, before)
        # Kept "unchanged" rows whose original goes: the oldest of them takes the document.
        heirs: dict[int, list[int]] = defaultdict(list)
        for snapshot_id in sorted(kept):
            original = original_of.get(snapshot_id)
            if original is not None and original not in kept:
                heirs[original].append(snapshot_id)
        try:
            with transaction(self.db):
                for original, dependents in heirs.items():
                    heir, others = dependents[0], dependents[1:]
                    self.db.execute(
                        "update snapshots set document = (select document from snapshots where id = ?), "
                        "content_hash = (select content_hash from snapshots where id = ?), unchanged_from = null "
                        "where id = ?",
                        [original, original, heir],
                    )
                    self.db.execute("update findings set snapshot_id = ? where snapshot_id = ?", [heir, original])
                    for other in others:
                        self.db.execute("update snapshots set unchanged_from = ? where id = ?", [heir, other])
                self.db.execute("create temp table if not exists pruned (id integer primary key)")
                self.db.execute("delete from pruned")
                self.db.conn.executemany("insert into pruned (id) values (?)", [(i,) for i in removed])
                self.db.execute("delete from findings where snapshot_id in (select id from pruned)")
                self.db.execute("delete from snapshot_blobs where snapshot_id in (select id from pruned)")
                self.db.execute(
                    "update sweep_items set snapshot_id = null where snapshot_id in (select id from pruned)"
                )
                self.db.execute("delete from snapshots where id in (select id from pruned)")
                self._drop_orphan_blobs()
                self.db.execute("drop table pruned")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"清理数据库 {self.path} 失败：{exc}；数据库保持清理前的状态") from None
        try:
            self.db.execute("vacuum")
            self.db.execute("pragma wal_checkpoint(truncate)")
        except sqlite3.DatabaseError as exc:  # the snapshots are gone already; only the space is not given back
            raise StoreError(
                f"已删除 {len(removed)} 个旧快照，但压缩数据库 {self.path} 失败：{exc}；"
                "请确认磁盘空间足够（压缩需要与数据库同样大的空间）后再运行一次 spacebot prune"
            ) from None
        return PruneResult(len(kept), len(removed), before, self._size())

    def _drop_orphan_blobs(self) -> None:
        """Blobs no snapshot and no crawl state (the HTML of validated pages) refers to."""
        referenced: set[str] = {r[0] for r in self.db.execute("select distinct sha256 from snapshot_blobs")}
        for (state,) in self.db.execute("select state from crawl_state"):
            referenced.update(_html_digests(state))
        self.db.execute("create temp table if not exists live_blobs (sha256 text primary key)")
        self.db.execute("delete from live_blobs")
        self.db.conn.executemany("insert or ignore into live_blobs values (?)", [(d,) for d in referenced])
        self.db.execute("delete from blobs where sha256 not in (select sha256 from live_blobs)")
        self.db.execute("drop table live_blobs")

    def backup(self, destination: str | Path) -> None:
        """A consistent copy of the database at ``destination`` (never overwritten), made
        with SQLite's online backup API while others may be writing."""
        target = Path(destination)
        if target.exists():
            raise StoreError(f"备份文件 {target} 已存在：请换一个文件名，或先移走旧的备份")
        if not target.parent.exists():
            raise StoreError(f"备份目录 {target.parent} 不存在：请先创建该目录")
        partial = target.with_name(target.name + ".part")
        try:
            copy = sqlite3.connect(partial)
            try:
                self.db.conn.backup(copy)
                checked = copy.execute("pragma quick_check").fetchone()[0]
            finally:
                copy.close()
            if checked != "ok":
                partial.unlink(missing_ok=True)
                raise StoreError(f"备份 {target} 校验未通过：请重试")
            partial.replace(target)
        except sqlite3.DatabaseError as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(f"备份到 {target} 失败：{exc}") from None
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(f"备份到 {target} 失败：{exc.strerror or exc}") from None


def _html_digests(state: str) -> list[str]:
    import json

    try:
        data: Any = json.loads(state)
    except ValueError:
        return []
    cache = data.get("http_cache") if isinstance(data, dict) else None
    if not isinstance(cache, dict):
        return []
    return [str(e["html_sha256"]) for e in cache.values() if isinstance(e, dict) and e.get("html_sha256")]
