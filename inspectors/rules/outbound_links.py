"""outbound_links: links from the space to non-official sites cost points (酌情减分).

Why: seed 001 (原创精品微课): "不提倡在空间上以外链接的方式，链接到非官方网站上的非原创资源的过多设计，
否则予以酌情减分处理". Official: the platform itself, *.gov.cn, *.edu.cn and the national
platforms. A warning, not a failure: the panel decides how much to deduct.
Warns for example: a custom module linking to a commercial resource site.
"""

from __future__ import annotations

from crawler import SpaceSnapshot

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding

__all__ = ["check_outbound_links"]


def check_outbound_links(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    unofficial = [link for link in snapshot.outbound_links if not link.official]
    measured = f"外链 {len(snapshot.outbound_links)} 个，其中非官方 {len(unofficial)} 个"
    if not unofficial:
        return [finding(item, ctx, "pass", "没有链接到非官方网站。", measured)]
    domains = "、".join(sorted({link.domain for link in unofficial}))
    return [
        finding(
            item,
            ctx,
            item.params.get("level", "warn"),
            f"空间链接到 {len(unofficial)} 个非官方网站地址（{domains}），评审时可能酌情减分。",
            measured,
            [link.url for link in unofficial][:20],
        )
    ]
