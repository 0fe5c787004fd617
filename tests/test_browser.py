"""The shared browser of a sweep: spaces read at once share one chromium."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from benchmarks.proctree import descendants
from crawler import TURN_BROWSER, TURN_PROBES, Turns
from crawler.transport.browser import IDLE_CLOSE_S, BrowserSession
from crawler.transport.ssrf import AddressPolicy
from tests.farm.mixed import start_mixed


def _browsers() -> int:
    """Chromium browser processes below this one (not its renderers, GPU or utility helpers)."""
    count = 0
    for pid in descendants(os.getpid()):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"/chromium") and not any(a.startswith(b"--type=") for a in args):
            count += 1
    return count


def test_spaces_read_at_once_start_one_chromium() -> None:
    server, app = start_mixed()
    try:
        urls = app.urls(server.base_url)[:6]

        async def run() -> tuple[int, int]:
            browser = BrowserSession(timeout=30, policy=AddressPolicy(allow_private=True))
            try:
                pages = await asyncio.gather(*(browser.render(url) for url in urls))
                assert all(page.status == 200 for page in pages)
                return _browsers(), len(pages)
            finally:
                await browser.aclose()

        browsers, rendered = asyncio.run(run())
        assert rendered == len(urls) >= 4
        assert browsers == 1  # not one per space that opened its first tab at the same time
        assert _browsers() == 0  # and closed with the session
    finally:
        server.stop()


def test_a_scrolled_list_is_read_whole_while_the_host_gate_holds_its_requests() -> None:
    """A host whose requests are spaced 4 s apart (as ``--delay`` or a robots.txt
    Crawl-delay asks): each request the list's script makes as the page is scrolled waits
    seconds for its turn at the gate. The list is read to its end all the same, as without
    the delay (the wait is the crawl's, not the page's)."""
    from crawler.extract.records import find_records
    from crawler.transport.gate import HostGate
    from tests.generator import GeneratedFarm
    from tests.generator.draw import first_seed
    from tests.generator.urls import Urls

    with GeneratedFarm(0, 1, spaces=1, seeds=[first_seed("server", pager="infinite")]) as farm:
        platform = farm.platforms[0]
        style = platform.style
        listing = platform.base_url + Urls(style).listing(platform.spaces[0].sid, "res")

        async def rows(delay: float) -> int:
            browser = BrowserSession(timeout=30, policy=AddressPolicy(allow_private=True), gate=HostGate(2, delay))
            try:
                page = await browser.render(listing, load_more=True)
                return len(find_records(page.soup, page.final_url))
            finally:
                await browser.aclose()

        free = asyncio.run(rows(0.0))
        assert free > 3 * style.page_size  # the script asked three pages or more as it was scrolled
        assert asyncio.run(rows(4.0)) == free


_COVERED_LIST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>资源</title></head><body>
<ul id="list"></ul><button id="more" type="button">加载更多</button>
<div style="position:fixed;left:0;top:0;width:100%;height:100%;background:rgba(255,255,255,0.01)">
  <p>欢迎访问，请使用最新版浏览器</p></div>
<script>
var page = 0;
function more() {
  page += 1;
  fetch('/api/res?page=' + page).then(function (r) { return r.json(); }).then(function (d) {
    document.getElementById('list').insertAdjacentHTML('beforeend', d.rows.map(function (x) {
      return '<li><a href="/res/' + x.id + '">' + x.title + '</a> <span>2023-05-0' + (1 + x.id % 9) + '</span></li>';
    }).join(''));
    if (!d.more) { document.getElementById('more').remove(); }
  });
}
document.getElementById('more').onclick = more;
more();
</script></body></html>"""


