"""Apply a rubric to a snapshot: findings and the verdict."""

from __future__ import annotations

from dataclasses import replace

from crawler import SpaceSnapshot

from ._finding import Finding, verdict_of
from ._rubric import Rubric
from .rules import RULES, InspectContext

__all__ = ["inspect_snapshot"]


def inspect_snapshot(snapshot: SpaceSnapshot, rubric: Rubric, group: str | None = None) -> tuple[list[Finding], str]:
    """Every item's findings, in rubric order, and the verdict. An unreadable space gets
    no findings and the verdict ``error``, except that walls fail the visibility item."""
    ctx = InspectContext(rubric=rubric, group=group or snapshot.target.group)
    crawl_ok = snapshot.crawl.status in ("ok", "login_required")
    if not crawl_ok:
        return [], "error"
    findings: list[Finding] = []
    readable = snapshot.crawl.status == "ok" and snapshot.visibility.value == "everyone"
    for item in rubric.items:
        if not readable and "visibility" not in item.rules:
            continue  # nothing else can be judged behind a wall
        for kind in item.rules:
            findings.extend(RULES[kind](replace(item, rule=kind), snapshot, ctx))
    return findings, verdict_of(findings, crawl_ok=True)
