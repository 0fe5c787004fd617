"""Platform recipes, one per host (see :mod:`crawler.platforms.recipes`): what a sweep has
learnt about which of a host's pages are read without the browser, and what its spaces
cost."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from crawler import Recipe
from errors import StoreError

__all__ = ["RecipeMixin"]


class RecipeMixin:
    db: sqlite_utils.Database
    path: Path
    _lock: threading.RLock

    def recipes(self) -> list[Recipe]:
        """Every host's recipe, by host."""
        with self._lock:
            rows = list(self.db.execute("select data from platform_recipes order by host"))
        return [Recipe.from_json(json.loads(row[0])) for row in rows]

    def save_recipes(self, recipes: list[Recipe]) -> None:
        from ._database import store_message, transaction

        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [
            {"host": r.host, "status": r.status, "data": json.dumps(r.to_json(), ensure_ascii=False), "updated_at": now}
            for r in recipes
        ]
        if not rows:
            return
        try:
            with self._lock, transaction(self.db):
                self.db.table("platform_recipes").upsert_all(rows, pk="host")
        except sqlite3.DatabaseError as exc:
            raise StoreError(store_message(self.path, exc)) from None

    def forget_recipe(self, host: str) -> bool:
        """Drop what was learnt about ``host`` (the next sweep observes it afresh); False
        when nothing was stored for it."""
        from ._database import store_message, transaction

        try:
            with self._lock, transaction(self.db):
                cursor = self.db.execute("delete from platform_recipes where host = ?", [host])
        except sqlite3.DatabaseError as exc:
            raise StoreError(store_message(self.path, exc)) from None
        return bool(cursor.rowcount)
