"""Blocked is not empty: firewall, captcha and rate-limit answers give the status
``blocked`` with a Chinese reason, never an empty space and a false 不合格; a host that
keeps blocking is paused while other hosts go on."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from spacebot.pipeline import check_space

_SPACE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}的工作室</title></head><body>
<header><h1>{name}的工作室</h1><p>所在学校：实验小学 任教学科：信息技术</p></header>
<section><h2>教学资源</h2><ul>
<li><a href="/r/{sid}-1">《认识计算机》课件</a> <span>2022-03-01</span></li>
<li><a href="/r/{sid}-2">防火墙的原理与配置</a> <span>2022-03-08</span></li></ul>{more}</section>
<section><h2>我的文章</h2><ul><li><a href="/a/{sid}-1">信息课教学反思</a> <span>2022-04-01</span></li></ul></section>
</body></html>"""

# Block pages as firewalls write them, each worded its own way.
_BLOCK_PAGES: dict[str, tuple[int, dict[str, str], str]] = {
    "slider": (
        200,
        {},
        '<html><head><title>滑动验证页面</title></head><body><div id="nc_1_wrapper"><div id="nc_1__scale_text">'
        "<span>请按住滑块，拖动到最右边</span></div></div></body></html>",
    ),
    "code-form": (
        200,
        {},
        "<html><body><h2>访问验证</h2><p>您的访问频率过高，请输入下方字符后继续。</p>"
        '<form method="post"><img src="/captcha.jpg?t=1"><input name="code"><button>提交</button></form></body></html>',
    ),
    "too-often": (200, {}, "<html><body><p>请求过于频繁，请稍后再试。</p></body></html>"),
    "intercepted": (
        200,
        {},
        "<html><body><div><h3>很抱歉，由于您访问的URL有可能对网站造成安全威胁，您的访问被阻断。</h3>"
        "<p>您的请求ID是：7a3f0c</p></div></body></html>",
    ),
    "challenge-header": (
        200,
        {"cf-mitigated": "challenge"},
        "<html><head><title>Just a moment...</title></head><body><noscript>Enable JavaScript</noscript></body></html>",
    ),
    "teapot": (418, {}, "<html><body>I'm a teapot</body></html>"),
}


_APP = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>教师空间</title></head><body><div id="root"></div>
<script>fetch('/api/space').then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
  if (!d) return;
  var html = '<h1>' + d.name + '的空间</h1><section><h2>教学资源</h2><ul>';
  d.resources.forEach(function (t, i) {
    html += '<li><a href="/r/x-' + i + '">' + t + '</a> 2022-05-0' + (i + 1) + '</li>';
  });
  html += '</ul></section><section><h2>我的文章</h2><ul>';
  d.articles.forEach(function (t, i) { html += '<li><a href="/a/x-' + i + '">' + t + '</a> 2022-06-01</li>'; });
  document.getElementById('root').innerHTML = html + '</ul></section>';
});</script></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server  # type: ignore[assignment]

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, body: str, status: int = 200, headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        with self.server.lock:
            self.server.log.append((time.monotonic(), path))
        if path == "/robots.txt":
            return self._send("User-agent: *\nAllow: /\n")
        with self.server.lock:
            storm = self.server.storm_left > 0 or self.server.storm_until > time.monotonic()
            self.server.storm_left -= 1
        if storm:
            return self._send("<html><body>Too Many Requests</body></html>", 429, {"Retry-After": "3600"})
        parts = path.strip("/").split("/")
        if parts[0] in _BLOCK_PAGES:
            status, headers, body = _BLOCK_PAGES[parts[0]]
            return self._send(body, status, headers)
        if parts[0] == "private":
            return self._send("<html><body><p>该空间仅主人自己可见。</p></body></html>", 403)
        if parts[0] == "empty":
            return self._send("<html><body><h1>王老师的空间</h1><p>暂无资源</p><p>暂无文章</p></body></html>")
        if parts[0] == "captcha-list":  # the listing behind "更多" is answered by a captcha
            return self._send(_BLOCK_PAGES["code-form"][2])
        if parts[0] == "spa":  # an app that draws the space from its API
            return self._send(_APP)
        if parts[0] == "api":
            with self.server.lock:
                failing = self.server.api_failures > 0
                self.server.api_failures -= 1
            if failing:
                return self._send('{"error": "busy"}', 500)
            body = '{"name": "周老师", "resources": ["《浮力》课件", "《压强》教学设计"], "articles": ["实验课反思"]}'
            return self._send(body)
        if parts[0] == "s":
            more = '<a href="/captcha-list/1">更多资源</a>' if parts[1] == "walled-list" else ""
            return self._send(_SPACE.format(name="陈老师", sid=parts[1], more=more))
        if parts[0] in ("r", "a"):
            return self._send(f"<html><body><h1>条目 {parts[1]}</h1><p>发布时间：2022-03-01</p></body></html>")
        self._send("<html><body>没有这个页面</body></html>", 404)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: str) -> None:
        super().__init__((address, 0), _Handler)
        self.lock = threading.Lock()
        self.log: list[tuple[float, str]] = []
        self.storm_until = 0.0
        self.storm_left = 0  # answers still to give as 429
        self.api_failures = 0  # API answers still to give as 500
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    running = _Server("127.0.0.1")
    yield running
    running.stop()


