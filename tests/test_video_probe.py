"""Video inspection without downloading: real H.264 files from the farm's media host,
every reported field, and the bytes actually read."""

from __future__ import annotations

import pytest

from inspectors import probe_video
from tests.conftest import LOOPBACK
from tests.farm import Farm
from tests.farm.videos import BIG_SIZE, VIDEO_FACTS

MB = 1024 * 1024
MATRIX = ["compliant.mp4", "ratio43.mp4", "fps30.mp4", "card8.mp4", "late.mp4", "late_long.mp4", "hd25.mp4"]


def _url(farm: Farm, path: str) -> str:
    return farm.servers["media"].base_url + path


@pytest.mark.parametrize("name", MATRIX)
def test_probe_reports_every_field(name: str, farm: Farm) -> None:
    facts = VIDEO_FACTS[name]
    size = farm.videos[name].stat().st_size
    probe = probe_video(_url(farm, f"/v/{name}"), policy=LOOPBACK)
    assert probe.status == "ok", probe.detail
    assert (probe.codec, probe.width, probe.height) == ("h264", facts.width, facts.height)
    assert probe.display_aspect == facts.display_aspect
    assert probe.fps == pytest.approx(facts.fps)
    assert probe.duration_s == pytest.approx(facts.seconds, abs=0.05)
    assert probe.size_bytes == size
    assert probe.faststart is facts.faststart
    assert probe.title_card_s == pytest.approx(facts.card_seconds, abs=0.05)
    assert probe.bytes_read is not None and 0 < probe.bytes_read <= size


def test_a_long_compliant_video_is_read_in_part(farm: Farm) -> None:
    size = farm.videos["compliant.mp4"].stat().st_size
    probe = probe_video(_url(farm, "/v/compliant.mp4"), policy=LOOPBACK)
    assert probe.duration_s == pytest.approx(724.0, abs=0.05)  # the voice track ends a few ms after the picture
    assert probe.bytes_read is not None and probe.bytes_read < 8 * MB < size


def test_moov_at_the_end_costs_the_moov_not_the_file(farm: Farm) -> None:
    path = farm.videos["late_long.mp4"]
    data = path.read_bytes()
    moov_at = data.rfind(b"moov") - 4
    moov_size = int.from_bytes(data[moov_at : moov_at + 4], "big")
    probe = probe_video(_url(farm, "/v/late_long.mp4"), policy=LOOPBACK)
    assert probe.status == "ok" and probe.faststart is False
    assert probe.duration_s == pytest.approx(603.0, abs=0.05)
    assert probe.bytes_read is not None and probe.bytes_read < 8 * MB + moov_size
    assert len(data) > 3 * 8 * MB  # the file is far larger than what was read


def test_a_1_2_gb_file_is_reported_after_reading_under_8_mb(farm: Farm) -> None:
    probe = probe_video(_url(farm, "/v/big.mp4"), policy=LOOPBACK)
    assert probe.status == "ok", probe.detail
    assert probe.size_bytes == BIG_SIZE
    assert probe.bytes_read is not None and probe.bytes_read < 8 * MB
    assert (probe.width, probe.height, probe.codec) == (1920, 1080, "h264")


def test_a_server_ignoring_range_is_cut_off(farm: Farm) -> None:
    before = farm.servers["media"].bytes_sent_total
    probe = probe_video(_url(farm, "/norange/big.mp4"), policy=LOOPBACK)
    sent = farm.servers["media"].bytes_sent_total - before
    # The head holds everything a faststart file needs, so the probe still answers,
    # but the transfer stopped after a bounded amount instead of 1.2 GB.
    assert probe.size_bytes == BIG_SIZE
    assert probe.bytes_read is not None and probe.bytes_read <= 8 * MB + 64 * 1024  # the limit, plus one chunk
    assert sent < 64 * MB


def test_moov_at_end_behind_a_server_ignoring_range_is_an_error(farm: Farm) -> None:
    probe = probe_video(_url(farm, "/norange/late_long.mp4"), policy=LOOPBACK)
    assert probe.status == "error"
    assert probe.detail is not None and "Range" in probe.detail
    assert probe.bytes_read is not None and probe.bytes_read <= 8 * MB + 64 * 1024


def test_truncated_upload_is_an_error(farm: Farm) -> None:
    probe = probe_video(_url(farm, "/v/truncated.mp4"), policy=LOOPBACK)
    assert probe.status == "error"
    assert probe.size_bytes == farm.videos["truncated.mp4"].stat().st_size
    assert probe.detail and "损坏" in probe.detail


@pytest.mark.parametrize("path", ["/page.mp4", "/html-typed-as-video.mp4"])
def test_html_is_not_a_video(path: str, farm: Farm) -> None:
    assert probe_video(_url(farm, path), policy=LOOPBACK).status == "not_video"


def test_missing_file_is_unreachable(farm: Farm) -> None:
    assert probe_video(_url(farm, "/v/nothing-here.mp4"), policy=LOOPBACK).status == "unreachable"


