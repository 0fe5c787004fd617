"""Dated snapshots and findings in one SQLite file (sqlite-utils)."""

from __future__ import annotations

from ._database import SnapshotStore

__all__ = ["SnapshotStore"]
