"""visibility: the space must be readable by an anonymous visitor (所有人可见).

Why: seed 001 (泉州 2022, 三、活动要求): "空间的访问权限需设置成'所有人可见'". A space behind a
login wall or set to 仅好友可见 cannot be reviewed by the public or the panel.
Fails for example: a space that redirects to the platform's login page.
"""

from __future__ import annotations

from crawler import SpaceSnapshot

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding

__all__ = ["check_visibility"]

_SHOWN = {
    "everyone": "所有人可见",
    "login_required": "需登录才能访问",
    "friends_only": "仅好友可见",
    "private": "仅自己可见（未公开）",
    "unknown": "无法确定",
}


def check_visibility(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    value = snapshot.visibility.value
    measured = _SHOWN.get(value, value)
    evidence = [snapshot.crawl.final_url]
    if value == "everyone":
        return [finding(item, ctx, "pass", "空间对所有人可见。", measured, evidence)]
    if value == "unknown":
        return [
            finding(item, ctx, "review", f"无法确定空间的访问权限：{snapshot.visibility.evidence}", measured, evidence)
        ]
    return [
        finding(
            item,
            ctx,
            item.severity,
            f"空间未对所有人开放（{measured}）：{snapshot.visibility.evidence}。"
            "请在空间设置中把访问权限改为“所有人可见”。",
            measured,
            evidence,
        )
    ]
