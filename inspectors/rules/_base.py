"""What every rule receives and the helper that builds its findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crawler import SpaceSnapshot

from .._finding import Finding
from .._rubric import Rubric, RubricItem

__all__ = ["InspectContext", "RuleCheck", "finding", "select"]


@dataclass(frozen=True)
class InspectContext:
    rubric: Rubric
    group: str | None = None  # 幼儿园 | 小学 | 初中 | 高中


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


def select(snapshot: SpaceSnapshot, collection: str, where: dict[str, Any] | None) -> list[Any]:
    """Items of a snapshot collection whose fields equal every value in ``where``
    (a list value means any of them)."""
    items: list[Any]
    if collection == "custom_modules":
        items = [m for m in snapshot.modules if m.kind == "custom"]
    else:
        items = list(getattr(snapshot, collection))
    for key, wanted in (where or {}).items():
        options = wanted if isinstance(wanted, list) else [wanted]
        items = [x for x in items if getattr(x, key, None) in options]
    return items
