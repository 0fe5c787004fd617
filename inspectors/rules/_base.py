"""What every rule receives and the helper that builds its findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from crawler import SpaceSnapshot

from .._finding import Finding
from .._rubric import Rubric, RubricItem

__all__ = ["InspectContext", "RuleCheck", "finding", "select"]


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
