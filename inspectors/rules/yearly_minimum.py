"""yearly_minimum: every school year, at least N resources and M narratives/reflections.

Why: seed 000 (活动要求): "每学年至少上传3条资源，两篇教育叙事或反思". School years run from
1 September to 31 August; every school year that overlaps the window is checked, and a
narrative or reflection is an article whose title or category says 叙事 or 反思.
Fails for example: a school year with 5 resources but only one 教学反思.
"""

from __future__ import annotations

from datetime import date

from crawler import Article, Resource, SpaceSnapshot

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding, unread, unread_review

__all__ = ["check_yearly_minimum"]


def _school_year(day: str) -> int:
    parsed = date.fromisoformat(day)
    return parsed.year if parsed.month >= 9 else parsed.year - 1


def check_yearly_minimum(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    min_resources = int(item.params["resources"])
    min_narratives = int(item.params["narratives"])
    words = [str(w) for w in item.params.get("narrative_words", ["叙事", "反思"])]
    resources = [r for r in snapshot.resources if ctx.in_window(r.published)]
    narratives = [
        a
        for a in snapshot.articles
        if ctx.in_window(a.published) and any(w in a.title + (a.category or "") for w in words)
    ]
    if ctx.since and ctx.until:
        years = list(range(_school_year(ctx.since.isoformat()), _school_year(ctx.until.isoformat()) + 1))
    else:
        dated: list[Resource | Article] = [*resources, *narratives]
        years = sorted({_school_year(x.published) for x in dated if x.published})
    if not years:
        return [finding(item, ctx, item.severity, f"{item.title}：没有带日期的资源或文章。", "无", [])]
    shortfalls, parts = [], []
    short_resources = short_narratives = 0  # items still needed, summed over the years
    for year in years:
        r = sum(1 for x in resources if x.published and _school_year(x.published) == year)
        n = sum(1 for x in narratives if x.published and _school_year(x.published) == year)
        parts.append(f"{year}–{year + 1} 学年：资源 {r} 条、叙事/反思 {n} 篇")
        short_resources += max(0, min_resources - r)
        short_narratives += max(0, min_narratives - n)
        if r < min_resources or n < min_narratives:
            shortfalls.append(f"{year}–{year + 1} 学年")
    measured = "；".join(parts)
    required = f"每学年资源 ≥ {min_resources} 条、教育叙事或反思 ≥ {min_narratives} 篇"
    unread_resources, unread_articles = unread(snapshot, "resources"), unread(snapshot, "articles")
    could_fill = (unread_resources is None or unread_resources >= short_resources) and (
        unread_articles is None or unread_articles >= short_narratives
    )
    if shortfalls and could_fill:  # the unread items could make up every year's shortfall
        return [unread_review(item, ctx, snapshot, ("resources", "articles"), measured, required)]
    if shortfalls:
        return [
            finding(
                item,
                ctx,
                item.severity,
                f"{item.title}：{'、'.join(shortfalls)}未达到要求（{measured}）。",
                measured,
                [x.url for x in narratives][:20],
                required,
            )
        ]
    return [
        finding(
            item,
            ctx,
            "pass",
            f"{item.title}：每学年都达到要求（{measured}）。",
            measured,
            [x.url for x in narratives][:20],
            required,
        )
    ]
