"""A verdict stands only when the items the robot could not read could not change it.

Each case starts from a space that meets every item (``tests.snapshots.good``) and says
what the space declares against what was read (``completeness``)."""

from __future__ import annotations

from dataclasses import replace

from crawler import Article, Completeness, SpaceSnapshot
from inspectors import Finding, inspect_snapshot, load_rubric
from tests.snapshots import good

LISTING = "http://s/resources"


def _with(snapshot: SpaceSnapshot, **collections: Completeness) -> SpaceSnapshot:
    return replace(snapshot, completeness={**snapshot.completeness, **collections})


def _item(snapshot: SpaceSnapshot, rubric: str, item: str, rule: str | None = None) -> list[Finding]:
    findings, _ = inspect_snapshot(snapshot, load_rubric(rubric), "小学")
    return [f for f in findings if f.item == item and (rule is None or f.rule == rule)]


def _declared(declared: int | None, read: int, complete: bool = False) -> Completeness:
    shown = f"资源({declared})" if declared is not None else "页面未显示资源总数"
    return Completeness(declared, read, complete, f"页面显示 {shown}，读到 {read} 个", LISTING)


def test_nothing_read_of_a_declared_listing_is_review_with_both_numbers() -> None:
    space = _with(replace(good(), resources=()), resources=_declared(27, 0))
    [courseware] = _item(space, "wuhan-2022", "courseware")
    assert courseware.severity == "review"
    assert "资源(27)" in courseware.message and "读到 0 个" in courseware.message
    assert LISTING in courseware.evidence
    findings, verdict = inspect_snapshot(space, load_rubric("wuhan-2022"))
    assert verdict == "review" and not [f for f in findings if f.severity == "fail" and "资源" in f.message]


def test_enough_already_seen_passes_whatever_was_not_read() -> None:
    space = _with(good(), resources=_declared(60, len(good().resources)))
    [courseware] = _item(space, "wuhan-2022", "courseware")  # 6 courseware seen, ≥ 5 asked
    assert courseware.severity == "pass"


def test_a_shortfall_the_unread_items_cannot_make_up_still_fails() -> None:
    few = (
        tuple(r for r in good().resources if r.category != "courseware")
        + tuple(r for r in good().resources if r.category == "courseware")[:1]
    )
    space = _with(replace(good(), resources=few), resources=_declared(len(few) + 2, len(few)))
    [courseware] = _item(space, "wuhan-2022", "courseware")  # 1 seen + 2 unread < 5
    assert courseware.severity == "fail"


def test_an_unknown_remainder_is_review() -> None:
    space = _with(replace(good(), resources=()), resources=_declared(None, 0, complete=False))
    assert {f.severity for f in _item(space, "wuhan-2022", "courseware")} == {"review"}


def test_a_complete_listing_keeps_the_automatic_verdict() -> None:
    space = _with(replace(good(), resources=()), resources=_declared(0, 0, complete=True))
    assert {f.severity for f in _item(space, "wuhan-2022", "courseware")} == {"fail"}


def test_a_share_is_review_only_when_the_unread_items_could_tip_it() -> None:
    articles = good().articles  # 8 of 12 original = 67%, wuhan asks ≥ 35%
    tipping = _with(good(), articles=Completeness(40, 12, False, "文章(40)，读到 12 个", "http://s/a"))
    assert {f.severity for f in _item(tipping, "wuhan-2022", "articles_original")} == {"review"}
    safe = _with(good(), articles=Completeness(13, 12, False, "文章(13)，读到 12 个", "http://s/a"))
    assert {f.severity for f in _item(safe, "wuhan-2022", "articles_original")} == {"pass"}  # ≥ 8/13
    assert len(articles) == 12


def test_photos_of_albums_without_a_count_are_review() -> None:
    open_photos = Completeness(None, 0, False, "3 个相册未显示张数", "http://s/albums")
    space = _with(replace(good(), albums=tuple(replace(a, photos=None) for a in good().albums)), photos=open_photos)
    assert {f.severity for f in _item(space, "wuhan-2022", "photos")} == {"review"}


def _articles(marks: list[bool | None]) -> SpaceSnapshot:
    base = good().articles[0]
    return replace(
        good(),
        articles=tuple(replace(base, title=f"文章{i}", url=f"http://s/a/{i}", original=m) for i, m in enumerate(marks)),
    )


def test_marks_not_read_where_the_platform_shows_them_are_review_when_they_matter() -> None:
    # 3 of 10 marked 原创 (30 % < 35 %), but 2 rows show no mark while the others do:
    # the two could be 原创 (50 %), so the robot cannot say "fail".
    [share] = _item(_articles([True] * 3 + [False] * 5 + [None] * 2), "wuhan-2022", "articles_original")
    assert share.severity == "review"
    assert "3 / 10" in share.message and "2 个条目未能读到原创/转载标记" in share.message
    assert "http://s/a/8" in share.evidence
    # when the unmarked rows could not lift it over the bar, the verdict stands
    [short] = _item(_articles([True] * 1 + [False] * 8 + [None] * 1), "wuhan-2022", "articles_original")
    assert short.severity == "fail"
    # a platform that shows no mark at all: nothing counts as 原创 (the rubric asks for it shown)
    [none] = _item(_articles([None] * 10), "wuhan-2022", "articles_original")
    assert none.severity == "fail"


def _dated_articles(dated: int, undated: int) -> SpaceSnapshot:
    articles = tuple(
        Article(f"教学反思{i}", f"http://s/a/{i}", True, "2016-01-10" if i < dated else None, None)
        for i in range(dated + undated)
    )
    return replace(good(), articles=articles, completeness={})


def test_items_whose_date_was_not_read_are_review_when_they_could_be_in_the_window() -> None:
    # jinniu-2015 asks for 10 articles published in its window (2015-12-04 … 2016-05-10).
    [count] = _item(_dated_articles(8, 5), "jinniu-2015", "articles")
    assert count.severity == "review"
    assert "8 篇" in count.message and "另有 5 篇未读到发布日期" in count.message
    assert "http://s/a/12" in count.evidence
    [short] = _item(_dated_articles(8, 1), "jinniu-2015", "articles")  # 8 + 1 < 10: a shortfall all the same
    assert short.severity == "fail"
    [enough] = _item(_dated_articles(10, 3), "jinniu-2015", "articles")
    assert enough.severity == "pass"
    # One month of dated updates, and undated items that may have been published in others.
    [spread] = _item(replace(_dated_articles(8, 5), resources=()), "jinniu-2015", "updates_spread")
    assert spread.severity == "review" and "未读到发布日期" in spread.message
    # A share: 1 of 4 dated articles original (25 %, 50 % asked), 4 undated originals could tip it.
    mixed = tuple(
        Article(f"随笔{i}", f"http://s/m/{i}", i in (0, 4, 5, 6, 7), "2016-02-01" if i < 4 else None, None)
        for i in range(8)
    )
    [share] = _item(replace(good(), articles=mixed, completeness={}), "jinniu-2015", "articles_original")
    assert share.severity == "review" and "1 / 4" in share.message
    [low] = _item(replace(good(), articles=mixed[:5], completeness={}), "jinniu-2015", "articles_original")
    assert low.severity == "fail"  # (1 + 1) / (4 + 1) = 40 % at most
    # Undated and unread together: 8 dated, 1 undated, 1 more declared than read could make 10.
    both = _with(_dated_articles(8, 1), articles=Completeness(10, 9, False, "页面显示 文章(10)，读到 9 篇", LISTING))
    [together] = _item(both, "jinniu-2015", "articles")
    assert together.severity == "review"
