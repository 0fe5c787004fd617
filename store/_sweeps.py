"""Sweeps: one row per run over a target list, one ``sweep_items`` row per space done.

A sweep is identified by its key (the sorted target URLs and the rubric): running the
same command again finds the unfinished sweep with that key and goes on with the spaces
it has not done. A space's snapshot, findings and sweep item are written in one
transaction, so a sweep killed at any moment has every finished space exactly once.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from errors import StoreError

__all__ = ["SweepMixin", "sweep_key"]


def sweep_key(urls: list[str], rubric: str) -> str:
    return hashlib.sha256(("\n".join(sorted(urls)) + "\n#" + rubric).encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SweepMixin:
    db: sqlite_utils.Database
    path: Path

    def open_sweep(self, key: str, rubric: str, source: str, total: int) -> tuple[int, set[str], bool]:
        """(sweep id, URLs already done, resumed?) for the unfinished sweep with this key, or a new one."""
        from ._database import store_message, transaction

        try:
            rows = list(
                self.db.execute(
                    "select id from sweeps where key = ? and finished_at is null order by id desc limit 1", [key]
                )
            )
            if rows:
                sweep_id = int(rows[0][0])
                done = {r[0] for r in self.db.execute("select url from sweep_items where sweep_id = ?", [sweep_id])}
                return sweep_id, done, True
            with transaction(self.db):
                sweep_id = int(
                    self.db.table("sweeps")
                    .insert(  # type: ignore[arg-type]
                        {
                            "key": key,
                            "rubric": rubric,
                            "source": source,
                            "total": total,
                            "started_at": _now(),
                            "finished_at": None,
                        }
                    )
                    .last_pk
                )
            return sweep_id, set(), False
        except sqlite3.DatabaseError as exc:
            raise StoreError(store_message(self.path, exc)) from None

    def finish_sweep(self, sweep_id: int, cohort: dict[str, float]) -> None:
        from ._database import store_message, transaction

        try:
            with transaction(self.db):
                for url, score in cohort.items():
                    self.db.execute(
                        "update sweep_items set cohort_score = ? where sweep_id = ? and url = ?", [score, sweep_id, url]
                    )
                self.db.table("sweeps").update(sweep_id, {"finished_at": _now()})
        except sqlite3.DatabaseError as exc:
            raise StoreError(store_message(self.path, exc)) from None

    def sweep_items(self, sweep_id: int) -> list[dict[str, Any]]:
        return list(self.db.table("sweep_items").rows_where("sweep_id = ?", [sweep_id], order_by="id"))

    def latest_sweep(self) -> dict[str, Any] | None:
        rows = list(self.db.table("sweeps").rows_where(order_by="id desc", limit=1))
        return rows[0] if rows else None
