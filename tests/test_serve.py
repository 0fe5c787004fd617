"""``spacebot serve``: a real uvicorn server on a free port, driven by real chromium
(pytest-playwright's fixtures) as a teacher would, and by httpx as a portal would."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import uvicorn
from playwright.sync_api import Page, expect

from crawler import AddressPolicy
from reports import CHECK_SCHEMA_PATH, VERDICT_TEXT
from spacebot.web import ServeSettings, create_app
from spacebot.web._app import CSP
from tests.conftest import LOOPBACK, ROOT
from tests.farm import Farm

ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCHEMA = json.loads(CHECK_SCHEMA_PATH.read_text(encoding="utf-8"))


@contextmanager
def serving(db: Path, **settings: Any) -> Iterator[str]:
    """The app under uvicorn on 127.0.0.1 and a free port, in a thread; its base URL."""
    app = create_app(str(db), ServeSettings(**settings))
    server = uvicorn.Server(uvicorn.Config(app, port=0, log_level="critical", proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="module")
def served(farm: Farm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server that may check the farm (it lives on loopback: started with the flag)."""
    db = tmp_path_factory.mktemp("serve") / "serve.db"
    with serving(db, policy=LOOPBACK, rate_limit=1000) as base:  # the tests here are one client
        yield base


def _wait_done(base: str, job: str, limit: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        state = httpx.get(f"{base}/api/checks/{job}").json()
        if state["status"] in ("done", "error"):
            return dict(state)
        time.sleep(0.5)
    raise AssertionError(f"check {job} not done in {limit} s")


def _watch(page: Page) -> tuple[list[str], list[str]]:
    """Every URL the page requests, and every script error or dialog."""
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return requests, errors


def test_a_teacher_checks_a_space_and_reads_the_card(served: str, farm: Farm, page: Page) -> None:
    requests, errors = _watch(page)
    space = farm.space("tianyu:10001")
    page.goto(served + "/")
    page.get_by_label("空间网址").fill(space.url)
    page.get_by_label("学段").select_option("小学")
    expect(page.get_by_label("评价标准")).to_have_value("quanzhou-2022")  # the default, shown by its title
    page.get_by_role("button", name="开始检查").click()
    # The progress page: the stages of the check, refreshed until it is done.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("正在检查|排队等待检查|的检查结果"))
    if "检查结果" not in page.title():  # still under way: the stages of the check are listed
        expect(page.locator("ol.stages, .done-box").first).to_contain_text(re.compile("打开空间|结论"))
    expect(page.locator(".done-box")).to_be_visible(timeout=300_000)
    job = page.url.rsplit("/", 1)[1]
    document = httpx.get(f"{served}/checks/{job}.json").json()
    jsonschema.validate(document, SCHEMA)
    box = page.locator(".done-box").inner_text()
    assert f"结论：{VERDICT_TEXT[document['verdict']]}" in box
    titles = {f["item"] for f in document["findings"] if f["severity"] == "fail"}
    assert titles  # this space misses items (video lengths, 互动): each is named with what to fix
    for finding in document["findings"]:
        if finding["severity"] == "fail":
            assert finding["message"] in box
    # The card is the reviewers' card: every finding in its table, the profile, the videos.
    card = page.locator("section[aria-labelledby=card]")
    expect(card.locator("#items + table tbody tr")).to_have_count(len(document["findings"]))
    expect(card).to_contain_text("林晓梅")
    expect(card).to_contain_text("片头文字、声音与画面")
    assert "linxm@example.edu.cn" not in page.content()  # contacts stay hidden
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "self-check.png"))
    assert errors == []
    assert requests and all(url.startswith((served + "/", "data:")) for url in requests), requests


HOSTILE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>空间</title></head><body>
<h1>&lt;img src=x onerror=alert(1)&gt;王老师的空间</h1>
<section><h2>教学资源</h2><ul>
<li><a href="/r/1">&lt;script&gt;alert(2)&lt;/script&gt;课件</a> 2022-03-01</li></ul></section>
<section><h2>我的文章</h2><ul><li><a href="/a/1">反思</a> 2022-04-01</li></ul></section>
<section><h2>友情链接</h2><ul><li><a href="javascript:alert(3)">点我</a></li>
<li><a href="http://evil.example/x">&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;</a></li></ul></section>
</body></html>"""


@pytest.fixture(scope="module")
def hostile_space() -> Iterator[str]:
    """A space whose heading, titles and links carry markup and ``javascript:`` links."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = HOSTILE_PAGE.encode() if self.path in ("/", "/space") else b"<html><body>ok</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/space"
    server.shutdown()


