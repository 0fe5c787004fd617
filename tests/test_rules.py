"""Each rule kind passes and fails on synthetic snapshots; the verdict follows the contract."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crawler import SpaceSnapshot, Video, VideoProbe
from errors import RubricError
from inspectors import inspect_snapshot, load_rubric
from tests.snapshots import PROBE, good

GOOD_PROBE = PROBE


def _snapshot(**changes: object) -> SpaceSnapshot:
    return replace(good(), **changes)  # type: ignore[arg-type]


def _outcome(snapshot: SpaceSnapshot, rubric: str, item: str, group: str | None = None) -> set[str]:
    findings, _ = inspect_snapshot(snapshot, load_rubric(rubric), group)
    return {f.severity for f in findings if f.item == item}


@pytest.mark.parametrize(
    "probe_change, words",
    [
        ({"display_aspect": "4:3", "width": 640, "height": 480}, "画面比例"),
        ({"fps": 30.0}, "帧率"),
        ({"size_bytes": int(1.2 * 1024**3)}, "1 GB"),
        ({"codec": "hevc"}, "H.264"),
        ({"title_card_s": 8.0}, "片头 8 秒"),
    ],
)
def test_video_spec_names_each_failing_property(probe_change: dict, words: str) -> None:  # type: ignore[type-arg]
    video = Video("http://s/v.mp4", "http://s/r/0", "微课", replace(GOOD_PROBE, **probe_change))
    findings, _ = inspect_snapshot(_snapshot(videos=(video,)), load_rubric("quanzhou-2022"))
    messages = [f.message for f in findings if f.rule == "video_spec" and f.severity == "fail"]
    assert len(messages) == 1 and words in messages[0]


def test_video_duration_by_group() -> None:
    assert "fail" not in _outcome(_snapshot(), "quanzhou-2022", "microcourses", group="小学")  # 12 min
    assert "fail" in _outcome(_snapshot(), "quanzhou-2022", "microcourses", group="初中")  # needs 15–20


def test_changed_threshold_in_a_user_rubric_changes_the_outcome(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from inspectors._rubric import _builtin_dir

    text = (_builtin_dir() / "wuhan-2022.toml").read_text(encoding="utf-8").replace("min = 3\n", "min = 4\n", 1)
    mine = tmp_path / "mine.toml"
    mine.write_text(text, encoding="utf-8")
    assert _outcome(_snapshot(), "wuhan-2022", "other_resources") == {"pass"}
    assert _outcome(_snapshot(), str(mine), "other_resources") == {"fail"}


def test_rubric_errors_are_chinese_and_name_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[items]]\nid = "a"\ntitle = "甲"\nrule = "nope"\n', encoding="utf-8")
    with pytest.raises(RubricError, match="bad.toml.*未知的判定方式"):
        load_rubric(str(bad))


def test_moov_at_end_is_a_warning_not_a_failure() -> None:
    video = Video("http://s/v.mp4", "http://s/r/0", "微课", replace(GOOD_PROBE, faststart=False))
    findings, _ = inspect_snapshot(_snapshot(videos=(video,)), load_rubric("quanzhou-2022"), "小学")
    spec = [f for f in findings if f.rule == "video_spec"]
    assert {f.severity for f in spec} == {"warn", "pass"}
    assert any("faststart" in f.message for f in spec)


def test_unreadable_video_is_review_with_the_reason() -> None:
    probe = VideoProbe("error", detail="服务器不支持分段读取（忽略 Range 请求）")
    video = Video("http://s/v.mp4", "http://s/r/0", "微课", probe)
    findings, _ = inspect_snapshot(_snapshot(videos=(video,)), load_rubric("quanzhou-2022"))
    [review] = [f for f in findings if f.rule == "video_spec"]
    assert review.severity == "review" and "Range" in review.message


def test_the_registry_rejects_a_duplicate_rule_kind() -> None:
    from inspectors.rules import RULES, register

    with pytest.raises(ValueError, match="duplicate"):
        register("count", RULES["count"])


def test_every_rule_module_documents_what_why_and_a_failing_example() -> None:
    import importlib

    from inspectors.rules import RULES

    for kind, check in RULES.items():
        doc = importlib.import_module(check.__module__).__doc__ or ""
        assert doc.startswith(f"{kind}:"), kind
        assert "Why:" in doc and "seed" in doc.lower(), kind
        assert "for example" in doc, kind
