"""Every item of every built-in rubric against fixture snapshots: one space that meets the
item and at least one that does not, with the outcome the seed's wording implies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from crawler import (
    Article,
    Module,
    OutboundLink,
    SpaceSnapshot,
    Visibility,
)
from inspectors import available_rubrics, cohort_scores, estimate_deep_index, inspect_snapshot, load_rubric
from tests.snapshots import CRAWL, PROBE, _res, good


def without_modules(*words: str) -> Callable[[SpaceSnapshot], SpaceSnapshot]:
    def change(s: SpaceSnapshot) -> SpaceSnapshot:
        return replace(
            s,
            modules=tuple(m for m in s.modules if not any(w in m.name for w in words)),
            outbound_links=tuple(x for x in s.outbound_links if not any(w in x.text for w in words)),
        )

    return change


def keep_resources(category: str, n: int) -> Callable[[SpaceSnapshot], SpaceSnapshot]:
    def change(s: SpaceSnapshot) -> SpaceSnapshot:
        others = tuple(r for r in s.resources if r.category != category)
        return replace(s, resources=others + tuple(r for r in s.resources if r.category == category)[:n])

    return change


def same(s: SpaceSnapshot) -> SpaceSnapshot:
    return s


Change = Callable[[SpaceSnapshot], SpaceSnapshot]
# (rubric, item) → [(case, change, expected severities of the item's findings)]
CASES: dict[tuple[str, str], list[tuple[str, Change, set[str]]]] = {
    ("quanzhou-2022", "visibility"): [
        ("open", same, {"pass"}),
        ("friends only", lambda s: replace(s, visibility=Visibility("friends_only", "仅好友可见")), {"fail"}),
    ],
    ("quanzhou-2022", "microcourses"): [
        ("6 originals, good video", same, {"pass"}),
        ("4 originals", keep_resources("microlecture", 4), {"fail", "pass"}),
        (
            "4:3 video",
            lambda s: replace(s, videos=(replace(s.videos[0], probe=replace(PROBE, display_aspect="4:3")),)),
            {"pass", "fail"},
        ),
    ],
    ("quanzhou-2022", "outbound_links"): [
        ("official only", same, {"pass"}),
        (
            "a commercial site",
            lambda s: replace(
                s,
                outbound_links=s.outbound_links
                + (OutboundLink("https://pan.example.com/x", "网盘", "pan.example.com", False, "http://s/1"),),
            ),
            {"warn"},
        ),
    ],
    ("quanzhou-2022", "interaction_evidence"): [
        ("互动交流 module", same, {"review"}),
        ("nothing shown", without_modules("互动", "留言"), {"fail"}),
    ],
    ("quanzhou-2022", "activities"): [
        ("活动广场 custom module", same, {"review"}),
        ("no entry", without_modules("活动"), {"fail"}),
    ],
    ("quanzhou-2022", "innovation"): [
        ("特色应用案例", same, {"review"}),
        ("nothing shown", without_modules("特色"), {"fail"}),
    ],
    ("quanzhou-2022", "certificates"): [
        ("获奖证书 shown", same, {"review"}),
        ("no bonus claimed", without_modules("证书"), {"pass"}),
    ],
    ("quanzhou-2022", "class_space"): [
        ("no class space (bonus)", same, {"pass"}),
        ("我的班级 entry", lambda s: replace(s, modules=s.modules + (Module("我的班级", "builtin"),)), {"review"}),
    ],
    ("wuhan-2022", "articles_original"): [
        ("8/12 original", same, {"pass"}),
        (
            "originality not shown",
            lambda s: replace(s, articles=tuple(replace(a, original=None) for a in s.articles)),
            {"fail"},
        ),
    ],
    ("wuhan-2022", "profile_complete"): [
        ("complete", same, {"pass"}),
        ("no avatar", lambda s: replace(s, profile=replace(s.profile, avatar=None)), {"fail"}),
    ],
    ("wuhan-2022", "courseware"): [("6", same, {"pass"}), ("4", keep_resources("courseware", 4), {"fail"})],
    ("wuhan-2022", "lesson_plans"): [("4", same, {"pass"}), ("3", keep_resources("lesson_plan", 3), {"fail"})],
    ("wuhan-2022", "lesson_videos"): [
        ("2 + micro-courses", same, {"pass"}),
        ("1", lambda s: keep_resources("lesson_video", 1)(keep_resources("microlecture", 0)(s)), {"fail"}),
    ],
    ("wuhan-2022", "other_resources"): [("3", same, {"pass"}), ("2", keep_resources("exercise", 2), {"fail"})],
    ("wuhan-2022", "resources_original"): [
        ("all original", same, {"pass"}),
        (
            "all reposts",
            lambda s: replace(s, resources=tuple(replace(r, original=False) for r in s.resources)),
            {"fail"},
        ),
    ],
    ("wuhan-2022", "photos"): [
        ("15", same, {"pass"}),
        ("14", lambda s: replace(s, albums=s.albums[:2] + (replace(s.albums[2], photos=4),)), {"fail"}),
    ],
    ("wuhan-2022", "albums"): [("3", same, {"pass"}), ("2", lambda s: replace(s, albums=s.albums[:2]), {"fail"})],
    ("wuhan-2022", "header_background"): [
        ("both", same, {"pass"}),
        ("no background", lambda s: replace(s, profile=replace(s.profile, background=None)), {"fail"}),
    ],
    ("wuhan-2022", "custom_modules"): [
        ("5", same, {"pass"}),
        ("3", without_modules("证书", "互动"), {"fail"}),
    ],
    ("wuhan-2022", "apps"): [("platform data: always a human", same, {"review"})],
    ("wuhan-2022", "interaction"): [
        ("留言板", same, {"review"}),
        ("nothing", without_modules("留言", "互动"), {"fail"}),
    ],
    ("jinniu-2015", "microcourses_original"): [
        ("all original", same, {"pass"}),
        (
            "reposts",
            lambda s: replace(
                s, resources=tuple(replace(r, original=r.category != "microlecture") for r in s.resources)
            ),
            {"fail"},
        ),
    ],
    ("jinniu-2015", "courseware_original"): [
        ("all original", same, {"pass"}),
        (
            "2/6 original",
            lambda s: replace(
                s,
                resources=tuple(
                    replace(r, original=r.category != "courseware" or r.title in ("courseware0", "courseware1"))
                    for r in s.resources
                ),
            ),
            {"fail"},
        ),
    ],
    ("jinniu-2015", "articles"): [
        ("12", same, {"pass"}),
        ("9", lambda s: replace(s, articles=s.articles[:9]), {"fail"}),
    ],
    ("jinniu-2015", "articles_original"): [
        ("8/12", same, {"pass"}),
        (
            "5/12",
            lambda s: replace(s, articles=tuple(replace(a, original=i < 5) for i, a in enumerate(s.articles))),
            {"fail"},
        ),
    ],
    ("jinniu-2015", "updates_spread"): [
        ("3 months", same, {"pass"}),
        (
            "one burst",
            lambda s: replace(
                s,
                resources=tuple(replace(r, published="2022-05-10") for r in s.resources),
                articles=tuple(replace(a, published="2022-05-11") for a in s.articles),
            ),
            {"fail"},
        ),
    ],
    ("jinniu-2015", "columns"): [
        ("文章/资源/微课视频", same, {"pass"}),
        ("no 资源 module", without_modules("资源"), {"fail"}),
    ],
    ("jinniu-2015", "content_safety"): [
        ("clean", same, {"pass"}),
        (
            "a word from the list",
            lambda s: replace(
                s, articles=s.articles + (Article("远离网络赌博，从我做起", "http://s/a/x", True, "2022-04-01", None),)
            ),
            {"review"},
        ),
    ],
    ("jinniu-2015", "yearly_minimum"): [
        ("3+ resources, 2+ narratives", same, {"pass"}),
        (
            "one reflection",
            lambda s: replace(s, articles=tuple(a for a in s.articles if "反思" in a.title)[:1]),
            {"fail"},
        ),
    ],
}
# jinniu-2015's own period is 2015–16; these fixtures apply it to a 2021–22 school-year window.
WINDOWS = {"jinniu-2015": (date(2022, 1, 1), date(2022, 8, 31))}
REVIEW_ONLY = {("wuhan-2022", "apps")}


def _severities(rubric: str, item: str, snapshot: SpaceSnapshot) -> set[str]:
    since, until = WINDOWS.get(rubric, (None, None))
    findings, _ = inspect_snapshot(snapshot, load_rubric(rubric), "小学", since=since, until=until)
    return {f.severity for f in findings if f.item == item}


@pytest.mark.parametrize(
    "rubric, item, case, change, expected",
    [
        (rubric, item, case, change, expected)
        for (rubric, item), cases in CASES.items()
        for case, change, expected in cases
    ],
)
def test_item_outcome(rubric: str, item: str, case: str, change: Change, expected: set[str]) -> None:
    assert _severities(rubric, item, change(good())) == expected, case


def test_every_item_has_cases_with_different_outcomes() -> None:
    for rubric in available_rubrics():
        for item in load_rubric(rubric).items:
            cases = CASES.get((rubric, item.id))
            assert cases, f"{rubric}/{item.id} has no fixture case"
            outcomes = {frozenset(expected) for _, _, expected in cases}
            if (rubric, item.id) in REVIEW_ONLY:
                assert item.rules == ("review",) and outcomes == {frozenset({"review"})}
            else:
                assert len(outcomes) >= 2, f"{rubric}/{item.id} needs a passing and a failing case"


def test_jinniu_counts_only_what_was_published_in_its_period() -> None:
    findings, _ = inspect_snapshot(good(), load_rubric("jinniu-2015"))  # 2015-12-04 … 2016-05-10
    [articles] = [f for f in findings if f.item == "articles"]
    assert articles.severity == "fail" and "0 篇" in articles.measured and "2015-12-04" in articles.required


def test_a_walled_space_fails_every_rubric() -> None:
    walled = replace(
        good(), visibility=Visibility("login_required", "需登录"), crawl=replace(CRAWL, status="login_required")
    )
    for rubric in available_rubrics():
        findings, verdict = inspect_snapshot(walled, load_rubric(rubric))
        assert verdict == "fail", rubric
        assert [f.item for f in findings] == ["visibility"]


def test_deep_index_estimate_applies_weekly_caps() -> None:
    week = ("2022-03-07", "2022-03-08", "2022-03-09", "2022-03-10", "2022-03-11", "2022-03-12", "2022-03-13")
    resources = tuple(replace(_res(i, "courseware"), published=week[i % 7]) for i in range(9))  # one ISO week
    articles = (
        tuple(Article(f"原创{i}", f"http://s/o/{i}", True, week[i], None) for i in range(3))  # 5 pts, 1/week
        + tuple(Article(f"转载{i}", f"http://s/r/{i}", False, "2022-03-21", None) for i in range(7))  # 1 pt, 5/week
    )
    snapshot = replace(good(), resources=resources, articles=articles)
    estimate = estimate_deep_index(snapshot, date(2022, 1, 1), date(2022, 12, 31))
    assert estimate.breakdown == {"信息完善": 20, "资源建设": 5, "教学成果": 5, "成果传播": 5, "课件制作": 10}
    assert estimate.total == 45
    outside = estimate_deep_index(snapshot, date(2023, 1, 1), date(2023, 12, 31))
    assert outside.total == 20  # only the profile counts outside the window


def test_deep_index_is_reported_as_an_estimate() -> None:
    findings, _ = inspect_snapshot(good(), load_rubric("wuhan-2022"))
    [index] = [f for f in findings if f.item == "deep_index"]
    assert "估算" in index.message and "估算" in index.measured and "以平台" in index.message


@pytest.mark.parametrize(
    "values, expected",
    [
        ([10, 20, 30], [5.0, 22.5, 40.0]),
        ([7], [40.0]),
        ([3, 3, 3], [40.0, 40.0, 40.0]),
        ([], []),
    ],
)
def test_cohort_scores(values: list[float], expected: list[float]) -> None:
    assert cohort_scores(values) == expected


@pytest.mark.parametrize(
    ("rubric", "content", "card"),
    [("quanzhou-2022", True, True), ("wuhan-2022", False, False), ("jinniu-2015", False, False)],
)
def test_each_rubric_has_the_videos_read_as_far_as_it_judges_them(rubric: str, content: bool, card: bool) -> None:
    """Whether the probes read the lessons' content (OCR, sound, light) and decode the
    opening for the card's length follows from the rubric's items, not from its name."""
    loaded = load_rubric(rubric)
    assert (loaded.reads_video_content, loaded.reads_title_card) == (content, card)
