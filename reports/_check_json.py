"""The ``spacebot/check-1`` JSON document (the contract in DESIGN.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["SCHEMA_ID", "check_document"]

SCHEMA_ID = "spacebot/check-1"


class _Serializable(Protocol):
    """A snapshot or a finding: reports get them passed in and only read their dicts."""

    def to_dict(self) -> dict[str, Any]: ...


def check_document(snapshot: _Serializable, findings: Sequence[_Serializable], verdict: str) -> dict[str, Any]:
    """Snapshot, findings and verdict as one JSON-ready dict, keys in contract order."""
    data = snapshot.to_dict()
    document: dict[str, Any] = {"schema": SCHEMA_ID}
    for key in (
        "target",
        "crawl",
        "visibility",
        "profile",
        "modules",
        "resources",
        "articles",
        "albums",
        "videos",
        "outbound_links",
        "counts",
        "completeness",
    ):
        document[key] = data[key]
    document["findings"] = [f.to_dict() for f in findings]
    document["verdict"] = verdict
    return document
