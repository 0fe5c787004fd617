"""The deep-application index (深度应用指数) estimated from public, dated evidence.

Seeds 001 (附件2) and 004 (计分项目事件一览表) score platform events with points per
event and weekly caps. From a public space only some can be seen, and only dated items
count: resources (资源建设 1 分/次, 5 次/周), articles (教学成果 5 分/次, 1 次/周), reposted
articles (成果传播 1 分/次, 5 次/周), original courseware (课件制作 10 分/次, 1 次/周), and a
complete profile (信息完善 20 分, 1 次/年). Logins, lessons, homework and class events are
platform-internal: the estimate lists them as not estimated. It is a lower bound of the
platform's own figure and is always reported as an estimate.

In a sweep, the cohort score of seed 001 maps each estimate x to 5 + (x − min)/(max − min) × 35.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from crawler import SpaceSnapshot

__all__ = ["DeepIndexEstimate", "cohort_scores", "estimate_deep_index"]

NOT_ESTIMATED = (
    "空间登录",
    "空间记录（照片无发布日期）",
    "互动授课",
    "导学检测",
    "练习批阅",
    "资源检索",
    "班级组建",
    "班级通知",
    "班级活动",
    "习惯养成",
    "教研活动",
    "校园办公",
)


@dataclass(frozen=True)
class DeepIndexEstimate:
    total: int
    breakdown: dict[str, int]
    since: date | None
    until: date | None
    not_estimated: tuple[str, ...] = NOT_ESTIMATED


def _in(day: str | None, since: date | None, until: date | None) -> date | None:
    if not day:
        return None
    parsed = date.fromisoformat(day)
    if (since and parsed < since) or (until and parsed > until):
        return None
    return parsed


def _weekly(days: list[date], points: int, per_week: int) -> int:
    weeks: dict[tuple[int, int], int] = defaultdict(int)
    for day in days:
        year, week, _ = day.isocalendar()
        weeks[(year, week)] += 1
    return sum(min(count, per_week) * points for count in weeks.values())


def estimate_deep_index(snapshot: SpaceSnapshot, since: date | None, until: date | None) -> DeepIndexEstimate:
    def dated(items: list) -> list[date]:  # type: ignore[type-arg]
        return [d for d in (_in(x.published, since, until) for x in items) if d is not None]

    resources = list(snapshot.resources)
    articles = list(snapshot.articles)
    profile = snapshot.profile
    complete = bool(profile.avatar and profile.contact and (profile.school or profile.classes) and profile.subject)
    breakdown = {
        "信息完善": 20 if complete else 0,
        "资源建设": _weekly(dated([r for r in resources if r.visibility == "everyone"]), 1, 5),
        "教学成果": _weekly(dated([a for a in articles if a.original is not False]), 5, 1),
        "成果传播": _weekly(dated([a for a in articles if a.original is False]), 1, 5),
        "课件制作": _weekly(dated([r for r in resources if r.category == "courseware" and r.original]), 10, 1),
    }
    return DeepIndexEstimate(sum(breakdown.values()), breakdown, since, until)


def cohort_scores(values: list[float]) -> list[float]:
    """Seed 001's 5 + (x − min)/(max − min) × 35 for each member of a cohort. A cohort of
    one, or one where everybody has the same estimate, puts everyone at the top (40)."""
    if not values:
        return []
    low, high = min(values), max(values)
    if high == low:
        return [40.0 for _ in values]
    return [round(5 + (x - low) / (high - low) * 35, 2) for x in values]
