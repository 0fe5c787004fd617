"""Politeness: every request to a platform host passes one gate, whatever makes it.

A sweep over one host that serves plain-HTTP spaces, browser spaces (whose scripts call a
JSON API) and micro-course videos (read by Range) must never have more than ``--per-host``
requests in flight there, counted by the server itself; and robots.txt's Crawl-delay
spaces the requests it lets through.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.farm.bulk import start_bulk, write_targets
from tests.farm.mixed import start_mixed


def _sweep(run_cli, tmp_path: Path, urls: list[str], *options: str):  # type: ignore[no-untyped-def]
    """``spacebot sweep`` of ``urls`` into ``tmp_path/s.db``."""
    targets = tmp_path / "t.txt"
    targets.write_text("\n".join(urls) + "\n", encoding="utf-8")
    return run_cli("sweep", str(targets), "--db", str(tmp_path / "s.db"), "--allow-private", *options, timeout=400)


def test_mixed_sweep_never_exceeds_per_host(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    server, app = start_mixed()
    server.latency = 0.02  # a platform that answers a little slowly, so requests overlap
    try:
        urls = app.urls(server.base_url)
        db = tmp_path / "s.db"
        result = _sweep(run_cli, tmp_path, urls, "--concurrency", "6", "--per-host", "2")
        assert result.code in (0, 1), result.stderr
        paths = [path for _, path in server.started]
        assert any(p.startswith("/static/app.js") for p in paths)  # the browser ran the SPA's scripts …
        assert any(p.startswith("/api/v2/") for p in paths)  # … which called their API
        assert any(p.startswith(("/upload/video/", "/media/")) for p in paths)  # the videos were probed
        assert server.max_inflight == 2  # reached, never exceeded, across every kind of request
        with sqlite3.connect(db) as conn:
            statuses = [s for (s,) in conn.execute("select status from sweep_items")]
            documents = [json.loads(d) for (d,) in conn.execute("select document from snapshots")]
        assert statuses == ["ok"] * len(urls)
        # What each space cost is counted where it is spent: the host saw exactly the
        # requests the spaces report, and the summary gives the mean.
        assert sum(d["crawl"]["requests"] for d in documents) == len(server.started)
        assert all(d["crawl"]["renders"] >= 1 for d in documents if "/s/" in d["target"]["url"])
        assert all(d["crawl"]["bytes"] > 0 for d in documents)
        mean = len(server.started) / len(urls)
        assert f"平均每个空间请求 {mean:.1f} 次" in result.stdout + result.stderr
    finally:
        server.stop()


def test_single_check_is_gated_too(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """``spacebot check`` of one SPA space with videos: its page, the browser's requests and
    the probes share one gate of two slots."""
    server, app = start_mixed()
    server.latency = 0.02
    try:
        url = next(u for u in app.urls(server.base_url) if "/s/" in u)
        result = run_cli("check", url, "--allow-private", "--json", "--db", str(tmp_path / "c.db"), timeout=200)
        assert result.code in (0, 1), result.stderr
        paths = [path for _, path in server.started]
        assert any(p.startswith("/api/v2/") for p in paths) and any(p.startswith("/media/") for p in paths)
        assert 1 <= server.max_inflight <= 2
    finally:
        server.stop()


def test_robots_crawl_delay_is_kept(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    delay = 0.4
    server, app = start_bulk(3, crawl_delay=delay)
    try:
        targets = tmp_path / "t.txt"
        write_targets(server, app, targets)
        result = run_cli("sweep", str(targets), "--db", str(tmp_path / "s.db"), "--allow-private", "--concurrency", "3")
        assert result.code in (0, 1), result.stderr
        seen = [(t, path) for t, path in server.started if not path.startswith(("/robots.txt", "/__stats"))]
        assert len(seen) >= 6
        gaps = [(round(b[0] - a[0], 3), b[1]) for a, b in zip(seen, seen[1:], strict=False)]
        short = [(i, gaps[max(0, i - 1) : i + 2]) for i, (gap, _) in enumerate(gaps) if gap < 0.9 * delay]
        assert short == [], short  # honoured within 10 %
    finally:
        server.stop()


def test_request_budget_ends_a_space_and_the_sweep_goes_on(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    server, app = start_mixed()
    try:
        urls = app.urls(server.base_url)[:2] + [u for u in app.urls(server.base_url) if "/s/" in u][:1]
        db = tmp_path / "s.db"
        result = _sweep(run_cli, tmp_path, urls, "--max-requests-per-space", "4", "--out", str(tmp_path / "report"))
        assert result.code == 3, result.stderr  # nothing could be inspected within 4 requests
        with sqlite3.connect(db) as conn:
            crawls = [json.loads(d)["crawl"] for (d,) in conn.execute("select document from snapshots")]
            stored = [u for (u,) in conn.execute("select url from sweep_items")]
        assert sorted(stored) == sorted(urls)  # every space stored: the sweep went on
        assert {c["status"] for c in crawls} == {"error"}
        assert all("请求次数超过每个空间的上限（4 次）" in c["error"] for c in crawls)
        cost = json.loads((tmp_path / "report" / "sweep.json").read_text(encoding="utf-8"))["cost"]
        assert cost["spaces"] == 3 and cost["max_requests"] == 4
    finally:
        server.stop()