def test_a_hostile_space_is_shown_as_text_and_can_be_checked_again(served: str, hostile_space: str, page: Page) -> None:
    answer = httpx.post(f"{served}/api/checks", json={"url": hostile_space})
    assert answer.status_code == 202
    job = answer.json()["id"]
    state = _wait_done(served, job)
    assert state["status"] == "done"
    assert any("alert(4)" in link["text"] for link in state["result"]["outbound_links"])
    requests, errors = _watch(page)
    page.goto(f"{served}/checks/{job}")
    shown = page.evaluate("document.body.innerText")
    assert '"><script>alert(4)</script>' in shown  # as text, where the card lists the links
    if state["result"]["profile"]["name"]:
        assert state["result"]["profile"]["name"] in shown
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("[...document.images].every(i => i.src.startsWith('data:image/'))")
    hrefs = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if not h.startswith(("/", "http://", "https://"))], hrefs
    # 重新检查: a new check of the same space, listed with the earlier one and what changed.
    page.get_by_role("button", name="重新检查").first.click()
    expect(page.locator(".done-box")).to_be_visible(timeout=300_000)
    assert page.url.rsplit("/", 1)[1] != job
    rows = page.locator("section[aria-labelledby=recent] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator("td").last).to_have_text("—")  # the first check has nothing before it
    expect(rows.nth(0).locator("td").last).to_have_text("无变化")
    expect(rows.nth(0).locator("td").first).to_have_text(re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$"))
    assert errors == []  # no dialog, no script error, nothing the CSP had to refuse
    assert all(url.startswith((served + "/", "data:")) for url in requests), requests


def test_no_serious_or_critical_accessibility_violations(served: str, farm: Farm, browser: Any) -> None:
    assert AXE.exists(), "axe-core is installed by `make test` (npm ci)"
    job = httpx.post(f"{served}/api/checks", json={"url": farm.space("dragdrop:sunli").url}).json()["id"]
    _wait_done(served, job)
    context = browser.new_context(bypass_csp=True, locale="zh-CN")  # the pages allow no script: axe is injected
    try:
        found = {}
        for path in ("/", f"/checks/{job}", "/checks/none"):
            page = context.new_page()
            page.goto(served + path)
            page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
            found[path] = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".filter(v => v.impact === 'critical' || v.impact === 'serious')"
                ".map(v => v.id + ': ' + v.help + ' ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
            )
        assert found == {path: [] for path in found}
    finally:
        context.close()


def test_api_accepts_then_answers_with_the_check(served: str, farm: Farm) -> None:
    space = farm.space("tianyu:NID555912")
    answer = httpx.post(f"{served}/api/checks", json={"url": space.url, "group": "初中", "rubric": "wuhan-2022"})
    assert answer.status_code == 202
    assert set(answer.json()) == {"id", "status"} and answer.json()["status"] in ("queued", "running")
    state = _wait_done(served, answer.json()["id"])
    assert state["status"] == "done" and state["error"] is None
    result = state["result"]
    jsonschema.validate(result, SCHEMA)
    assert result["target"]["url"] == space.url and result["target"]["group"] == "初中"
    # The same space asked again within minutes: the stored check, at once.
    again = httpx.post(f"{served}/api/checks", json={"url": space.url, "group": "初中", "rubric": "wuhan-2022"})
    assert again.status_code == 202 and again.json()["status"] == "done"
    assert httpx.get(f"{served}/api/checks/{again.json()['id']}").json()["result"] == result
    schema = httpx.get(f"{served}/openapi.json").json()
    assert {"/api/checks", "/api/checks/{job_id}"} <= set(schema["paths"])


def test_a_private_address_is_refused_when_asked_for(farm: Farm, tmp_path: Path) -> None:
    space = farm.space("dragdrop:lisi")
    with serving(tmp_path / "s.db") as base:  # no --allow-private: the farm is loopback
        answer = httpx.post(f"{base}/api/checks", json={"url": space.url})
        assert answer.status_code == 403
        assert "不能检查内网或本机地址" in answer.json()["error"]
        form = httpx.post(f"{base}/checks", data={"url": space.url})
        assert form.status_code == 403 and "不能检查内网或本机地址" in form.text
    port = space.url.split("/")[2].split(":")[1]
    with serving(tmp_path / "s.db", policy=AddressPolicy(allow_hosts=(f"127.0.0.1:{port}",))) as base:
        assert httpx.post(f"{base}/api/checks", json={"url": space.url}).status_code == 202  # on the allowlist


def test_the_eleventh_request_of_a_client_waits(farm: Farm, tmp_path: Path) -> None:
    space = farm.space("dragdrop:lisi")
    with serving(tmp_path / "s.db", policy=LOOPBACK) as base:
        typo = httpx.post(f"{base}/api/checks", json={"url": "htp://typo"})
        assert typo.status_code == 422  # a typo does not use up the client's share
        answers = [httpx.post(f"{base}/api/checks", json={"url": space.url}) for _ in range(11)]
    assert [a.status_code for a in answers] == [202] * 10 + [429]
    assert len({a.json()["id"] for a in answers[:10]}) == 1  # one check under way, not ten
    assert "检查过于频繁" in answers[10].json()["error"]
    assert 500 <= int(answers[10].headers["Retry-After"]) <= 600


def test_a_full_queue_says_when_to_come_back(farm: Farm, tmp_path: Path) -> None:
    urls = [farm.space(key).url for key in ("tianyu:10004", "spa:u1002", "dragdrop:lisi", "tianyu:NID555912")]
    with serving(tmp_path / "s.db", policy=LOOPBACK, max_running=1, max_queued=1) as base:
        answers = [httpx.post(f"{base}/api/checks", json={"url": url}) for url in urls]
    codes = [a.status_code for a in answers]
    assert codes[:2] == [202, 202] and 429 in codes[2:], codes
    refused = next(a for a in answers if a.status_code == 429)
    assert "正在检查的空间太多" in refused.json()["error"] and int(refused.headers["Retry-After"]) >= 1


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"url": "不是网址"}, "只能检查以 http:// 或 https:// 开头的网址"),
        ({"url": "http://example.edu.cn/s/1", "extra": 1}, "不认识的字段 extra"),
        ({"url": "http://example.edu.cn/s/1", "fresh": "yes"}, "fresh 应为 true 或 false"),
        ({"url": "ftp://example.edu.cn/space/1"}, "不支持的网址协议"),
        ({}, "缺少 url"),
        ({"url": 12}, "url（空间网址） 应为文字"),
        ({"url": "http://example.edu.cn/s/1", "group": "大学"}, "学段"),
        ({"url": "http://example.edu.cn/s/1", "rubric": "../../etc/passwd"}, "评价标准"),
        ({"url": "http://example.edu.cn/s/1", "rubric": str(ROOT / "inspectors/rubrics/wuhan-2022.toml")}, "评价标准"),
    ],
)
def test_malformed_requests_get_a_chinese_answer(served: str, body: dict[str, Any], said: str) -> None:
    answer = httpx.post(f"{served}/api/checks", json=body)
    assert answer.status_code in (400, 422)
    assert said in answer.json()["error"]


