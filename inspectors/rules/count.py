"""count: at least ``min`` items of a collection, optionally filtered (``where``).

Why: most rubric items are counts of what the public space shows, e.g. seed 001 "原创精品
微课程的数量不少于5节", seed 004 "相册 ≥15 张 且 ≥3 个相册", "自定义模块 ≥4". Thresholds are
inclusive (≥) as the seeds word them. ``collection = "photos"`` sums the albums' photos.
Fails for example: a space with 4 original micro-courses against min = 5.
A shortfall stands only when the items not read could not make it up (the space declares
资源(27) and 3 were read: review, with both numbers), nor when counting in the window
and items whose date could not be read could make it up.
"""

from __future__ import annotations

from crawler import SpaceSnapshot

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding, select, undated, undated_review, unread, unread_review

__all__ = ["check_count"]


def check_count(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    collection = item.params["collection"]
    minimum = int(item.params["min"])
    unit = item.params.get("unit", "个")
    if collection == "photos":
        albums = list(snapshot.albums)
        measured_n = sum(a.photos or 0 for a in albums)
        evidence = [a.url for a in albums if a.url]
    else:
        chosen = select(snapshot, collection, item.params.get("where"), ctx, bool(item.params.get("in_period")))
        measured_n = len(chosen)
        evidence = [x.url for x in chosen if getattr(x, "url", None)]
    measured = f"{measured_n} {unit}"
    required = f"≥ {minimum} {unit}"
    if item.params.get("in_period"):
        required += f"（{ctx.window_text} 期间发布）"
    if measured_n >= minimum:
        return [
            finding(
                item,
                ctx,
                "pass",
                f"{item.title}：{measured}，达到要求（{required}）。",
                measured,
                evidence[:20],
                required,
            )
        ]
    missing = unread(snapshot, collection)
    if missing is None or measured_n + missing >= minimum:  # the unread items could make it up
        return [unread_review(item, ctx, snapshot, (collection,), measured, required)]
    if item.params.get("in_period") and collection != "photos":
        no_date = undated(snapshot, collection, item.params.get("where"))
        if no_date and measured_n + missing + len(no_date) >= minimum:  # so could the undated ones
            return [undated_review(item, ctx, no_date, measured, required, unit)]
    return [
        finding(
            item,
            ctx,
            item.severity,
            f"{item.title}：只有 {measured}，要求 {required}。",
            measured,
            evidence[:20],
            required,
        )
    ]
