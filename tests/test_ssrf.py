"""The SSRF guard: each refused address class, through redirects and DNS names.

Only loopback is ever contacted: the other address classes are judged without any
connection (the guard refuses before connecting), and redirect/DNS cases use 127.0.0.2
and ``localhost`` as the "internal" addresses, with only the farm's exact host:port
allowed.
"""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler import AddressPolicy, CrawlOptions, RefusedAddress, Target, address_class, crawl_space
from inspectors import probe_video

CLASSES = [
    ("127.0.0.1", "本机地址"),
    ("::1", "本机地址"),
    ("10.1.2.3", "内网地址"),
    ("172.16.5.4", "内网地址"),
    ("192.168.1.1", "内网地址"),
    ("169.254.169.254", "链路本地地址"),
    ("fe80::1", "链路本地地址"),
    ("224.0.0.251", "组播地址"),
    ("ff02::1", "组播地址"),
    ("240.0.0.1", "保留地址"),
    ("0.0.0.0", "未指定地址"),
    ("fc00::1", "内网地址"),
    ("::ffff:10.0.0.1", "内网地址"),
    ("8.8.8.8", None),
    ("2001:4860:4860::8888", None),
]


@pytest.mark.parametrize("address, kind", CLASSES)
def test_each_address_class(address: str, kind: str | None) -> None:
    assert address_class(address) == kind