def test_errors_are_sentences_not_traces(served: str) -> None:
    assert httpx.post(f"{served}/api/checks", content=b"{not json").json()["error"].startswith("请求格式不正确")
    missing = httpx.get(f"{served}/api/checks/nothing")
    assert missing.status_code == 404 and "没有找到这次检查" in missing.json()["error"]
    page = httpx.get(f"{served}/checks/nothing")
    assert page.status_code == 404 and "没有找到这次检查" in page.text and "Traceback" not in page.text
    assert "没有这个页面" in httpx.get(f"{served}/nowhere").text
    assert "script-src" not in httpx.get(served).headers["content-security-policy"]  # no script may run


def test_the_serve_command_explains_bad_options(run_cli) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as s:  # a port nobody listens on: no Redis there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_cli("serve", "--broker", f"redis://127.0.0.1:{port}/0")
    assert result.code == 2 and "无法连接 Redis" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("serve", "--broker", "http://127.0.0.1:6379")
    assert result.code == 2 and "--broker 的地址无效" in result.stderr
    result = run_cli("serve", "--max-running", "0")
    assert result.code == 2 and "--max-running 必须是正整数" in result.stderr


def test_one_client_has_three_checks_under_way_at_most(farm: Farm, tmp_path: Path) -> None:
    keys = ("tianyu:10001", "tianyu:10004", "spa:u1002", "dragdrop:lisi")
    with serving(tmp_path / "s.db", policy=LOOPBACK, max_running=1) as base:
        answers = [httpx.post(f"{base}/api/checks", json={"url": farm.space(key).url}) for key in keys]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert "你已有 3 个检查正在进行" in answers[3].json()["error"]


