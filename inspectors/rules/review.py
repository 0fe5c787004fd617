"""review: an item a human must decide; the robot shows what it gathered.

Why: some items need platform-internal data or judgement (seed 001 线上交流互动佐证, 活动广场
审核, 特色创新, 证书), so the robot never passes or fails them on its own. The message
says what the reviewer should look at; evidence lists the space's custom modules and
pages that may hold it. Used for items whose data is platform-internal, for example
wuhan-2022 ``apps`` (应用使用, seed 004): no public space can show it, so it is always review.
"""

from __future__ import annotations

from crawler import SpaceSnapshot

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding

__all__ = ["check_review"]


def check_review(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    custom = [m for m in snapshot.modules if m.kind == "custom"]
    names = "、".join(m.name for m in custom) or "无"
    evidence = [m.url for m in custom if m.url] or [snapshot.crawl.final_url]
    message = item.params.get("look_at", "请评审人员查看空间内容后判定。")
    return [
        finding(
            item, ctx, "review", f"{message}（空间的自定义模块：{names}）", f"自定义模块 {len(custom)} 个", evidence
        )
    ]
