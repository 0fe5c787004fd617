"""Recorded visits: ``spacebot check --har`` writes a HAR 1.2 file of every request (plain
HTTP, the browser's, video ranges); ``spacebot check --replay`` runs the same extraction
offline from it, to the identical JSON."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.farm import Farm

PLATFORMS = Path(__file__).resolve().parent / "platforms"


def _without_times(document: dict[str, Any]) -> dict[str, Any]:
    """What the space showed, without when and at what cost it was read (a replay answers
    the browser from the file, so its requests never reach the meter)."""
    skip = ("started_at", "finished_at", "requests", "bytes", "renders")
    crawl = {k: v for k, v in document["crawl"].items() if k not in skip}
    return {**document, "crawl": crawl}


def test_a_recorded_visit_replays_offline_to_the_same_json(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An app (browser, JSON lists, videos): recorded live, then replayed with the farm gone."""
    har = tmp_path / "visit.har"
    with Farm() as farm:  # a farm of its own, stopped before the replay
        url = farm.space("spa:u1001").url
        live = run_cli("check", "--json", "--allow-private", "--db", str(tmp_path / "a.db"), "--har", str(har), url)
    assert live.code in (0, 1), live.stderr
    log = json.loads(har.read_text(encoding="utf-8"))["log"]
    assert log["version"] == "1.2" and log["creator"]["name"] == "spacebot"
    urls = [entry["request"]["url"] for entry in log["entries"]]
    assert url in urls
    assert any("/api/" in u for u in urls)  # the browser's own requests (the app's JSON)
    assert any(u.endswith(".mp4") for u in urls)  # the video probes' Range reads
    for entry in log["entries"]:
        assert {"startedDateTime", "time", "request", "response", "cache", "timings"} <= set(entry)
        assert entry["response"]["status"] > 0
    replayed = run_cli("check", "--json", "--db", str(tmp_path / "b.db"), "--replay", str(har))
    assert replayed.code == live.code, replayed.stderr
    assert _without_times(replayed.json()) == _without_times(live.json())
    with sqlite3.connect(tmp_path / "b.db") as db:  # a replay reproduces a visit, it stores no snapshot
        assert db.execute("select count(*) from snapshots").fetchone() == (0,)


@pytest.mark.parametrize("har", sorted(PLATFORMS.glob("*.har")), ids=lambda p: p.stem)
def test_recorded_platforms_replay_to_their_expected_json(har: Path, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    expected = json.loads(har.with_suffix(".json").read_text(encoding="utf-8"))
    result = run_cli("check", "--json", "--db", str(tmp_path / "r.db"), "--replay", str(har))
    assert result.stderr.strip() == "", result.stderr
    assert _without_times(result.json()) == _without_times(expected)


def test_replay_and_har_mistakes_are_clear(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = run_cli("check", "--replay", str(tmp_path / "none.har"))
    assert missing.code == 2 and "找不到 HAR 文件" in missing.stderr and "Traceback" not in missing.stderr
    broken = tmp_path / "broken.har"
    broken.write_text("not json", encoding="utf-8")
    bad = run_cli("check", "--replay", str(broken))
    assert bad.code == 2 and "不是有效的 HAR 文件" in bad.stderr
    both = run_cli("check", "--har", str(tmp_path / "x.har"), "--replay", str(broken), "http://example.com/")
    assert both.code == 2 and "不能同时使用" in both.stderr
    nowhere = run_cli("check", "--har", str(tmp_path / "no" / "x.har"), "http://example.com/")
    assert nowhere.code == 2 and "不存在" in nowhere.stderr
