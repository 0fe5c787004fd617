"""date_spread: updates spread over the period, not dumped in one go (更新及时).

Why: seed 000 (空间建设): "空间内容更新及时、分布于平时的教育教学时间". The rule counts the
distinct months in the window in which resources or articles were published and
requires at least ``min_months``.
Fails for example: 40 articles, all published in the week before the review.
"""

from __future__ import annotations

from crawler import Article, Resource, SpaceSnapshot

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding, undated, undated_review, unread, unread_review

__all__ = ["check_date_spread"]


def check_date_spread(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    minimum = int(item.params["min_months"])
    items: list[Resource | Article] = [*snapshot.resources, *snapshot.articles]
    dated = [x for x in items if ctx.in_window(x.published)]
    months = sorted({x.published[:7] for x in dated if x.published})
    measured = f"{len(months)} 个月有更新（{'、'.join(months[:12]) or '无'}{'…' if len(months) > 12 else ''}）"
    required = f"{ctx.window_text} 期间至少 {minimum} 个月有更新"
    severity = "pass" if len(months) >= minimum else item.severity
    missing = unread(snapshot, "resources", "articles")
    if severity != "pass" and (missing is None or len(months) + missing >= minimum):
        return [unread_review(item, ctx, snapshot, ("resources", "articles"), measured, required)]
    no_date = [*undated(snapshot, "resources", None), *undated(snapshot, "articles", None)]
    could_be = len(months) + (missing or 0) + len(no_date)  # each undated item may add a month
    if severity != "pass" and no_date and could_be >= minimum:
        return [undated_review(item, ctx, no_date, measured, required, "项")]
    verb = "分布较均匀" if severity == "pass" else "更新过于集中或过少"
    return [
        finding(
            item, ctx, severity, f"{item.title}：{measured}，{verb}。", measured, [x.url for x in dated][:20], required
        )
    ]
