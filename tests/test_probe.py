"""The video probe on real H.264 files served by the farm (Range requests)."""

from __future__ import annotations

import pytest

from inspectors import probe_video
from tests.farm import Farm
from tests.farm.videos import VIDEO_FACTS


@pytest.mark.parametrize("name", sorted(VIDEO_FACTS))
def test_probe_reads_every_property(name: str, farm: Farm) -> None:
    facts = VIDEO_FACTS[name]
    url = farm.servers["tianyu"].base_url + f"/upload/video/x/{name}"
    probe = probe_video(url)
    assert probe.status == "ok"
    assert (probe.codec, probe.width, probe.height) == ("h264", facts.width, facts.height)
    assert probe.display_aspect == facts.display_aspect
    assert probe.fps == pytest.approx(facts.fps)
    assert probe.duration_s == pytest.approx(facts.seconds, abs=0.05)
    assert probe.size_bytes == farm.videos[name].stat().st_size
    assert probe.faststart is facts.faststart


def test_html_behind_a_video_url_is_not_a_video(farm: Farm) -> None:
    url = farm.servers["tianyu"].base_url + "/upload/video/x/missing.mp4"  # a 404 page
    assert probe_video(url).status == "unreachable"
    page = farm.space("tianyu:10001").url  # HTML answered with 200
    assert probe_video(page).status == "not_video"