@pytest.mark.parametrize("case", sorted(_BLOCK_PAGES))
def test_a_block_page_is_blocked_not_empty(case: str, server: _Server) -> None:
    result = asyncio.run(check_space(f"{server.base_url}/{case}/1", allow_private=True))
    crawl = result.snapshot.crawl
    assert crawl.status == "blocked", (crawl.status, crawl.error)
    assert crawl.error and ("拦截" in crawl.error or "验证" in crawl.error or "频繁" in crawl.error), crawl.error
    assert result.verdict == "error"  # 无法检查, never a 不合格 of an "empty" space
    assert not [f for f in result.findings if f.severity == "fail"]


@pytest.mark.parametrize(
    "path, status, visibility",
    [("private/1", "ok", "private"), ("empty/1", "ok", "everyone"), ("s/plain", "ok", "everyone")],
)
def test_spaces_that_say_little_are_not_blocked(path: str, status: str, visibility: str, server: _Server) -> None:
    """An owner's wall, an empty space and an IT teacher's "防火墙" lesson are the space's own answer."""
    result = asyncio.run(check_space(f"{server.base_url}/{path}", allow_private=True))
    assert (result.snapshot.crawl.status, result.snapshot.visibility.value) == (status, visibility)
    if path == "s/plain":
        assert "防火墙的原理与配置" in [r.title for r in result.snapshot.resources]


def test_a_captcha_inside_a_space_makes_its_counts_unsure(server: _Server) -> None:
    """The home is read, but the resource list behind 更多 answers a captcha: the list is
    incomplete (a review), not a space with fewer resources (a fail)."""
    result = asyncio.run(check_space(f"{server.base_url}/s/walled-list", allow_private=True))
    assert result.snapshot.crawl.status == "ok"
    assert [r.title for r in result.snapshot.resources][:2] == ["《认识计算机》课件", "防火墙的原理与配置"]
    resources = result.snapshot.completeness["resources"]
    assert not resources.complete
    assert "1 个列表页无法打开" in resources.evidence
    counted = [f for f in result.findings if f.rule == "count"]
    assert counted and all(f.severity == "review" for f in counted), counted


@pytest.mark.parametrize(
    "html",
    [
        "<h2>第三课 网络安全与防火墙</h2><p>本课介绍防火墙与安全防护。</p>",
        "<p>教师身份验证说明</p>",
        "<h1>王老师的空间</h1><a href='/a'>首页</a><a href='/b'>留言</a><p>暂无内容</p><p>请输入验证码</p>",
    ],
)
def test_what_a_space_says_about_security_is_no_block(html: str) -> None:
    from crawler.extract.blocks import detect_block
    from crawler.extract.dom import parse_html

    assert detect_block(parse_html(f"<html><body>{html}</body></html>"), 200) is None


def _sweep_args(targets: Path, db: Path, *extra: str) -> list[str]:
    return ["sweep", str(targets), "--db", str(db), "--allow-private", "--concurrency", "4", *extra]