def test_hls_master_playlist(farm: Farm) -> None:
    probe = probe_video(_url(farm, "/hls/master.m3u8"), policy=LOOPBACK)
    assert probe.status == "ok"
    assert (probe.width, probe.height, probe.display_aspect) == (1280, 720, "16:9")  # the best variant
    assert probe.duration_s == pytest.approx(4.0)
    assert probe.codec == "h264" and probe.fps == pytest.approx(25.0)
    assert probe.bytes_read is not None and probe.bytes_read > 0


def test_encrypted_hls_reports_what_the_playlists_say(farm: Farm) -> None:
    probe = probe_video(_url(farm, "/hls/enc-master.m3u8"), policy=LOOPBACK)
    assert probe.status == "ok"
    assert (probe.width, probe.height, probe.duration_s) == (1280, 720, 4.0)
    assert probe.codec is None and probe.detail is not None and "加密" in probe.detail


def test_unchanged_videos_are_not_read_again(farm: Farm, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import shutil

    from store import SnapshotStore

    cache = SnapshotStore(tmp_path / "cache.db")
    served = farm.media_dir / "cache-test.mp4"
    shutil.copy(farm.videos["card8.mp4"], served)
    farm.videos["cache-test.mp4"] = served
    url = _url(farm, "/v/cache-test.mp4")
    try:
        first = probe_video(url, cache=cache, policy=LOOPBACK)
        again = probe_video(url, cache=cache, policy=LOOPBACK)
        assert first.bytes_read and first.bytes_read > 0
        assert again.bytes_read == 0
        assert (again.width, again.duration_s, again.title_card_s) == (first.width, first.duration_s, 8.0)
        # The teacher replaces the file: new validators, so it is read again.
        shutil.copy(farm.videos["hd25.mp4"], served)
        os.utime(served, ns=(served.stat().st_atime_ns, served.stat().st_mtime_ns + 10**9))
        replaced = probe_video(url, cache=cache, policy=LOOPBACK)
        assert replaced.bytes_read and replaced.bytes_read > 0
        assert replaced.duration_s == 3.0
    finally:
        del farm.videos["cache-test.mp4"]
        served.unlink()


def test_the_probe_reads_only_what_the_rubric_judges(farm: Farm, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Without the card's length judged, the opening is not decoded: the container's facts
    come from its index; a cached probe that did not measure the card does not serve a
    rubric that judges it, nor replace one that did."""
    from store import SnapshotStore

    url = _url(farm, "/v/card8.mp4")
    parts: dict[str, dict[str, tuple[int, float]]] = {"container": {}, "card": {}}
    container = probe_video(url, policy=LOOPBACK, content=False, card=False, costs=parts["container"])
    card = probe_video(url, policy=LOOPBACK, content=False, costs=parts["card"])
    assert container.status == card.status == "ok"
    assert (container.width, container.duration_s, container.fps) == (card.width, card.duration_s, card.fps)
    assert container.title_card_s is None and card.title_card_s == pytest.approx(8.0, abs=0.05)
    assert "title_card" not in parts["container"] and "title_card" in parts["card"]  # nothing decoded

    cache = SnapshotStore(tmp_path / "cache.db")
    assert probe_video(url, cache=cache, policy=LOOPBACK, content=False, card=False).title_card_s is None
    judged = probe_video(url, cache=cache, policy=LOOPBACK, content=False)
    assert judged.bytes_read and judged.title_card_s == pytest.approx(8.0, abs=0.05)  # read again, for the card
    kept = probe_video(url, cache=cache, policy=LOOPBACK, content=False, card=False)
    assert kept.bytes_read == 0 and kept.title_card_s == pytest.approx(8.0, abs=0.05)  # the fuller probe serves


def test_a_second_check_reuses_the_probes(farm: Farm, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = farm.space("tianyu:10001").url
    db = str(tmp_path / "s.db")
    first = run_cli("check", "--json", "--allow-private", "--db", db, url).json()
    second = run_cli("check", "--json", "--allow-private", "--db", db, url).json()
    assert all(v["probe"]["bytes_read"] > 0 for v in first["videos"])
    assert all(v["probe"]["bytes_read"] == 0 for v in second["videos"])
    strip = [{k: v for k, v in video["probe"].items() if k != "bytes_read"} for video in first["videos"]]
    assert strip == [{k: v for k, v in video["probe"].items() if k != "bytes_read"} for video in second["videos"]]


def test_page_declared_facts_are_compared_with_the_file(farm: Farm, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fs = farm.space("tianyu:10001")
    document = run_cli("check", "--json", "--allow-private", "--db", str(tmp_path / "s.db"), fs.url).json()
    disagreements = [f for f in document["findings"] if "页面标注" in f["message"]]
    # Only the 4:3 video's page claims something the file is not (1920×1080); the other
    # pages state the truth, so they must not be flagged.
    assert len(disagreements) == 1
    assert disagreements[0]["severity"] == "warn"
    assert "1920×1080" in disagreements[0]["message"] and "640×480" in disagreements[0]["message"]
    assert disagreements[0]["evidence"][0].endswith("id=r1004")
    assert all("declared" not in video for video in document["videos"])  # not part of the contract