def test_the_same_space_asked_twice_at_once_is_one_check(farm: Farm, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    url = farm.space("tianyu:10004").url
    with serving(tmp_path / "s.db", policy=LOOPBACK) as base:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: httpx.post(f"{base}/api/checks", json={"url": url}), range(4)))
    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["id"] for a in answers}) == 1


def test_oversized_and_cross_site_requests_are_refused(served: str) -> None:
    big = httpx.post(f"{served}/api/checks", content=b'{"url": "' + b"a" * 100_000 + b'"}')
    assert big.status_code == 413 and "过长" in big.json()["error"]
    assert big.headers["content-security-policy"] == CSP
    forged = httpx.post(
        f"{served}/checks", data={"url": "http://example.edu.cn/s/1"}, headers={"Origin": "http://evil.example"}
    )
    assert forged.status_code == 403 and "本站" in forged.text


def test_a_host_name_of_a_loopback_address_is_refused(tmp_path: Path) -> None:
    with serving(tmp_path / "s.db") as base:
        answer = httpx.post(f"{base}/api/checks", json={"url": "http://localhost:9/space/1"})
    assert answer.status_code == 403 and "不能检查内网或本机地址（localhost）" in answer.json()["error"]


def test_a_check_that_breaks_says_so_in_chinese(farm: Farm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import spacebot.web._app as web_app
    import spacebot.web._service as service

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    def broken_card(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("another bug")

    monkeypatch.setattr(service, "inspect_target", broken)
    with serving(tmp_path / "s.db", policy=LOOPBACK) as base:
        job = httpx.post(f"{base}/api/checks", json={"url": farm.space("tianyu:10004").url}).json()["id"]
        state = _wait_done(base, job)
        page = httpx.get(f"{base}/checks/{job}")
    assert state["status"] == "error" and state["error"] == "检查时出现内部错误，请稍后重试；如果反复出现，请联系管理员"
    assert "检查时出现内部错误" in page.text and "RuntimeError" not in page.text and "a bug" not in page.text
    monkeypatch.undo()
    monkeypatch.setattr(web_app, "render_card_body", broken_card)
    with serving(tmp_path / "s.db", policy=LOOPBACK) as base:
        job = httpx.post(f"{base}/api/checks", json={"url": farm.space("tianyu:10004").url}).json()["id"]
        _wait_done(base, job)
        page = httpx.get(f"{base}/checks/{job}")
    assert page.status_code == 500 and "服务器内部错误" in page.text
    assert "Traceback" not in page.text and "another bug" not in page.text
    assert page.headers["content-security-policy"] == CSP


def test_the_rate_limit_window_slides() -> None:
    from spacebot.web._service import Busy, RateLimiter, client_key

    limiter = RateLimiter(2, 0.3)
    limiter.take("a")
    limiter.take("a")
    limiter.take("b")  # another client has its own share
    with pytest.raises(Busy, match="同一 IP 地址每"):
        limiter.take("a")
    time.sleep(0.35)
    limiter.take("a")  # the window has moved on
    assert client_key("2001:db8:1:2:3:4:5:6") == client_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert client_key("10.0.0.7") == "10.0.0.7"
