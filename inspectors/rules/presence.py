"""presence: the profile shows every listed field (头像, 学校, 学科, 联系方式 …).

Why: seed 001 (深度应用指数, 个人信息) "老师上传个人头像；邮箱、手机号或微信号；所在学校或班级；任教学科。
以上四项内容需全部完成。" and seed 004 "个人信息完整", "主页 页头+背景". ``any_of`` groups
accept one of several fields (学校 or 班级).
Fails for example: a profile without an avatar.
"""

from __future__ import annotations

from crawler import SpaceSnapshot

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding

__all__ = ["check_presence"]

_NAMES: dict[str, str] = {
    "name": "姓名",
    "avatar": "头像",
    "school": "学校",
    "subject": "学科",
    "classes": "班级",
    "contact": "联系方式",
    "header_image": "页头图片",
    "background": "背景",
}


def check_presence(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    profile = snapshot.profile
    groups = [g if isinstance(g, list) else [g] for g in item.params["fields"]]
    missing = [
        " 或 ".join(_NAMES.get(str(f), str(f)) for f in group)
        for group in groups
        if not any(getattr(profile, f) for f in group)
    ]
    shown = [_NAMES.get(str(f), str(f)) for group in groups for f in group if getattr(profile, f)]
    measured = "已展示：" + ("、".join(shown) or "无")
    if not missing:
        return [finding(item, ctx, "pass", f"{item.title}：齐全。", measured, [snapshot.crawl.final_url])]
    return [
        finding(
            item, ctx, item.severity, f"{item.title}：缺少 {'、'.join(missing)}。", measured, [snapshot.crawl.final_url]
        )
    ]
