"""The ``spacebot/check-1`` JSON document (the contract in DESIGN.md)."""

from __future__ import annotations

from typing import Any

from crawler import SpaceSnapshot
from inspectors import Finding

__all__ = ["SCHEMA_ID", "check_document"]

SCHEMA_ID = "spacebot/check-1"


def check_document(snapshot: SpaceSnapshot, findings: list[Finding], verdict: str) -> dict[str, Any]:
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
    ):
        document[key] = data[key]
    document["findings"] = [f.to_dict() for f in findings]
    document["verdict"] = verdict
    return document
