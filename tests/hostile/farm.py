"""The hostile farm: one server whose every path is a real misbehaviour a sweep meets.

Each case is served at ``/<case>``; ``CASES`` says what spacebot must report for it.
The redirect case points at 127.0.0.2, which a sweep allowing only this server's
host:port must refuse (loopback only: nothing leaves the machine).
"""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["CASES", "HostileServer"]

# case → (crawl statuses accepted, words the error must contain or "" for status ok)
CASES: dict[str, tuple[set[str], str]] = {
    "slow-first-byte": ({"unreachable"}, "超时"),
    "hang-after-headers": ({"unreachable"}, "超时"),
    "endless-body": ({"error"}, "页面过大"),
    "huge-page": ({"error"}, "页面过大"),
    "gzip-bomb": ({"error"}, "页面过大"),
    "redirect-loop": ({"error"}, "重定向次数过多"),
    "redirect-private": ({"blocked"}, "拒绝访问"),
    "wrong-charset": ({"ok"}, ""),
    "malformed": ({"ok"}, ""),
    "dialogs": ({"ok"}, ""),
    "popups": ({"ok"}, ""),
    "download": ({"error"}, "不是网页"),
    "endless-load-more": ({"ok", "error"}, ""),
    "endless-script": ({"unreachable", "error"}, ""),
    "video-no-range": ({"ok"}, ""),
    "html-as-mp4": ({"ok"}, ""),
    "waf-captcha": ({"blocked"}, "人机验证"),
    "waf-too-often": ({"blocked"}, "访问过于频繁"),
}

_SPACE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>测试老师的个人空间</title></head><body>
<h1>测试老师的个人空间</h1><div class="mod"><h3>资源</h3><ul><li><a href="/r/1">课件一</a> 2022-03-01</li></ul></div>
<div class="mod"><h3>文章</h3><ul><li><a href="/a/1">教学反思</a> 2022-03-02</li></ul></div>{extra}</body></html>"""
_GB_PAGE = _SPACE.replace('charset="utf-8"', 'charset="utf-8"').format(extra="<p>姓名：测试老师</p>")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileServer  # type: ignore[assignment]

    def log_message(self, *args: object) -> None:
        pass

    def _send(
        self,
        body: bytes,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _page(self, extra: str = "") -> None:
        self._send(_SPACE.format(extra=extra).encode())

    def do_GET(self) -> None:  # noqa: N802, C901
        case = self.path.strip("/").split("?")[0].split("/")[0]
        try:
            self._case(case)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _case(self, case: str) -> None:  # noqa: C901
        stop = self.server.stop_event
        if case == "robots.txt":
            self._send(b"User-agent: *\nAllow: /\n", content_type="text/plain")
        elif case == "slow-first-byte":
            stop.wait(60)
        elif case == "hang-after-headers":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<html><body>")
            self.wfile.flush()
            stop.wait(60)
        elif case == "endless-body":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65536 + b"</p>"
            while not stop.is_set():
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        elif case == "huge-page":
            size = 50 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            block = b"<p>" + b"y" * 65529 + b"</p>"
            for _ in range(size // len(block)):
                if stop.is_set():
                    return
                self.wfile.write(block)
        elif case == "gzip-bomb":
            self._send(self.server.bomb, headers={"Content-Encoding": "gzip"})
        elif case == "redirect-loop":
            self._send(b"", 302, headers={"Location": "/redirect-loop"})
        elif case == "redirect-private":
            self._send(b"", 302, headers={"Location": f"http://127.0.0.2:{self.server.server_address[1]}/admin"})
        elif case == "wrong-charset":
            body = _GB_PAGE.encode("gbk")  # GBK bytes behind a header that says UTF-8
            self._send(body, content_type="text/html; charset=utf-8")
        elif case == "malformed":
            self._send(
                "<html><body><div><h3>资源<ul><li><a href=/r/1>课件</b></i><table><tr><td>".encode()
                + bytes(range(1, 32))
            )
        elif case == "dialogs":
            self._page(
                "<script>alert('a');confirm('b');prompt('c');window.onbeforeunload=function(){return 'x';};"
                "fetch('/robots.txt');</script>"
            )
        elif case == "popups":
            self._page(
                "<script>for (var i = 0; i < 5; i++) { window.open('/popups?n=' + i); } fetch('/robots.txt');</script>"
            )
        elif case == "download":
            self._send(
                b"PK\x03\x04" + bytes(5000),
                content_type="application/octet-stream",
                headers={"Content-Disposition": 'attachment; filename="a.zip"'},
            )
        elif case == "endless-load-more":
            self._send(_ENDLESS.encode())
        elif case == "endless-script":
            self._page("<script>fetch('/robots.txt'); while (true) {}</script>")
        elif case == "video-no-range":
            self._page('<div class="mod"><h3>微课</h3><video src="/big-no-range.mp4"></video></div>')
        elif case == "big-no-range.mp4":
            size = 1024**3
            self.send_response(200)  # ignores Range: always the whole gigabyte
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            block = bytes(65536)
            sent = 0
            while sent < size and not stop.is_set():
                self.wfile.write(block)
                sent += len(block)
        elif case == "html-as-mp4":
            self._page('<div class="mod"><h3>微课</h3><video src="/fake.mp4"></video></div>')
        elif case == "fake.mp4":
            self._send(b"<html><body>404 not found</body></html>", content_type="video/mp4")
        elif case == "waf-captcha":  # a firewall's slider page, answered with 200
            self._send(
                "<html><head><title>安全验证</title></head><body><div class='geetest_holder'></div>"
                "<p>请向右拖动滑块完成拼图</p></body></html>".encode()
            )
        elif case == "waf-too-often":
            self._send("<html><body><h2>提示</h2><p>您的操作太频繁了，请休息一下再来。</p></body></html>".encode())
        else:
            self._page()


_ENDLESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>无尽列表</title></head><body>
<h1>测试老师的个人空间</h1><div class="mod"><h3>资源</h3><ul id="list"></ul><button id="more">加载更多</button></div>
<div class="mod"><h3>文章</h3><p>暂无</p></div>
<script>var n = 0; function more() { for (var i = 0; i < 10; i++) { n++; var li = document.createElement('li');
li.innerHTML = '<a href="/r/' + n + '">资源' + n + '</a> 2022-03-01'; document.getElementById('list').appendChild(li); } }
document.getElementById('more').onclick = more; more();</script></body></html>"""


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stop_event = threading.Event()
        self.bomb = gzip.compress(b"<p>" + bytes(200 * 1024 * 1024), compresslevel=9)  # 200 MB of zeros, ~200 KB
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.stop_event.set()
        time.sleep(0.1)
        self.shutdown()
        self.server_close()
