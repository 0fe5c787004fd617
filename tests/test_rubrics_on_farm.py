"""``spacebot check --rubric X --json`` on farm spaces: exactly the outcomes their specs
imply (see tests/farm/spaces.py for the numbers behind each expectation)."""

from __future__ import annotations

import pytest

from tests.farm import Farm

P, F, R, W = "pass", "fail", "review", "warn"

CASES = [
    # 林晓梅: 4 课件, 3 教学设计, 2 任务单 only, 3 custom modules; the rest is complete.
    (
        "tianyu:10001",
        ["--rubric", "wuhan-2022"],
        {
            "articles_original": {P},
            "profile_complete": {P},
            "courseware": {F},
            "lesson_plans": {F},
            "lesson_videos": {P},
            "other_resources": {F},
            "resources_original": {P},
            "photos": {P},
            "albums": {P},
            "header_background": {P},
            "custom_modules": {F},
            "apps": {R},
            "interaction": {R},
            "deep_index": {R},
        },
        "fail",
    ),
    # 张磊: no contact, no banner, 2 albums, 2 custom modules; resources plentiful.
    (
        "dragdrop:zhanglei",
        ["--rubric", "wuhan-2022"],
        {
            "articles_original": {P},
            "profile_complete": {F},
            "courseware": {P},
            "lesson_plans": {P},
            "lesson_videos": {P},
            "other_resources": {P},
            "resources_original": {P},
            "photos": {P},
            "albums": {F},
            "header_background": {F},
            "custom_modules": {F},
            "apps": {R},
            "interaction": {R},
            "deep_index": {R},
        },
        "fail",
    ),
    # 孙丽 in the 2021–22 school year: mostly reposts, no 微课, no video column.
    (
        "dragdrop:sunli",
        ["--rubric", "jinniu-2015", "--since", "2022-01-01", "--until", "2022-08-31"],
        {
            "microcourses_original": {F},
            "courseware_original": {F},
            "articles": {P},
            "articles_original": {F},
            "updates_spread": {P},
            "columns": {F},
            "content_safety": {P},
            "yearly_minimum": {P},
            "deep_index": {R},
        },
        "fail",
    ),
    # 林晓梅 against the default rubric as a 小学 teacher: 6 original micro-courses, but the
    # farm's clips are seconds long (10–15 min required), two are 4:3 / 30 fps, one is not
    # faststart, one page claims the wrong resolution, and a link goes to a commercial site.
    (
        "tianyu:10001",
        ["--group", "小学"],
        {
            "visibility": {P},
            "microcourses": {P, F, W},
            "outbound_links": {W},
            "interaction_evidence": {F},
            "activities": {R},
            "innovation": {F},
            "certificates": {R},
            "class_space": {P},
            "deep_index": {R},
        },
        "fail",
    ),
    # 赵敏 set 仅好友可见: only visibility can be judged, under any rubric.
    ("tianyu:10004", ["--rubric", "wuhan-2022"], {"visibility": {F}}, "fail"),
]


@pytest.mark.parametrize("key, args, expected, verdict", CASES, ids=[f"{c[0]} {' '.join(c[1])}" for c in CASES])
def test_rubric_outcomes_on_farm_spaces(
    key: str, args: list[str], expected: dict[str, set[str]], verdict: str, farm: Farm, run_cli, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--json", "--allow-private", "--db", str(tmp_path / "s.db"), *args, farm.space(key).url)
    document = result.json()
    outcomes: dict[str, set[str]] = {}
    for finding in document["findings"]:
        outcomes.setdefault(finding["item"], set()).add(finding["severity"])
    assert outcomes == expected
    assert document["verdict"] == verdict
    assert result.code == 1


def test_a_rubric_that_does_not_judge_the_lessons_content_leaves_it_unread(farm: Farm, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """wuhan-2022 counts teaching videos but does not judge their title card, sound or light:
    the probes read the container only, not the opening (no card length, no OCR) nor the
    sampled stretches. The default rubric, on the same database, has them read."""
    db = str(tmp_path / "s.db")
    url = farm.space("tianyu:10001").url
    plain = run_cli("check", "--json", "--allow-private", "--db", db, "--rubric", "wuhan-2022", url).json()
    probes = [v["probe"] for v in plain["videos"] if v["probe"] and v["probe"]["status"] == "ok"]
    assert probes
    for probe in probes:
        assert probe["width"] and probe["duration_s"]
        assert (probe["title_card_s"], probe["title_card_text"], probe["audio"], probe["picture"]) == (None,) * 4
    assert run_cli("report", "--db", db, "--out", str(tmp_path / "plain")).code == 0
    card = (tmp_path / "plain" / "spaces" / "0001.html").read_text(encoding="utf-8")
    assert "片头文字、声音与画面未测量" in card and "<h3>片头文字、声音与画面</h3>" not in card
    read = run_cli("check", "--json", "--allow-private", "--db", db, "--group", "小学", url).json()
    again = {v["url"]: v["probe"] for v in read["videos"] if v["probe"] and v["probe"]["status"] == "ok"}
    assert again.keys() == {v["url"] for v in plain["videos"] if v["probe"] and v["probe"]["status"] == "ok"}
    for probe in again.values():
        assert probe["bytes_read"] > 0 and probe["audio"] is not None and probe["picture"] is not None
        assert probe["title_card_fields"] and all(probe["title_card_fields"].values())
        assert probe["title_card_s"] is not None
    content = [f for f in read["findings"] if f["rule"] == "video_content"]
    assert content and not [f for f in content if f["severity"] == "review"]
    assert run_cli("report", "--db", db, "--out", str(tmp_path / "read")).code == 0
    card = (tmp_path / "read" / "spaces" / "0001.html").read_text(encoding="utf-8")
    assert "<h3>片头文字、声音与画面</h3>" in card and "未测量（所用评分标准" not in card


def test_a_rubric_that_judges_only_the_cards_length_has_it_measured(farm: Farm, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A bureau's own rubric that limits the title card's length (片头不超过1.5秒) but does not
    judge what the lessons show: after a wuhan-2022 check on the same database, whose probes
    left the opening undecoded, the videos are probed again for the card's length, and a card
    over the limit fails; the card's text, sound and light stay unread."""
    rubric = tmp_path / "card-only.toml"
    rubric.write_text(
        """name = "card-only"
title = "片头时长"
seed = "bureau"

[[items]]
id = "lessons"
title = "微课"
requirement = "微课片头不超过1.5秒"
evidence = "资源中的微课及其视频文件"
rule = "video_spec"
collection = "resources"
max_title_card_s = 1.5
""",
        encoding="utf-8",
    )
    db = str(tmp_path / "s.db")
    url = farm.space("tianyu:10001").url
    first = run_cli("check", "--json", "--allow-private", "--db", db, "--rubric", "wuhan-2022", url).json()
    assert [v for v in first["videos"] if v["probe"] and v["probe"]["status"] == "ok"]
    read = run_cli("check", "--json", "--allow-private", "--db", db, "--rubric", str(rubric), url).json()
    probes = [v["probe"] for v in read["videos"] if v["probe"] and v["probe"]["status"] == "ok"]
    assert probes
    for probe in probes:
        assert probe["bytes_read"] > 0 and probe["title_card_s"] is not None
        assert (probe["title_card_text"], probe["audio"], probe["picture"]) == (None, None, None)
    longest = max(probe["title_card_s"] for probe in probes)
    problems = " ".join(f["message"] for f in read["findings"] if f["severity"] == "fail")
    assert longest > 1.5 and f"片头 {longest:g} 秒（要求不超过 1.5 秒）" in problems
