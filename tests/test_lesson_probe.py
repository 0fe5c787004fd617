"""Acceptance of the micro-course content checks on real lessons served over HTTP: the card's
five items, loudness within 1 LU of the whole decoded file, the flags each lesson was made
to raise, the reading budget on a 1.2 GB file, and OCR that needs no network."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from crawler import AddressPolicy, Video
from inspectors import inspect_snapshot, load_rubric, probe_video
from store import SnapshotStore
from tests.farm import Farm
from tests.farm.lessons import BIG_LESSON, LESSON_FACTS, whole_file_loudness
from tests.snapshots import good

LOOPBACK = AddressPolicy(allow_private=True)
# What the quanzhou-2022 microcourses item says of each lesson beyond its container.
EXPECTED = {
    "lesson_full.mp4": [],
    "lesson_b.mp4": [],
    "lesson_big.mp4": [],
    "lesson_varying.mp4": [],
    "lesson_partial.mp4": [("fail", "缺少：教材版本、学科、年级")],
    "lesson_quiet.mp4": [("warn", "声音偏小")],
    "lesson_noisy.mp4": [("warn", "背景噪音")],
    "lesson_silent.mp4": [("fail", "没有声音")],
    "lesson_dark.mp4": [("warn", "偏暗")],
    "lesson_uneven.mp4": [("warn", "不均匀")],
}


@pytest.fixture(scope="module")
def probes(farm: Farm) -> dict[str, Any]:
    out = {}
    for name in LESSON_FACTS:
        costs: dict[str, tuple[int, float]] = {}
        out[name] = (probe_video(farm.lesson_url(name), policy=LOOPBACK, costs=costs), costs)
    return out


@pytest.mark.parametrize("name", list(LESSON_FACTS))
def test_the_card_items_are_what_the_card_shows(name: str, probes: dict[str, Any]) -> None:
    probe, _ = probes[name]
    assert probe.status == "ok" and probe.title_card_s == LESSON_FACTS[name].card_seconds
    assert probe.title_card_fields == LESSON_FACTS[name].fields
    assert probe.title_card_confidence >= 0.9
    assert LESSON_FACTS[name].card_lines[0].replace(" ", "") in probe.title_card_text.replace(" ", "")


@pytest.mark.parametrize("name", list(LESSON_FACTS))
def test_loudness_is_within_1_lu_of_the_whole_file(name: str, probes: dict[str, Any], farm: Farm) -> None:
    probe, _ = probes[name]
    whole = whole_file_loudness(farm.lessons[name])
    if whole is None:
        assert probe.audio == {"present": False, "loudness_lufs": None, "snr_db": None}
    else:
        assert probe.audio["present"] is True
        assert abs(probe.audio["loudness_lufs"] - whole) <= 1.0, (probe.audio, whole)


@pytest.mark.parametrize("name", list(LESSON_FACTS))
def test_each_lesson_raises_the_flags_it_was_made_with(name: str, probes: dict[str, Any]) -> None:
    probe, _ = probes[name]
    url = f"http://s/{name}"
    video = Video(url, "http://s/r/1", "分数的初步认识", probe)
    findings, _ = inspect_snapshot(replace(good(), videos=(video,)), load_rubric("quanzhou-2022"), "小学")
    content = [f for f in findings if f.rule == "video_content"]
    flags = [f for f in content if f.severity != "pass"]
    assert [f.severity for f in flags] == [severity for severity, _ in EXPECTED[name]], [f.message for f in flags]
    for finding, (_, words) in zip(flags, EXPECTED[name], strict=True):
        assert words in finding.message and finding.evidence[0] == url
    if not EXPECTED[name]:
        assert [f.severity for f in content] == ["pass"]


def test_a_1_2_gb_lesson_is_checked_reading_a_few_megabytes(probes: dict[str, Any]) -> None:
    probe, costs = probes[BIG_LESSON]
    assert probe.size_bytes >= 1.2 * 1024**3
    # the card's text, sound and light: within the 16 MB; the whole probe (with the
    # container's index and the title-card scan, which reads the card's seconds) well under 2 %
    assert costs["ocr"][0] + costs["sound"][0] + costs["light"][0] <= 16 * 1024**2, costs
    assert probe.bytes_read <= 0.02 * probe.size_bytes, costs
    assert probe.picture["luma_mean"] > 100 and probe.audio["snr_db"] > 30


def test_ocr_models_load_from_the_wheel_without_network() -> None:
    script = """
import socket
def refuse(*args, **kwargs):
    raise OSError("network is off in this test")
socket.socket.connect = refuse
socket.getaddrinfo = refuse
socket.create_connection = refuse
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from inspectors._card import _ocr
image = Image.new("RGB", (960, 540), (235, 235, 235))
font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 48)
ImageDraw.Draw(image).text((120, 230), "北师大版 数学 四年级", fill=(20, 20, 20), font=font)
print(_ocr(np.asarray(image)[:, :, ::-1].copy())[0])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "北师大版" in done.stdout and "四年级" in done.stdout


def test_a_server_that_stops_answering_mid_file_loses_sound_and_light_not_the_probe(farm: Farm, tmp_path: Path) -> None:
    """The container's facts and the card are read from the file's head; when the server
    fails further in (a CDN error, a dropped link), sound and light are left unmeasured
    with the reason, and nothing half-measured is cached."""
    import re

    from tests.farm.server import FarmServer, Request, Response

    path = farm.videos["compliant.mp4"]

    def route(request: Request) -> Response:
        start = re.match(r"bytes=(\d+)-", request.headers.get("Range", "") or request.headers.get("range", ""))
        if start and int(start.group(1)) > 3 * 1024 * 1024:
            return Response(503, b"busy", "text/plain")
        return Response(200, content_type="video/mp4", file=path)

    cache = SnapshotStore(tmp_path / "cache.db")
    server = FarmServer(route).start()
    try:
        probe = probe_video(server.base_url + "/compliant.mp4", policy=LOOPBACK, cache=cache)
    finally:
        server.stop()
    assert probe.status == "ok" and (probe.width, probe.duration_s) == (1920, pytest.approx(724.0, abs=0.05))
    assert probe.title_card_fields is not None and all(probe.title_card_fields.values())
    assert probe.audio is None and probe.picture is None
    assert "无法测量声音" in probe.detail and "无法测量画面亮度" in probe.detail
    assert cache.db["probe_cache"].count == 0  # measured again next time


