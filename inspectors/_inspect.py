"""Apply a rubric to a snapshot: findings, the deep-application index estimate, the verdict."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from crawler import SpaceSnapshot

from ._deep_index import estimate_deep_index
from ._finding import Finding, verdict_of
from ._rubric import Rubric, RubricItem
from .rules import RULES, InspectContext
from .rules.visibility import check_visibility

__all__ = ["inspect_snapshot"]


def _deep_index_finding(snapshot: SpaceSnapshot, ctx: InspectContext) -> Finding:
    estimate = estimate_deep_index(snapshot, ctx.since, ctx.until)
    parts = "、".join(f"{name} {points} 分" for name, points in estimate.breakdown.items())
    return Finding(
        rule="deep_index",
        rubric=ctx.rubric.name,
        item="deep_index",
        severity="review",
        message=(
            f"深度应用指数估算（{ctx.window_text}，仅根据空间上公开、带日期的内容）：{estimate.total} 分，"
            f"其中 {parts}；无法从公开页面估算的计分项：{'、'.join(estimate.not_estimated)}。"
            "请以平台统计为准。"
        ),
        required="以平台“积分明细”为准",
        measured=f"{estimate.total} 分（估算）",
        evidence=(snapshot.crawl.final_url,),
    )


def inspect_snapshot(
    snapshot: SpaceSnapshot,
    rubric: Rubric,
    group: str | None = None,
    *,
    since: date | None = None,
    until: date | None = None,
) -> tuple[list[Finding], str]:
    """Every item's findings in rubric order, then the index estimate, and the verdict.

    The window for dated rules is ``since``/``until``, else the rubric's period. An
    unreadable space gets no findings and the verdict ``error``; behind a wall only the
    visibility item is judged.
    """
    period = rubric.period or (None, None)
    ctx = InspectContext(
        rubric=rubric, group=group or snapshot.target.group, since=since or period[0], until=until or period[1]
    )
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
    if not readable and not any("visibility" in item.rules for item in rubric.items):
        # A rubric without a visibility item still cannot pass a space nobody can read.
        implied = RubricItem("visibility", "空间访问权限", "空间须对所有人可见，才能按本标准评价", "", "visibility")
        findings.extend(check_visibility(implied, snapshot, ctx))
    if readable:
        findings.append(_deep_index_finding(snapshot, ctx))
    return findings, verdict_of(findings, crawl_ok=True)