def test_a_rate_limit_storm_pauses_the_host_then_tries_again(tmp_path: Path, server: _Server, run_cli) -> None:  # type: ignore[no-untyped-def]
    urls = [f"{server.base_url}/s/{n}" for n in range(6)]
    targets = tmp_path / "t.txt"
    targets.write_text("\n".join(urls) + "\n", encoding="utf-8")
    server.storm_left = 4  # the first four answers are 429
    db = tmp_path / "s.db"
    result = run_cli(*_sweep_args(targets, db, "--pause-after-blocked", "3", "--pause-minutes", "0.05"), timeout=120)
    assert "Traceback" not in result.stderr
    with sqlite3.connect(db) as conn:
        statuses = dict(conn.execute("select url, json_extract(document, '$.crawl.status') from snapshots").fetchall())
    assert statuses == {url: "ok" for url in urls}  # the spaces caught in the storm were tried again after it
    times = [t for t, path in server.log if path != "/robots.txt"]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert max(gaps) >= 2.9  # the host was left alone for the 3-second pause


def test_a_host_that_keeps_blocking_does_not_hold_up_the_others(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    walled, open_host = _Server("127.0.0.2"), _Server("127.0.0.3")
    try:
        walled.storm_until = time.monotonic() + 3600
        walled_urls = [f"{walled.base_url}/s/{n}" for n in range(4)]
        open_urls = [f"{open_host.base_url}/s/{n}" for n in range(8)]
        targets = tmp_path / "t.txt"
        targets.write_text("\n".join(walled_urls + open_urls) + "\n", encoding="utf-8")
        db = tmp_path / "s.db"
        started = time.monotonic()
        result = run_cli(*_sweep_args(targets, db, "--pause-after-blocked", "2", "--pause-minutes", "0.1"), timeout=180)
        assert time.monotonic() - started < 90
        assert "Traceback" not in result.stderr
        with sqlite3.connect(db) as conn:
            rows = conn.execute("select url, document from snapshots").fetchall()
        import json

        crawls = {url: json.loads(doc)["crawl"] for url, doc in rows}
        assert {u: crawls[u]["status"] for u in walled_urls} == dict.fromkeys(walled_urls, "blocked")
        # Each says why: the 429 itself, or the pause that a run of them started.
        assert all("HTTP 429" in crawls[u]["error"] or "已暂停访问该平台" in crawls[u]["error"] for u in walled_urls)
        assert {u: crawls[u]["status"] for u in open_urls} == dict.fromkeys(open_urls, "ok")
        host = f"127.0.0.2:{walled.server_address[1]}"
        assert f"被平台拦截（防火墙、验证码或访问频率限制）4 个：{host} 4 个，其间暂停访问" in result.stdout
        # The open host was served during the walled host's first pause.
        first_pause = sorted(t for t, p in walled.log if p != "/robots.txt")
        pauses = [(a, b) for a, b in zip(first_pause, first_pause[1:], strict=False) if b - a >= 5.5]
        assert pauses, "the walled host was never paused"
        assert any(pauses[0][0] < t < pauses[0][1] for t, _ in open_host.log)
    finally:
        walled.stop()
        open_host.stop()


@pytest.mark.parametrize("failures", [1, 1000])
def test_an_app_that_drew_nothing_is_not_an_empty_space(failures: int, server: _Server) -> None:
    """The app's API fails: drawn again once; when it still shows nothing, the check says
    it could not read the space (无法检查) instead of failing an "empty" one."""
    server.api_failures = failures
    result = asyncio.run(check_space(f"{server.base_url}/spa/1", allow_private=True))
    crawl = result.snapshot.crawl
    if failures == 1:
        assert crawl.status == "ok" and result.snapshot.profile.name == "周老师"
        assert [r.title for r in result.snapshot.resources] == ["《浮力》课件", "《压强》教学设计"]
    else:
        assert (crawl.status, result.verdict) == ("error", "error")
        assert crawl.error and "没有显示任何内容" in crawl.error
        assert not [f for f in result.findings if f.severity == "fail"]


def test_a_pause_holds_for_the_platform_not_one_address() -> None:
    """Blocked answers over https pause the same platform's http address too (a target
    written as http:// that redirects to https:// waits for the same pause)."""
    from crawler import HostGate

    gate = HostGate(2, pause_after=2, pause_seconds=60)
    gate.answered("https://space.example.edu.cn/a", True)
    gate.answered("https://space.example.edu.cn/b", True)
    assert gate.paused("http://space.example.edu.cn/s/1") and gate.paused("https://SPACE.example.edu.cn/")
    assert not gate.paused("http://other.example.edu.cn/")
    assert sum(gate.pauses.values()) == 1
