"""Certificates: an expired, self-signed or misnamed certificate is the status ``error``
with "证书无效（…）", never a traceback or "unreachable"; ``--insecure-host`` lets a bureau
read its own platform anyway, for that host only."""

from __future__ import annotations

import asyncio
import datetime
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme

from crawler import AddressPolicy, CrawlOptions
from spacebot.pipeline import check_space

_SPACE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>林老师的空间</title></head><body>
<h1>林老师的空间</h1><section><h2>教学资源</h2><ul>
<li><a href="/r/1">《分数的意义》课件</a> 2022-03-01</li></ul></section>
<section><h2>我的文章</h2><ul><li><a href="/a/1">教学反思</a> 2022-04-01</li></ul></section></body></html>"""


# An app drawn by scripts from two APIs: its own host's and another host's.
_APP = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>空间</title></head><body><div id="app"></div>
<script>function add(t) { var li = document.createElement('li'); li.innerHTML = '<a href="/r/' + t + '">' + t +
'</a> 2022-03-01'; document.getElementById('list').appendChild(li); }
document.getElementById('app').innerHTML = '<h1>郑老师的空间</h1>' +
  '<section><h2>教学资源</h2><ul id="list"></ul></section>' +
  '<section><h2>我的文章</h2><ul><li><a href="/a/1">反思</a> 2022-04-01</li></ul></section>';
fetch('/api/own-course').then(function (r) { return r.json(); }).then(function (d) { add(d.title); });
fetch('OTHER/api/other-course').then(function (r) { return r.json(); }).then(function (d) { add(d.title); });
</script></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        kind = "text/html; charset=utf-8"
        self.server.hits += 1  # type: ignore[attr-defined]
        if self.path == "/lesson.mp4" and self.server.other:  # type: ignore[attr-defined]
            self.send_response(302)
            self.send_header("Location", self.server.other + "/lesson.mp4")  # type: ignore[attr-defined]
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path in ("/", "/space"):
            body = _SPACE.encode()
        elif self.path == "/app":
            body = _APP.replace("OTHER", self.server.other).encode()  # type: ignore[attr-defined]
        elif self.path.startswith("/api/"):
            kind = "application/json"
            body = f'{{"title": "{self.path.rsplit("/", 1)[1]}"}}'.encode()
        else:
            body = b"<html><body><p>2022-03-01</p></body></html>"
        self.send_response(200)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, cert: trustme.LeafCert, address: str = "127.0.0.1") -> None:
        super().__init__((address, 0), _Handler)
        self.other = ""
        self.hits = 0
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"https://{self.host}/space"

    @property
    def host(self) -> str:
        return f"{self.server_address[0]}:{self.server_address[1]}"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def trusted(ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The test CA is trusted (as a real public CA would be), so what is wrong with a
    certificate is the certificate itself."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    yield


def _serve(ca: trustme.CA, *names: str, expired: bool = False) -> _TlsServer:
    now = datetime.datetime.now(datetime.UTC)
    if expired:
        cert = ca.issue_cert(
            *names, not_before=now - datetime.timedelta(days=400), not_after=now - datetime.timedelta(days=30)
        )
    else:
        cert = ca.issue_cert(*names)
    return _TlsServer(cert)


def _check(url: str, insecure: tuple[str, ...] = ()) -> tuple[str, str | None, str]:
    policy = AddressPolicy(allow_private=True, insecure_hosts=insecure)
    result = asyncio.run(check_space(url, allow_private=True, options=CrawlOptions(policy=policy)))
    return result.snapshot.crawl.status, result.snapshot.crawl.error, result.verdict


@pytest.mark.parametrize(
    "names, expired, words",
    [(("127.0.0.1",), True, "已过期"), (("platform.example.edu.cn",), False, "域名不符")],
)
def test_a_bad_certificate_is_named(
    ca: trustme.CA, trusted: None, names: tuple[str, ...], expired: bool, words: str
) -> None:
    server = _serve(ca, *names, expired=expired)
    try:
        status, error, verdict = _check(server.url)
        assert (status, verdict) == ("error", "error")
        assert error and "证书无效" in error and words in error and "--insecure-host" in error, error
        status, error, _ = _check(server.url, insecure=(server.host,))
        assert (status, error) == ("ok", None)
    finally:
        server.shutdown()


def test_a_self_signed_platform_and_insecure_host(ca: trustme.CA, run_cli) -> None:  # type: ignore[no-untyped-def]
    server = _serve(ca, "127.0.0.1")  # its CA is trusted by no one
    try:
        result = run_cli("check", server.url, "--allow-private", "--json")
        assert result.code == 3 and "Traceback" not in result.stderr, result.stderr
        crawl = result.json()["crawl"]
        assert crawl["status"] == "error" and "证书无效" in crawl["error"] and "自签名" in crawl["error"], crawl
        result = run_cli("check", server.url, "--allow-private", "--json", "--insecure-host", server.host)
        assert result.code in (0, 1), result.stderr
        document = result.json()
        assert document["crawl"]["status"] == "ok" and document["profile"]["name"] == "林老师"
        # Only the host named: another host's bad certificate is still refused.
        other = run_cli("check", server.url, "--allow-private", "--json", "--insecure-host", "127.0.0.1:1")
        assert other.json()["crawl"]["status"] == "error"
    finally:
        server.shutdown()


def test_insecure_host_in_the_browser_is_that_host_only(ca: trustme.CA) -> None:
    """A page drawn by scripts on the named host is read; what its scripts ask of another
    host with a bad certificate is refused, as without the option."""
    own = _TlsServer(ca.issue_cert("127.0.0.1"))
    other = _TlsServer(ca.issue_cert("127.0.0.2"), "127.0.0.2")
    own.other = f"https://{other.host}"
    try:
        status, error, _ = _check(f"https://{own.host}/app", insecure=(own.host,))
        assert (status, error) == ("ok", None)
        policy = AddressPolicy(allow_private=True, insecure_hosts=(own.host,))
        result = asyncio.run(
            check_space(f"https://{own.host}/app", allow_private=True, options=CrawlOptions(policy=policy))
        )
        titles = [r.title for r in result.snapshot.resources]
        assert "own-course" in titles and "other-course" not in titles, titles
    finally:
        own.shutdown()
        other.shutdown()


def test_insecure_host_does_not_follow_a_redirect_to_another_host(ca: trustme.CA) -> None:
    """A video on the named host that redirects to another host with a bad certificate:
    the probe checks that host's certificate (and reads nothing from it)."""
    from inspectors import probe_video

    own = _TlsServer(ca.issue_cert("127.0.0.1"))
    other = _TlsServer(ca.issue_cert("127.0.0.2"), "127.0.0.2")
    own.other = f"https://{other.host}"
    try:
        policy = AddressPolicy(allow_private=True, insecure_hosts=(own.host,))
        probe = probe_video(f"https://{own.host}/lesson.mp4", policy=policy)
        assert own.hits == 1 and other.hits == 0
        assert probe.status == "unreachable", probe
    finally:
        own.shutdown()
        other.shutdown()
