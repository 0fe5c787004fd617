"""The micro-course content rule (title-card items, sound, light) on synthetic probes, and
the card's five items read from OCR text: what the card shows, never what the profile says."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from crawler import Video
from errors import RubricError
from inspectors import card_fields, inspect_snapshot, load_rubric
from tests.snapshots import PROBE, good

_URL = "http://s/lesson.mp4"


def _content_findings(rubric: str = "quanzhou-2022", **probe_change: Any) -> list[Any]:
    video = Video(_URL, "http://s/r/0", "分数的初步认识", replace(PROBE, **probe_change))
    findings, _ = inspect_snapshot(replace(good(), videos=(video,)), load_rubric(rubric), "小学")
    return [f for f in findings if f.rule == "video_content"]


def _only(findings: list[Any]) -> Any:
    [one] = [f for f in findings if f.severity != "pass"]
    assert one.evidence[0] == _URL  # a reviewer sees which video it concerns
    return one


def test_a_complete_card_with_good_sound_and_light_passes() -> None:
    assert [f.severity for f in _content_findings()] == ["pass"]


def test_a_card_without_some_items_fails_naming_them() -> None:
    fields = dict.fromkeys(("教材版本", "学科", "年级"), None) | {"课名": "分数的初步认识", "主讲教师": "林晓梅"}
    found = _only(_content_findings(title_card_text="《分数的初步认识》\n主讲：林晓梅", title_card_fields=fields))
    assert found.severity == "fail"
    assert "缺少：教材版本、学科、年级" in found.message and "分数的初步认识" in found.message


def test_a_card_read_with_low_confidence_is_review_not_fail() -> None:
    fields = dict.fromkeys(("教材版本", "学科", "年级", "课名", "主讲教师"), None)
    found = _only(
        _content_findings(title_card_text="乀教版 敉学", title_card_fields=fields, title_card_confidence=0.55)
    )
    assert found.severity == "review" and "55%" in found.message and "乀教版" in found.message


def test_no_static_card_is_review() -> None:
    found = _only(_content_findings(title_card_s=0.0, title_card_text=None, title_card_fields=None))
    assert found.severity == "review" and "片头" in found.message


@pytest.mark.parametrize(
    "change, severity, words",
    [
        ({"audio": {"present": False, "loudness_lufs": None, "snr_db": None}}, "fail", "没有声音"),
        ({"audio": {"present": True, "loudness_lufs": -38.0, "snr_db": 30.0}}, "warn", "-38 LUFS"),
        ({"audio": {"present": True, "loudness_lufs": -22.0, "snr_db": 8.5}}, "warn", "8.5 dB"),
        ({"picture": {"luma_mean": 28.0, "luma_uniformity": 0.9}}, "warn", "偏暗"),
        ({"picture": {"luma_mean": 110.0, "luma_uniformity": 0.2}}, "warn", "不均匀"),
    ],
)
def test_sound_and_light_flags(change: dict[str, Any], severity: str, words: str) -> None:
    found = _only(_content_findings(**change))
    assert found.severity == severity and words in found.message


def test_a_part_not_measured_raises_no_flag_and_nothing_measured_is_review() -> None:
    unmeasured = {"title_card_text": None, "title_card_fields": None, "audio": None, "picture": None}
    assert [f.severity for f in _content_findings(**unmeasured)] == ["pass"]  # the card's length was read
    hls = _only(_content_findings(**unmeasured, title_card_s=None))
    assert hls.severity == "review" and "没有测量" in hls.message


def test_a_card_without_readable_text_and_a_silent_track() -> None:
    blank = dict.fromkeys(("教材版本", "学科", "年级", "课名", "主讲教师"))
    found = _only(_content_findings(title_card_text="", title_card_fields=blank, title_card_confidence=None))
    assert found.severity == "review" and "没有识别到文字" in found.message
    silent = _only(_content_findings(audio={"present": True, "loudness_lufs": -70.0, "snr_db": None}))
    assert silent.severity == "fail" and "静音" in silent.message


def test_thresholds_come_from_the_rubric_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from inspectors._rubric import _builtin_dir

    text = (_builtin_dir() / "quanzhou-2022.toml").read_text(encoding="utf-8")
    mine = tmp_path / "strict.toml"
    mine.write_text(text.replace("min_loudness_lufs = -30", "min_loudness_lufs = -20"), encoding="utf-8")
    assert [f.severity for f in _content_findings()] == ["pass"]  # -21.5 LUFS meets -30
    assert "warn" in {f.severity for f in _content_findings(str(mine))}  # but not -20


@pytest.mark.parametrize(
    "line, problem",
    [('card_fields = ["教材版本", "学校"]', "card_fields"), ('min_snr_db = "高"', "min_snr_db")],
)
def test_bad_thresholds_are_named(tmp_path, line: str, problem: str) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text(f'name = "x"\n[[items]]\nid = "a"\ntitle = "甲"\nrule = "video_content"\n{line}\n', encoding="utf-8")
    with pytest.raises(RubricError, match=f"bad.toml.*{problem}"):
        load_rubric(str(bad))


def test_card_items_read_from_labels_and_lists() -> None:
    assert card_fields("人教版 数学 三年级上册\n《分数的初步认识》\n主讲教师：林晓梅") == {
        "教材版本": "人教版",
        "学科": "数学",
        "年级": "三年级",
        "课名": "分数的初步认识",
        "主讲教师": "林晓梅",
    }
    assert card_fields("统编版 道德与法治 高一\n课题：我们的国家  执教：王强") == {
        "教材版本": "统编版",
        "学科": "道德与法治",
        "年级": "高一",
        "课名": "我们的国家",
        "主讲教师": "王强",
    }


def test_title_and_profile_recognise_unlabelled_items_but_never_fill_them_in() -> None:
    card = "北师大版 数学\n分数的初步认识\n林晓梅"
    hints = {"title": "微课：分数的初步认识（三年级上册）", "teacher": "林晓梅"}
    read = card_fields(card, **hints)
    assert read["课名"] == "分数的初步认识" and read["主讲教师"] == "林晓梅" and read["年级"] is None
    bare = card_fields("《春》", **hints)
    assert bare == {"教材版本": None, "学科": None, "年级": None, "课名": "春", "主讲教师": None}


def test_a_subject_in_the_lesson_name_is_not_the_subject() -> None:
    assert card_fields("《数学广角——搭配》\n主讲：李明")["学科"] is None