def test_small_print_on_a_1080p_card_keeps_every_character() -> None:
    """The text detector works on the card scaled down to 736 px high; each line is still read
    from the full frame, so a 16-px name at the bottom of a 1080p card loses no character."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from inspectors._card import _engine, _ocr

    font = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
    image = Image.new("RGB", (1920, 1080), (235, 235, 235))
    draw = ImageDraw.Draw(image)
    draw.text((200, 300), "人教版 数学 三年级上册", fill=(20, 20, 20), font=ImageFont.truetype(font, 72))
    draw.text((200, 500), "《分数的初步认识》", fill=(20, 20, 20), font=ImageFont.truetype(font, 26))
    draw.text((200, 700), "执教：龚懿璇 晋江市第二实验小学", fill=(20, 20, 20), font=ImageFont.truetype(font, 16))
    detector = _engine().text_det
    seen: list[tuple[int, ...]] = []
    detect = detector.detect

    def spy(small: Any) -> Any:
        seen.append(small.shape[:2])
        return detect(small)

    detector.detect = spy
    try:
        text, _ = _ocr(np.asarray(image)[:, :, ::-1].copy())
    finally:
        detector.detect = detect
    assert seen == [(736, 1308)]  # the detector worked on the smaller picture
    assert text is not None
    assert "龚懿璇" in text and "晋江市第二实验小学" in text and "分数的初步认识" in text, text


def test_a_probe_that_read_less_does_not_replace_one_of_the_same_file(tmp_path: Path) -> None:
    """A check under a rubric that leaves the lessons' content unread, beside one that reads
    it (the web app, one database): the cached probe that measured sound stays."""
    from crawler import VideoProbe

    cache = SnapshotStore(tmp_path / "cache.db")
    url = "http://v.example/1.mp4"
    full = VideoProbe(status="ok", width=1920, audio={"present": True, "loudness_lufs": -20.0, "snr_db": 30.0})
    cache.save(url, 100, '"a"', None, full)
    cache.save(url, 100, '"a"', None, replace(full, audio=None, content_read=False))
    kept = cache.lookup(url, 100, '"a"', None)
    assert kept is not None and kept.content_read and kept.audio == full.audio
    cache.save(url, 200, '"b"', None, replace(full, audio=None, content_read=False))  # the file changed
    changed = cache.lookup(url, 200, '"b"', None)
    assert changed is not None and not changed.content_read and changed.audio is None


def test_a_probe_that_decoded_nothing_does_not_replace_one_that_measured_the_card(tmp_path: Path) -> None:
    """Probes stored by the previous version (no ``card_read``: they all measured the card)
    and by a later one (keys this version does not know) are read; a container-only probe
    does not take the place of one that measured the card's length."""
    import json

    from crawler import VideoProbe

    cache = SnapshotStore(tmp_path / "cache.db")
    url = "http://v.example/2.mp4"
    carded = VideoProbe(status="ok", width=1920, title_card_s=3.0, audio=None, content_read=False)
    cache.save(url, 100, '"a"', None, carded)
    cache.save(url, 100, '"a"', None, replace(carded, title_card_s=None, card_read=False))
    kept = cache.lookup(url, 100, '"a"', None)
    assert kept is not None and kept.card_read and kept.title_card_s == 3.0
    assert kept.covers(content=False, card=True) and not kept.covers(content=True, card=True)

    row = json.loads(next(iter(cache.db.execute("select probe from probe_cache where url = ?", [url])))[0])
    old = {k: v for k, v in row.items() if k != "card_read"}
    cache.db.execute("update probe_cache set probe = ? where url = ?", [json.dumps(old), url])
    older = cache.lookup(url, 100, '"a"', None)
    assert older is not None and older.depth == 1 and older.covers(content=False, card=True)
    newer = {**row, "frames_read": 75}
    cache.db.execute("update probe_cache set probe = ? where url = ?", [json.dumps(newer), url])
    assert cache.lookup(url, 100, '"a"', None) == kept


def test_spaces_checked_at_once_read_at_most_three_videos_at_a_time(farm: Farm) -> None:
    """A probe holds a decoder (about 50 MB at 1080p): however many spaces are checked at
    once and however many slots their host allows, one process reads three videos at a
    time (counted by the media server), and every video is still probed."""
    import asyncio

    from spacebot.pipeline import _probe_all

    server = farm.servers["media"]
    lessons = [n for n in LESSON_FACTS if n != BIG_LESSON]
    spaces = [
        replace(good(), videos=tuple(Video(f"{farm.lesson_url(n)}?space={i}", "", n) for n in lessons[:4]))
        for i in range(3)
    ]

    async def check_all() -> list[Any]:
        return await asyncio.gather(*(_probe_all(s, 30, None, LOOPBACK, content=False, card=False) for s in spaces))

    server.latency, server.max_inflight = 0.05, 0  # each read waits, so the probes overlap
    try:
        probed = asyncio.run(check_all())
    finally:
        server.latency = 0.0
    assert server.max_inflight == 3  # reached, never exceeded
    assert all(v.probe is not None and v.probe.status == "ok" for s in probed for v in s.videos)
