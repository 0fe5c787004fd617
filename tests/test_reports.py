"""The HTML reports, opened in the real browser from ``file://`` as a reviewer would."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page

from tests.conftest import ROOT
from tests.farm import Farm
from tests.farm.spaces import HOSTILE_TITLE

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def report(farm: Farm, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os
    import subprocess
    import sys

    tmp = tmp_path_factory.mktemp("report")
    targets = tmp / "targets.txt"
    targets.write_text("\n".join(fs.url for fs in farm.spaces) + "\n", encoding="utf-8")
    out = tmp / "out"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "spacebot",
            "sweep",
            str(targets),
            "--db",
            str(tmp / "s.db"),
            "--allow-private",
            "--out",
            str(out),
        ],
        cwd=tmp,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (out / "index.html").exists()
    return out


def _open(page: Page, path: Path, actions=None):  # type: ignore[no-untyped-def]
    """Open ``path`` in pytest-playwright's page; what went wrong, what was requested, and
    what ``actions(page)`` returned."""
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: errors.append("dialog: " + d.message))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    result = actions(page) if actions else None
    return errors, requests, result


def _in_thread(call):  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(call).result()


def test_dashboard_works_offline_sorts_and_filters(report: Path, farm: Farm, page: Page) -> None:
    def actions(page):  # type: ignore[no-untyped-def]
        teachers = lambda: page.eval_on_selector_all(  # noqa: E731
            "#cohort-table tbody tr:not([hidden]) td:nth-child(2)", "els => els.map(e => e.textContent)"
        )
        first = teachers()
        page.click("th button[data-key=resources]")
        ascending = page.eval_on_selector_all("#cohort-table tbody tr", "els => els.map(e => +e.dataset.resources)")
        page.click("th button[data-key=resources]")
        descending = page.eval_on_selector_all("#cohort-table tbody tr", "els => els.map(e => +e.dataset.resources)")
        page.fill("#filter", "黄志强")
        filtered = teachers()
        page.fill("#filter", "")
        page.select_option("#verdict-filter", "error")
        errors_only = page.eval_on_selector_all("#cohort-table tbody tr:not([hidden])", "els => els.length")
        page.select_option("#verdict-filter", "")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        return first, ascending, descending, filtered, errors_only

    errors, requests, found = _open(page, report / "index.html", actions)
    first, ascending, descending, filtered, errors_only = found
    assert errors == []
    assert all(url.startswith("file://") for url in requests), requests
    assert len(first) == len(farm.spaces)
    assert ascending == sorted(ascending) and descending == sorted(descending, reverse=True) and ascending != descending
    assert filtered == ["黄志强"]
    assert errors_only == 1  # the missing space


def test_every_report_card_link_resolves(report: Path) -> None:
    import re

    index = (report / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"#]+)"', index))
    local = {link for link in links if not link.startswith(("http://", "https://"))}
    assert local and all((report / link).exists() for link in local)
    for card in (report / "spaces").glob("*.html"):
        for link in re.findall(r'href="([^"#]+)"', card.read_text(encoding="utf-8")):
            if not link.startswith(("http://", "https://")):
                assert (card.parent / link).resolve().exists(), (card.name, link)


def test_a_hostile_title_renders_as_text(report: Path, farm: Farm, page: Page) -> None:
    documents = json.loads((report / "sweep.json").read_text(encoding="utf-8"))["spaces"]
    [sunli] = [i for i, s in enumerate(documents, start=1) if s["url"] == farm.space("dragdrop:sunli").url]
    card = report / "spaces" / f"{sunli:04d}.html"
    assert HOSTILE_TITLE in [a["title"] for a in documents[sunli - 1]["document"]["articles"]]

    def actions(page):  # type: ignore[no-untyped-def]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-card.png"), full_page=True)
        return (
            page.evaluate("document.body.innerText"),
            page.evaluate("document.querySelectorAll('script').length"),
            page.evaluate("[...document.images].filter(i => !i.src.startsWith('data:image/png;base64,')).length"),
        )

    errors, requests, (text, scripts, images) = _open(page, card, actions)
    assert errors == []  # no alert dialog, no script error
    assert all(url.startswith("file://") for url in requests)
    assert scripts == 0 and images == 0  # the title's <script> and <img> are text (the only image: the screenshot)
    assert "<script>alert(3)</script>" not in (card.read_text(encoding="utf-8"))


def test_report_card_of_a_complete_space(report: Path, farm: Farm, page: Page) -> None:
    documents = json.loads((report / "sweep.json").read_text(encoding="utf-8"))["spaces"]
    [n] = [i for i, s in enumerate(documents, start=1) if s["url"] == farm.space("tianyu:10001").url]
    html = (report / "spaces" / f"{n:04d}.html").read_text(encoding="utf-8")
    for text in ("林晓梅", "原创精品微课", "活动广场", "1920×1080", "www.xuekewang-example.com", "深度应用指数"):
        assert text in html, text
    assert "linxm@example.edu.cn" not in html  # contacts hidden unless --show-contacts
    # each video's title card as the probe read it: a thumbnail, the text, the five items,
    # sound and light
    for text in ("片头文字、声音与画面", "《分数的初步认识》", "教材版本：人教版", "主讲教师：林晓梅", "LUFS", "亮度"):
        assert text in html, text

    def thumbnails(page):  # type: ignore[no-untyped-def]
        return page.evaluate(
            "[...document.querySelectorAll('img[alt$=\"的片头画面\"]')].map(i => [i.naturalWidth, i.src.slice(0, 23)])"
        )

    errors, requests, shown = _open(page, report / "spaces" / f"{n:04d}.html", thumbnails)
    assert shown and all(width > 0 and src == "data:image/jpeg;base64," for width, src in shown), shown
    assert errors == [] and all(r.startswith(("file:", "data:")) for r in requests)


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("report_page", ["index.html", "spaces/0001.html", "spaces/0012.html"])
def test_no_critical_or_serious_accessibility_violations(report_page: str, report: Path, page: Page) -> None:
    assert AXE.exists(), "axe-core is installed by `make test` (npm ci)"

    def actions(browser_page):  # type: ignore[no-untyped-def]
        browser_page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        return browser_page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => v.impact === 'critical' || v.impact === 'serious')"
            ".map(v => v.id + ': ' + v.help + ' ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
        )

    errors, _, violations = _open(page, report / report_page, actions)
    assert violations == []
    assert errors == []


def test_exports(report: Path, farm: Farm) -> None:
    raw = (report / "findings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert {"教师", "评价项", "结果", "要求", "实测"} <= set(rows[0])
    assert any(r["教师"] == "林晓梅" and r["评价项"] == "原创精品微课" for r in rows)
    sheet = load_workbook(report / "findings.xlsx").active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert sheet.max_row == len(rows) + 1
    data = json.loads((report / "sweep.json").read_text(encoding="utf-8"))
    assert len(data["spaces"]) == len(farm.spaces)


def test_report_command_for_an_empty_database(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("report", "--db", str(tmp_path / "s.db"), "--out", str(tmp_path / "out"))
    assert result.code == 2 and "找不到数据库" in result.stderr


def test_screenshots_are_stored_once_and_shown_on_the_card(farm: Farm, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    url = farm.space("tianyu:10001").url
    db = str(tmp_path / "s.db")
    for _ in range(2):
        assert run_cli("check", "--json", "--allow-private", "--screenshots", "--db", db, url).code == 1
    with sqlite3.connect(db) as conn:
        blobs = conn.execute("select kind, count(*), max(size) from blobs group by kind").fetchall()
        links = conn.execute("select snapshot_id, role from snapshot_blobs").fetchall()
    kinds = {kind: (count, size) for kind, count, size in blobs}
    by_snapshot: dict[int, set[str]] = {}
    for snapshot_id, role in links:
        by_snapshot.setdefault(snapshot_id, set()).add(role)
    roles = by_snapshot
    # one copy each, however often it is seen
    assert kinds["html"][0] == 1 and kinds["png"][0] == 1 and kinds["png"][1] > 10_000 and kinds["jpg"][0] >= 1
    # the videos' title cards are stored when they are probed; the second check reuses the probes
    first, second = (roles[n] for n in sorted(by_snapshot))
    assert {"home.html", "home.png"} < first and any(role.endswith(".jpg") for role in first)
    assert second == {"home.html", "home.png"}
    assert run_cli("report", "--db", db, "--out", str(tmp_path / "out")).code == 0
    card = (tmp_path / "out" / "spaces" / "0001.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in card and "空间主页截图" in card
    assert 'src="data:image/jpeg;base64,' in card  # the latest check shows the cards its probes read


def test_the_screenshot_is_of_the_live_page(tmp_path: Path) -> None:
    """A one-page app whose hash route decides what its script draws on a canvas: nothing of
    the drawing is in the stored HTML, and a re-render of that HTML (at another address)
    draws nothing. The screenshot shows the drawing: it is of the page a visitor saw."""
    import io
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import av

    from crawler import AddressPolicy, CrawlOptions
    from spacebot.pipeline import check_space

    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>空间</title></head><body style='margin:0'>"
        "<h1>吴老师的空间</h1><section><h2>教学资源</h2><ul><li><a href='/r/1'>课件</a> 2022-03-01</li></ul></section>"
        "<section><h2>我的文章</h2><ul><li><a href='/a/1'>反思</a> 2022-04-01</li></ul></section>"
        "<canvas id='c' width='1280' height='900' style='position:absolute;left:0;top:0'></canvas>"
        "<script>if (location.hash === '#/home') { var g = document.getElementById('c').getContext('2d');"
        "g.fillStyle = 'rgb(200,30,30)'; g.fillRect(0, 0, 1280, 900); }</script></body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        options = CrawlOptions(policy=AddressPolicy(allow_private=True), screenshots=True)
        # In a thread of its own: this module's chromium (pytest-playwright's, sync) keeps
        # an event loop marked running on the main thread.
        url = f"http://127.0.0.1:{server.server_address[1]}/#/home"
        result = _in_thread(lambda: asyncio.run(check_space(url, options=options)))
    finally:
        server.shutdown()
    png = result.snapshot.artifacts["home.png"]
    assert b"canvas" in result.snapshot.artifacts["home.html"]
    with av.open(io.BytesIO(png)) as container:
        frame = next(container.decode(video=0)).reformat(format="rgb24")
    plane = frame.planes[0]
    row = bytes(plane)[450 * plane.line_size : 450 * plane.line_size + 3 * 1280]
    assert tuple(row[640 * 3 : 640 * 3 + 3]) == (200, 30, 30)  # the script's drawing, live
