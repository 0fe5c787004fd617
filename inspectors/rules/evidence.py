"""evidence: is there, on the public space, something that may hold the evidence?

Why: many items need a human to judge the evidence, but only evidence *displayed on the
space* counts (seed 001, 呈现方式): "若教师未在个人空间上进行展示，此项在专家评审环节中默认不得分"
(活动广场 entry in a custom module). The rule searches module names and the links inside
custom modules (``in = "custom_modules"``), or also resource/article titles and album
names (``in = "space"``), for any of ``words``. Found: ``review`` with the places, for the
panel to judge. Not found: ``missing`` (``fail`` for required items; ``pass`` for bonus
items, which simply earn nothing).
Fails for example: a space with no custom module linking to the 活动广场.
"""

from __future__ import annotations

from crawler import SpaceSnapshot

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding

__all__ = ["check_evidence"]


def _places(snapshot: SpaceSnapshot, where: str) -> list[tuple[str, str]]:
    """(text, url) pairs to search, most specific first."""
    places: list[tuple[str, str]] = []
    for module in snapshot.modules:
        if where == "custom_modules" and module.kind != "custom":
            continue
        places.append((module.name, module.url or snapshot.crawl.final_url))
    for link in snapshot.outbound_links:
        places.append((f"{link.text} {link.url}", link.url))
    if where == "space":
        places += [(r.title, r.url) for r in snapshot.resources]
        places += [(a.title + " " + (a.category or ""), a.url) for a in snapshot.articles]
        places += [(a.name, a.url or snapshot.crawl.final_url) for a in snapshot.albums]
    return places


def check_evidence(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    words = [str(w) for w in item.params["words"]]
    where = str(item.params.get("in", "space"))
    hits = [(text, url) for text, url in _places(snapshot, where) if any(w in text for w in words)]
    look_at = item.params.get("look_at", "请评审人员查看后判定")
    if hits:
        shown = "、".join(dict.fromkeys(text.split(" http")[0] for text, _ in hits[:6]))
        evidence = list(dict.fromkeys(url for _, url in hits))[:20]
        return [
            finding(
                item,
                ctx,
                "review",
                f"{item.title}：空间上有相关内容（{shown}）。{look_at}。",
                f"找到 {len(hits)} 处相关内容",
                evidence,
            )
        ]
    missing = str(item.params.get("missing", "fail"))
    place = "自定义模块" if where == "custom_modules" else "空间"
    if missing == "pass":
        message = f"{item.title}：{place}上没有展示相关内容（加分项，不影响合格）。"
    else:
        message = f"{item.title}：{place}上没有找到相关内容（{'、'.join(words[:5])}）。未在空间上展示的视为不得分。"
    return [finding(item, ctx, missing, message, "未找到", [snapshot.crawl.final_url])]