def test_a_load_more_button_under_a_floating_layer_is_still_clicked_to_the_end() -> None:
    """A page-wide notice layer (nearly transparent) lies over the list: a mouse click on
    加载更多 would hit the layer, so Playwright's click never passes its checks. The list
    is still read to its end (clicked by script), not taken as whole after its first rows."""
    import json

    from crawler.extract.records import find_records
    from tests.farm.server import FarmServer, Request, Response, html

    def route(request: Request) -> Response:
        if request.path == "/api/res":
            page = int(request.q("page", "1"))
            rows = [{"id": i, "title": f"第{i}课教学课件"} for i in range(10 * page - 9, min(10 * page, 25) + 1)]
            body = json.dumps({"rows": rows, "more": 10 * page < 25}, ensure_ascii=False).encode()
            return Response(body=body, content_type="application/json; charset=utf-8")
        return html(_COVERED_LIST)

    server = FarmServer(route).start()
    try:

        async def rows() -> list[str]:
            browser = BrowserSession(timeout=15, policy=AddressPolicy(allow_private=True))
            try:
                page = await browser.render(server.base_url + "/list", load_more=True)
                assert not page.grown_in_part
                return [r.title for r in find_records(page.soup, page.final_url)]
            finally:
                await browser.aclose()

        titles = asyncio.run(rows())
        assert titles == [f"第{i}课教学课件" for i in range(1, 26)]
    finally:
        server.stop()


def test_an_idle_chromium_is_closed_and_started_again_when_a_page_needs_it() -> None:
    """Once a sweep reads its spaces without the browser (a trusted recipe), chromium and
    Playwright's driver give their memory back; the next page that needs scripts starts
    them again."""
    server, app = start_mixed()
    try:
        url = next(u for u in app.urls(server.base_url) if "/s/" in u)  # an SPA space: drawn by scripts

        async def run() -> tuple[list[int], list[int]]:
            browser = BrowserSession(timeout=30, policy=AddressPolicy(allow_private=True), idle_close_s=1.0)
            try:
                first = await browser.render(url)
                running = _browsers()
                await asyncio.sleep(0.5)
                still = _browsers()  # not closed while a sweep may still need it
                await asyncio.sleep(1.5)
                idle = _browsers(), len(descendants(os.getpid()))
                again = await browser.render(url)
                assert first.html == again.html and "/api/" in " ".join(a for a, _ in again.answers)
                return [running, still, *idle], [_browsers(), browser.idle_closes]
            finally:
                await browser.aclose()

        before, after = asyncio.run(run())
        assert before == [1, 1, 0, 0]  # closed, driver and all, after a second with no page
        assert after == [1, 1]  # started again for the next page
        assert _browsers() == 0
    finally:
        server.stop()


def test_chromium_gives_way_to_the_probes_and_waits_for_them() -> None:
    """A sweep whose rubric reads the title cards runs chromium and the probes' OCR in
    turns: probes waiting close an unused chromium within the grace (not the half-minute
    idle wait), and a page wanted while probes run waits for them, then starts chromium."""
    server, app = start_mixed()
    try:
        url = next(u for u in app.urls(server.base_url) if "/s/" in u)  # an SPA space: drawn by scripts

        async def run() -> dict[str, object]:
            turns = Turns()
            browser = BrowserSession(timeout=30, policy=AddressPolicy(allow_private=True), turns=turns)
            seen: dict[str, object] = {}
            try:
                await browser.render(url)
                seen["up"] = (_browsers(), turns.side)
                waited = time.monotonic()
                await turns.acquire(TURN_PROBES)  # a probe: waits for chromium to go
                seen["probe waited"] = time.monotonic() - waited
                seen["while probing"] = _browsers()
                page = asyncio.ensure_future(browser.render(url))
                for _ in range(100):  # until the page asks for chromium
                    if turns.wanted_by(TURN_BROWSER):
                        break
                    await asyncio.sleep(0.02)
                await asyncio.sleep(0.5)
                seen["page waiting"] = (turns.wanted_by(TURN_BROWSER), turns.side, page.done(), _browsers())
                await turns.release(TURN_PROBES)
                seen["page"] = (await page).status
                seen["after"] = (_browsers(), turns.side)
                return seen
            finally:
                await browser.aclose()
                seen["closed"] = (turns.side, turns.wanted_by(TURN_PROBES), turns.changes)

        seen = asyncio.run(run())
        assert seen["up"] == (1, TURN_BROWSER)
        assert seen["while probing"] == 0
        assert isinstance(seen["probe waited"], float) and seen["probe waited"] < IDLE_CLOSE_S / 2
        assert seen["page waiting"] == (True, TURN_PROBES, False, 0)
        assert seen["page"] == 200 and seen["after"] == (1, TURN_BROWSER)
        assert seen["closed"] == (None, False, 2)  # the turn given back with chromium
        assert _browsers() == 0
    finally:
        server.stop()
