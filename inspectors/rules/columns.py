"""columns: the space has the columns the campaign expects (栏目设置).

Why: seed 000 (空间建设): "空间日志、资源和视频栏目设置合理，内容丰富，有相对较固定的栏目".
Each entry of ``need`` is a column: a builtin module kind (``articles``, ``resources`` …)
or words a module name may contain (``视频``, ``微课``); a column is there when a module
matches any of its alternatives.
Fails for example: a space whose home page has no 资源 module.
"""

from __future__ import annotations

from crawler import SpaceSnapshot

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding

__all__ = ["check_columns"]

_KINDS = {"articles": ("文章", "日志", "博客", "博文", "随笔"), "resources": ("资源",), "albums": ("相册", "照片")}


def check_columns(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    names = [m.name for m in snapshot.modules]
    missing = []
    for column in item.params["need"]:
        options = column if isinstance(column, list) else [column]
        words = [w for option in options for w in _KINDS.get(str(option), (str(option),))]
        if not any(any(w in name for w in words) for name in names):
            missing.append("或".join(str(o) for o in options))
    measured = "栏目：" + ("、".join(names) or "无")
    if missing:
        return [
            finding(
                item,
                ctx,
                item.severity,
                f"{item.title}：缺少 {'、'.join(missing)} 栏目。",
                measured,
                [snapshot.crawl.final_url],
            )
        ]
    return [finding(item, ctx, "pass", f"{item.title}：所需栏目齐全。", measured, [snapshot.crawl.final_url])]
