"""ratio: the share of a collection's items that match ``where`` is at least ``min``.

Why: originality shares, e.g. seed 004 "原创文章 ≥35%", seed 000 "原创 ≥50%". Items whose
originality the page does not show (``original = null``) count as not original, since
the rubric asks for originality to be displayed.
Fails for example: 10 articles of which 3 are marked 原创 against min = 0.35.
With items not read, the share is known only between "none of them match" and "all of
them match"; the verdict stands when both ends fall on the same side, else review. The
same holds for items whose mark was not read while others of the collection show theirs:
the platform shows it, so it was missed (an item page not read), not absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crawler import SpaceSnapshot

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding, select, undated, undated_review, unread, unread_review

__all__ = ["check_ratio"]


def check_ratio(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    collection = item.params["collection"]
    minimum = float(item.params["min"])
    in_period = bool(item.params.get("in_period"))
    base = select(snapshot, collection, item.params.get("of"), ctx, in_period)
    hits = select(snapshot, collection, {**item.params.get("of", {}), **item.params["where"]}, ctx, in_period)
    required = f"≥ {minimum:.0%}"
    if item.params.get("in_period"):
        required += f"（{ctx.window_text} 期间发布的）"
    missing = unread(snapshot, collection)
    if not base:
        if missing != 0:
            return [unread_review(item, ctx, snapshot, (collection,), "0 / 0", required)]
        no_date = undated(snapshot, collection, item.params.get("of")) if in_period else []
        tipping = undated(snapshot, collection, {**item.params.get("of", {}), **item.params["where"]})
        if no_date and (tipping or minimum <= 0):  # the share can be above 0 only through them
            return [undated_review(item, ctx, no_date, "0 / 0", required)]
        return [finding(item, ctx, item.severity, f"{item.title}：空间上没有可计算的条目。", "0 / 0", [], required)]
    share = len(hits) / len(base)
    measured = f"{len(hits)} / {len(base)} = {share:.0%}"
    severity = "pass" if share + 1e-9 >= minimum else item.severity
    if missing is None:
        return [unread_review(item, ctx, snapshot, (collection,), measured, required)]
    if missing:
        low = len(hits) / (len(base) + missing)  # none of the unread items match
        high = (len(hits) + missing) / (len(base) + missing)  # all of them do
        if (low + 1e-9 >= minimum) != (high + 1e-9 >= minimum):
            return [unread_review(item, ctx, snapshot, (collection,), measured, required)]
    if in_period:
        # Undated items may lie in the window: the share with none of them, with those that
        # match, and with those that do not, bound what it can be.
        no_date = undated(snapshot, collection, item.params.get("of"))
        matching = len(undated(snapshot, collection, {**item.params.get("of", {}), **item.params["where"]}))
        low = len(hits) / (len(base) + len(no_date) - matching)
        high = (len(hits) + matching) / (len(base) + matching)
        if no_date and len({share + 1e-9 >= minimum, low + 1e-9 >= minimum, high + 1e-9 >= minimum}) > 1:
            return [undated_review(item, ctx, no_date, measured, required)]
    unmarked = _unread_marks(base, item.params["where"])
    if unmarked and (share + 1e-9 >= minimum) != ((len(hits) + unmarked) / len(base) + 1e-9 >= minimum):
        return [
            finding(
                item,
                ctx,
                "review",
                f"{item.title}：按已读到的标记为 {measured}（要求 {required}），另有 {unmarked} 个条目"
                "未能读到原创/转载标记（该平台的其他条目显示了标记），可能改变结论，请人工核对。",
                f"{measured}（{unmarked} 个未读到标记）",
                [x.url for x in base if getattr(x, "original", None) is None][:20],
                required,
            )
        ]
    verb = "达到" if severity == "pass" else "未达到"
    return [
        finding(
            item,
            ctx,
            severity,
            f"{item.title}：{measured}，{verb}要求（{required}）。",
            measured,
            [x.url for x in hits][:20],
            required,
        )
    ]


def _unread_marks(base: Sequence[Any], where: Mapping[str, Any]) -> int:
    """Items whose 原创/转载 mark was not read, where others of the collection show one."""
    if "original" not in where:
        return 0
    marks = [getattr(x, "original", None) for x in base]
    return marks.count(None) if any(m is not None for m in marks) else 0
