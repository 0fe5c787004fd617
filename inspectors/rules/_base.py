"""What every rule receives and the helper that builds its findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from crawler import SpaceSnapshot

from .._finding import Finding
from .._rubric import Rubric, RubricItem

__all__ = ["InspectContext", "RuleCheck", "finding", "select", "undated", "undated_review", "unread", "unread_review"]


@dataclass(frozen=True)
class InspectContext:
    rubric: Rubric
    group: str | None = None  # 幼儿园 | 小学 | 初中 | 高中
    since: date | None = None  # the window for dated rules (default: the rubric's period)
    until: date | None = None

    def in_window(self, published: str | None) -> bool:
        """True when an ISO date lies in the window; undated items never do."""
        if not published:
            return False
        day = date.fromisoformat(published)
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    @property
    def window_text(self) -> str:
        since = self.since.isoformat() if self.since else "不限"
        until = self.until.isoformat() if self.until else "不限"
        return f"{since} 至 {until}"


RuleCheck = Callable[[RubricItem, SpaceSnapshot, InspectContext], list[Finding]]


def finding(
    item: RubricItem,
    ctx: InspectContext,
    severity: str,
    message: str,
    measured: str,
    evidence: list[str] | tuple[str, ...] = (),
    required: str | None = None,
) -> Finding:
    return Finding(
        rule=item.rule,
        rubric=ctx.rubric.name,
        item=item.id,
        severity=severity,
        message=message,
        required=required if required is not None else item.requirement,
        measured=measured,
        evidence=tuple(evidence),
    )


def select(
    snapshot: SpaceSnapshot,
    collection: str,
    where: dict[str, Any] | None,
    ctx: InspectContext | None = None,
    in_period: bool = False,
) -> list[Any]:
    """Items of a snapshot collection whose fields equal every value in ``where``
    (a list value means any of them); with ``in_period``, only items dated in the window."""
    items: list[Any]
    if collection == "custom_modules":
        items = [m for m in snapshot.modules if m.kind == "custom"]
    else:
        items = list(getattr(snapshot, collection))
    for key, wanted in (where or {}).items():
        options = wanted if isinstance(wanted, list) else [wanted]
        items = [x for x in items if getattr(x, key, None) in options]
    if in_period and ctx is not None:
        items = [x for x in items if ctx.in_window(getattr(x, "published", None))]
    return items


def undated(snapshot: SpaceSnapshot, collection: str, where: dict[str, Any] | None) -> list[Any]:
    """Items of a collection (as ``select`` picks them) whose date was not read: each may
    lie in the window or not."""
    if collection in ("custom_modules", "modules", "albums", "photos", "videos"):
        return []  # not dated on any platform: a window does not apply to them
    return [x for x in select(snapshot, collection, where) if not getattr(x, "published", None)]


def undated_review(
    item: RubricItem, ctx: InspectContext, items: list[Any], measured: str, required: str, unit: str = "个条目"
) -> Finding:
    """``review`` for an item the undated ones could still change: both numbers."""
    message = (
        f"{item.title}：按已读到的发布日期，{measured}，要求 {required}；另有 {len(items)} {unit}未读到发布日期，"
        "可能改变结论，请人工核对。"
    )
    evidence = [x.url for x in items if getattr(x, "url", None)][:20]
    return finding(item, ctx, "review", message, f"{measured}（{len(items)} {unit}未读到日期）", evidence, required)


def unread(snapshot: SpaceSnapshot, *collections: str) -> int | None:
    """How many items of these collections may be missing from what was read: 0 when all
    were read (modules are on the home page, always read), a number when the space
    declares more than was read, None when nobody can tell (a listing not read to its end)."""
    total = 0
    for collection in collections:
        if collection in ("modules", "custom_modules"):
            continue
        completeness = snapshot.completeness.get(collection)
        missing = 0 if completeness is None else completeness.unread
        if missing is None:
            return None
        total += missing
    return total


def unread_review(
    item: RubricItem,
    ctx: InspectContext,
    snapshot: SpaceSnapshot,
    collections: tuple[str, ...],
    measured: str,
    required: str,
) -> Finding:
    """``review`` for an item the unread part of a collection could still change: both
    numbers, what was measured on what was read, and the listing to count by hand."""
    notes, evidence = [], []
    for collection in collections:
        completeness = snapshot.completeness.get(collection)
        if completeness is not None and not completeness.complete:
            notes.append(completeness.evidence)
            if completeness.url:
                evidence.append(completeness.url)
    message = (
        f"{item.title}：{'；'.join(notes)}。按已读到的内容为 {measured}（要求 {required}），"
        "未读到的部分可能改变结论，请人工核对。"
    )
    return finding(
        item, ctx, "review", message, f"{measured}（未读完）", evidence or [snapshot.crawl.final_url], required
    )
