"""Pure logic: URL checks, labels, dates, sizes, charsets, categories, official domains."""

from __future__ import annotations

import pytest

from crawler import check_target_url
from crawler.extract.links import is_official
from crawler.extract.vocab import category_from_label, parse_date, parse_size
from crawler.transport.http import decode_html
from errors import TargetError


@pytest.mark.parametrize(
    "text, expected",
    [
        ("发表于 2022-03-01 10:20", "2022-03-01"),
        ("2021年3月5日", "2021-03-05"),
        ("2022/11/30", "2022-11-30"),
        ("2022.1.2", "2022-01-02"),
        ("阅读(3)", None),
        ("2022-13-01", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("1.5MB", 1572864), ("2.5 MB", 2621440), ("300KB", 307200), ("1.2G", int(1.2 * 1024**3)), ("无", None)],
)
def test_parse_size(text: str, expected: int | None) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize(
    "label, category",
    [
        ("微课", "microlecture"),
        ("课件", "courseware"),
        ("导学案", "lesson_plan"),
        ("教学设计", "lesson_plan"),
        ("课例", "lesson_video"),
        ("学习任务单", "exercise"),
        ("质量分析", "document"),
        ("音频", "audio"),
        ("全部", None),
        ("仅好友可见", None),
    ],
)
def test_category_from_label(label: str, category: str | None) -> None:
    assert category_from_label(label) == category


def test_gbk_pages_decode_from_meta_or_header() -> None:
    body = '<meta charset="gbk"><p>教师空间</p>'.encode("gbk")
    assert "教师空间" in decode_html(body, None)
    assert "教师空间" in decode_html("<p>教师空间</p>".encode("gbk"), "gbk")
    assert "教师空间" in decode_html("<p>教师空间</p>".encode("gbk"), None)  # no declaration at all


@pytest.mark.parametrize("url", ["ftp://x", "//no-scheme", "http://", "javascript:alert(1)", "http://x:99999/"])
def test_bad_urls_raise_target_error(url: str) -> None:
    with pytest.raises(TargetError):
        check_target_url(url)


def test_allow_private_permits_loopback() -> None:
    assert (
        check_target_url("HTTP://127.0.0.1:8080/Space?sid=1", allow_private=True) == "http://127.0.0.1:8080/Space?sid=1"
    )
    with pytest.raises(TargetError, match="内网"):
        check_target_url("http://127.0.0.1:8080/")


@pytest.mark.parametrize(
    "url, official",
    [
        ("https://www.zxx.edu.cn/x", True),
        ("http://jyj.quanzhou.gov.cn/", True),
        ("https://yun.zjer.cn/a", True),
        ("https://www.xuekewang-example.com/", False),
        ("https://pan.baidu.com/s/1", False),
    ],
)
def test_official_domains(url: str, official: bool) -> None:
    assert is_official(url, "yun.zjer.cn") is official


def test_videos_reused_from_the_last_crawl_keep_only_good_probes() -> None:
    from crawler.visit.reuse import video_from_state

    sound = {"present": True, "loudness_lufs": -21.0, "snr_db": 40.0}
    good = {"status": "ok", "codec": "h264", "width": 1920, "height": 1080, "bytes_read": 524288, "audio": sound}
    kept = video_from_state({"url": "v1.mp4", "page_url": "p1", "title": "微课", "probe": good})
    assert kept.probe is not None and kept.probe.width == 1920 and kept.probe.audio == sound
    assert kept.probe.bytes_read == 0  # nothing was read this time
    failed = video_from_state(
        {"url": "v2.mp4", "page_url": "p2", "title": "微课", "probe": {"status": "unreachable", "detail": "超时"}}
    )
    assert failed.probe is None  # probed again
    for older in (
        {k: v for k, v in good.items() if k != "audio"},
        {**good, "detail": "无法测量声音：服务器返回 HTTP 503"},
    ):
        again = video_from_state({"url": "v3.mp4", "page_url": "p3", "title": "微课", "probe": older})
        assert again.probe is None  # made before sound and light were measured, or a part failed: probed again


def test_conditional_request_headers() -> None:
    from crawler.transport.http import CachedPage

    both = CachedPage("<html></html>", "http://a/", etag='"x1"', last_modified="Sun, 22 Nov 2026 08:00:00 GMT")
    assert both.conditions() == {"If-None-Match": '"x1"', "If-Modified-Since": "Sun, 22 Nov 2026 08:00:00 GMT"}
    assert CachedPage("", "http://a/").conditions() == {}


def test_a_list_left_still_growing_is_not_called_whole() -> None:
    """A listing whose page the browser had to stop growing (out of time, the list still
    loading): what was read is not taken as the whole collection, and the evidence says why."""
    from crawler.visit.listings import ListingResult

    grown = ListingResult("http://p.example/list", [], declared=None, grown_in_part=True).completeness("resources", 10)
    assert not grown.complete and "仍在加载，未读完" in grown.evidence
    whole = ListingResult("http://p.example/list", []).completeness("resources", 10)
    assert whole.complete