@pytest.mark.parametrize("address", [a for a, k in CLASSES if k])
def test_policy_refuses_each_class_before_connecting(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(RefusedAddress, match="拒绝访问"):
        AddressPolicy().check_sync(f"http://{host}:8080/space")


def test_allowlists_open_what_they_name() -> None:
    AddressPolicy(allow_networks=("10.8.0.0/16",)).check_sync("http://10.8.1.2/space")
    AddressPolicy(allow_hosts=("intranet.school.local:8080",)).check_sync("http://intranet.school.local:8080/x")
    with pytest.raises(RefusedAddress):
        AddressPolicy(allow_networks=("10.8.0.0/16",)).check_sync("http://10.9.0.1/space")


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


class _Space(BaseHTTPRequestHandler):
    """An "outside" platform whose pages lead inside: redirects and a script fetch."""

    internal = ""

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", _Space.internal + "/admin")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/redirect-by-name"):
            return
        body = (
            "<html><body><h1>王老师的空间</h1><div class='mod'><h3>资源</h3><a href='/r/1'>课件</a></div>"
            f"<script>fetch('{_Space.internal}/metadata').catch(function () {{}});</script></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def servers():  # type: ignore[no-untyped-def]
    inside = ThreadingHTTPServer(("127.0.0.2", 0), _Recorder)
    outside = ThreadingHTTPServer(("127.0.0.1", 0), _Space)
    for server in (inside, outside):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.hits = []
    _Space.internal = f"http://127.0.0.2:{inside.server_address[1]}"
    try:
        yield outside, inside
    finally:
        inside.shutdown()
        outside.shutdown()


def _only(server: ThreadingHTTPServer) -> AddressPolicy:
    return AddressPolicy(allow_hosts=(f"127.0.0.1:{server.server_address[1]}",))


def test_a_redirect_into_the_private_network_is_refused(servers) -> None:  # type: ignore[no-untyped-def]
    outside, _ = servers
    url = f"http://127.0.0.1:{outside.server_address[1]}/redirect"
    snapshot = asyncio.run(crawl_space(Target(url), CrawlOptions(policy=_only(outside))))
    assert snapshot.crawl.status == "blocked"
    assert "拒绝访问本机地址 127.0.0.2" in (snapshot.crawl.error or "")
    assert _Recorder.hits == []  # the internal server never saw a request


def test_a_dns_name_resolving_to_loopback_is_refused(servers) -> None:  # type: ignore[no-untyped-def]
    outside, _ = servers
    url = f"http://localhost:{outside.server_address[1]}/"
    snapshot = asyncio.run(crawl_space(Target(url), CrawlOptions(policy=_only(outside))))
    assert snapshot.crawl.status == "blocked"
    assert "localhost" in (snapshot.crawl.error or "") and "本机地址" in (snapshot.crawl.error or "")


def test_the_browser_cannot_reach_inside(servers) -> None:  # type: ignore[no-untyped-def]
    outside, _ = servers
    url = f"http://127.0.0.1:{outside.server_address[1]}/"
    snapshot = asyncio.run(crawl_space(Target(url), CrawlOptions(policy=_only(outside))))
    assert snapshot.crawl.via in ("browser", "mixed")  # the page's script ran
    assert _Recorder.hits == []  # and its fetch to 127.0.0.2 was aborted


def test_video_probes_are_guarded_too(servers) -> None:  # type: ignore[no-untyped-def]
    outside, _ = servers
    probe = probe_video(_Space.internal + "/v.mp4", policy=_only(outside))
    assert probe.status == "unreachable" and "拒绝访问" in (probe.detail or "")
    redirected = probe_video(f"http://127.0.0.1:{outside.server_address[1]}/redirect", policy=_only(outside))
    assert redirected.status == "unreachable" and "127.0.0.2" in (redirected.detail or "")
    assert _Recorder.hits == []


def test_cli_refuses_private_targets_by_name(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "http://localhost:9/space")
    assert result.code == 2 and "本机地址" in result.stderr and "--allow-private" in result.stderr


# -- DNS rebinding -----------------------------------------------------------------------------
class _Said(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.hits += 1  # type: ignore[attr-defined]
        body = self.server.body  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4" if self.path.endswith(".mp4") else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _pair() -> tuple[ThreadingHTTPServer, ThreadingHTTPServer]:
    """A "public" server on 127.0.0.2 and an "internal" one on 127.0.0.1, same port."""
    for _ in range(20):
        public = ThreadingHTTPServer(("127.0.0.2", 0), _Said)
        try:
            internal = ThreadingHTTPServer(("127.0.0.1", public.server_address[1]), _Said)
        except OSError:
            public.server_close()
            continue
        for server, body in ((public, b"<html><body><h1>public</h1></body></html>"), (internal, b"internal secret")):
            server.hits = 0  # type: ignore[attr-defined]
            server.body = body  # type: ignore[attr-defined]
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return public, internal
    raise RuntimeError("no free port on both addresses")


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A resolver that answers the stand-in public address to the first lookup of
    ``rebind.test`` and 127.0.0.1 to every later one, as a rebinding DNS does."""
    import socket

    real = socket.getaddrinfo
    asked: list[str] = []

    def fake(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if (host.decode() if isinstance(host, bytes) else host) != "rebind.test":  # anyio asks in bytes
            return real(host, port, *args, **kwargs)
        address = "127.0.0.2" if not asked else "127.0.0.1"
        asked.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port or 80)))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    public, internal = _pair()
    yield public, internal, asked
    for server in (public, internal):
        server.shutdown()
        server.server_close()


def test_a_rebinding_name_never_reaches_inside(rebinding) -> None:  # type: ignore[no-untyped-def]
    """The address checked is the address connected to: the page fetch and the video probe
    each resolve once; the rebinding answer is judged (and refused), never used unchecked."""
    from crawler import HttpFetcher

    public, internal, asked = rebinding
    port = public.server_address[1]
    policy = AddressPolicy(allow_networks=("127.0.0.2/32",))  # 127.0.0.2 plays the public address

    async def fetch() -> tuple[int, str]:
        fetcher = HttpFetcher(policy=policy, obey_robots=False)
        try:
            page = await fetcher.get(f"http://rebind.test:{port}/space")
            return page.status, page.html
        except Exception as exc:  # noqa: BLE001 - what was refused, and why
            return 0, str(exc)
        finally:
            await fetcher.aclose()

    status, text = asyncio.run(fetch())
    assert "internal secret" not in text and internal.hits == 0  # type: ignore[attr-defined]
    assert status == 0 and "拒绝访问本机地址 rebind.test（127.0.0.1）" in text, text
    asked.clear()  # the first lookup of the probe answers the public address again
    probe = probe_video(f"http://rebind.test:{port}/lesson.mp4", policy=policy)
    assert internal.hits == 0  # type: ignore[attr-defined]
    assert probe.status == "unreachable" and "拒绝访问" in (probe.detail or ""), probe


def test_a_page_script_cannot_rebind_into_the_network(rebinding) -> None:  # type: ignore[no-untyped-def]
    """In chromium too: what a page's script asks of a rebinding name is judged on the
    address it connects to."""
    from crawler import BrowserSession, HostGate

    public, internal, asked = rebinding
    port = public.server_address[1]
    public.body = (  # type: ignore[attr-defined]
        f"<html><body><h1>public</h1><p id='out'>-</p><script>fetch('http://rebind.test:{port}/secret')"
        ".then(function (r) { return r.text(); }).then(function (t) { document.getElementById('out').innerText = t; })"
        "</script></body></html>"
    ).encode()
    policy = AddressPolicy(allow_networks=("127.0.0.2/32",))

    async def render() -> str:
        browser = BrowserSession(policy=policy, gate=HostGate(2))
        try:
            return (await browser.render(f"http://127.0.0.2:{port}/page")).html
        finally:
            await browser.aclose()

    html = asyncio.run(render())
    assert "<h1>public</h1>" in html and "internal secret" not in html
    assert internal.hits == 0 and "127.0.0.1" in asked  # type: ignore[attr-defined]
