"""A real HTTP server on 127.0.0.1 in a thread, shared by every imitation platform.

Each platform is an ``App``: ``route(request) -> Response``. The server adds what every
platform needs: Range requests for media (players and PyAV seek), HEAD, and a counter of
requests so tests can see what the crawler fetched. With ``validators`` set, pages carry an
``ETag`` or a ``Last-Modified`` and conditional requests are answered ``304 Not Modified``,
as many framework and CDN set-ups do.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .videos import PaddedFile


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw_path: str

    def q(self, name: str, default: str = "") -> str:
        return self.query.get(name, default)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    file: Path | PaddedFile | None = None  # served with Range support
    honour_range: bool = True  # False imitates a server that always sends the whole body


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def html(text: str, status: int = 200, encoding: str = "utf-8") -> Response:
    return Response(status, text.encode(encoding), f"text/html; charset={encoding}")


def redirect(location: str) -> Response:
    return Response(302, b"", "text/html", {"Location": location})


_RANGE_RE = re.compile(r"bytes=(\d*)-(\d*)")


class _LastWriteHook:
    """The handler's output: counts the answer's body bytes down and tells the handler just
    before the write that completes it."""

    def __init__(self, raw: Any, handler: Any) -> None:
        self.raw = raw
        self.handler = handler
        self.body = False  # set once the headers are out

    def write(self, data: bytes) -> int:
        left = self.handler._body_left
        if self.body and left is not None:
            self.handler._body_left = left - len(data)
            if left - len(data) <= 0:
                self.handler._counted_off()
        return int(self.raw.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up early (PyAV after its Range read, a closing browser) are normal."""

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class FarmServer:
    """One platform on its own port; ``base_url`` is ``http://127.0.0.1:PORT`` (or another
    loopback ``host``: all of 127.0.0.0/8 is loopback on Linux)."""

    def __init__(self, route: Callable[[Request], Response], host: str = "127.0.0.1") -> None:
        self.route = route
        self.requests: list[str] = []
        self.bytes_sent_total = 0
        self.latency = 0.0  # seconds added to every answer (a slow platform)
        self.inflight = 0
        self.max_inflight = 0  # the most requests this server had in progress at once
        self.peak_paths: list[str] = []  # the requests in progress when that peak was reached
        self.peak_at = 0.0  # time.monotonic() when it was
        self._current: dict[int, str] = {}
        self.started: list[tuple[float, str]] = []  # (time.monotonic(), path) of every request, as it came
        self.validators: str | None = None  # None | "etag" | "last-modified"
        self.clock: float | None = None  # the platform's own time (epoch seconds) in its Date header
        self.not_modified = 0  # 304 answers sent
        self.conditional = 0  # requests that carried If-None-Match or If-Modified-Since
        self._modified: dict[str, tuple[str, float]] = {}  # path → (body digest, when it last changed)
        self._count_lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def date_time_string(self, timestamp: float | None = None) -> str:
                if timestamp is None and server.clock is not None:
                    timestamp = server.clock
                return super().date_time_string(timestamp)

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def do_GET(self) -> None:
                self._serve(head=False)

            # A request is in flight from its arrival until the last byte of its answer is
            # handed to the socket: counted off just before that final write (or before the
            # headers, when no body follows). Counting off after the write would let the
            # client see the whole answer, release its slot and send its next request
            # while this thread still waits for the GIL, and the count would show an
            # overlap the platform never had.
            def _serve(self, head: bool) -> None:
                with server._count_lock:
                    server.inflight += 1
                    server._current[id(self)] = f"{self.command} {self.path} {self.headers.get('Range', '')}".strip()
                    if server.inflight > server.max_inflight:
                        server.max_inflight = server.inflight
                        server.peak_paths = list(server._current.values())
                        server.peak_at = time.monotonic()
                    server.started.append((time.monotonic(), self.path))
                self._in_flight, self._body_left, self._status = True, None, 0
                if not isinstance(self.wfile, _LastWriteHook):  # one per connection (keep-alive)
                    self.wfile = _LastWriteHook(self.wfile, self)  # type: ignore[assignment]
                self.wfile.body = False
                try:
                    if server.latency:
                        time.sleep(server.latency)
                    self._serve_counted(head)
                finally:
                    self._counted_off()

            def _counted_off(self) -> None:
                if getattr(self, "_in_flight", False):
                    self._in_flight = False
                    with server._count_lock:
                        server.inflight -= 1
                        server._current.pop(id(self), None)

            _body_left: int | None = None

            def send_response(self, code: int, message: str | None = None) -> None:
                self._status = code
                super().send_response(code, message)

            def send_header(self, keyword: str, value: str) -> None:
                if keyword.lower() == "content-length":
                    self._body_left = int(value)
                super().send_header(keyword, value)

            def end_headers(self) -> None:
                if self.command == "HEAD" or getattr(self, "_status", 0) in (204, 304) or self._body_left == 0:
                    self._counted_off()  # the headers are the whole answer
                super().end_headers()
                if isinstance(self.wfile, _LastWriteHook):
                    self.wfile.body = True

            def _serve_counted(self, head: bool) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                request = Request(self.command, parts.path, query, dict(self.headers.items()), self.path)
                server.requests.append(self.path)
                try:
                    response = server.route(request)
                except Exception as exc:  # a farm bug must show up as a 500, not a hang
                    response = html(f"<h1>500</h1><pre>{exc!r}</pre>", 500)
                if response.file is not None:
                    self._send_file(response, head)
                    return
                if server.validators and response.status == 200 and self._not_modified(response):
                    return
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                if not head:
                    self.wfile.write(response.body)

            def _not_modified(self, response: Response) -> bool:
                """Add the validator to ``response``; answer 304 when the client's copy is current."""
                digest = hashlib.sha1(response.body).hexdigest()[:16]
                asked = self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")
                with server._count_lock:
                    server.conditional += bool(asked)
                    known = server._modified.get(self.path)
                    if known is None or known[0] != digest:  # new or changed: a later second than before
                        changed = max(time.time(), (known[1] + 1) if known else 0)
                        server._modified[self.path] = known = (digest, changed)
                if server.validators == "etag":
                    name, value = "ETag", f'"{digest}"'
                    current = self.headers.get("If-None-Match") == value
                else:
                    name, value = "Last-Modified", self.date_time_string(int(known[1]))
                    current = self.headers.get("If-Modified-Since") == value
                response.headers[name] = value
                if not current:
                    return False
                with server._count_lock:
                    server.not_modified += 1
                self.send_response(304)
                self.send_header(name, value)
                self.end_headers()
                return True

            def _send_file(self, response: Response, head: bool) -> None:
                assert response.file is not None
                source = response.file
                total = source.size if isinstance(source, PaddedFile) else source.stat().st_size
                start, end, status = 0, total - 1, 200
                match = _RANGE_RE.fullmatch(self.headers.get("Range", "").strip())
                if response.honour_range and match and (match.group(1) or match.group(2)):
                    if match.group(1):
                        start = int(match.group(1))
                        end = min(int(match.group(2)), total - 1) if match.group(2) else total - 1
                    else:
                        start = max(0, total - int(match.group(2)))
                    status = 206
                    if start >= total:
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{total}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                self.send_response(status)
                self.send_header("Content-Type", response.content_type)
                if isinstance(source, Path):  # validators, as any static file server sends them
                    stat = source.stat()
                    self.send_header("ETag", f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"')
                    self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
                if response.honour_range:
                    self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(end - start + 1))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{total}")
                self.end_headers()
                if head:
                    return
                position = start
                try:
                    with open(source, "rb") if isinstance(source, Path) else _nullcontext() as handle:
                        if handle is not None:
                            handle.seek(start)
                        while position <= end:
                            size = min(256 * 1024, end + 1 - position)
                            chunk = (
                                handle.read(size)
                                if handle is not None
                                else source.read_range(position, position + size - 1)
                            )  # type: ignore[union-attr]
                            if not chunk:
                                break
                            self.wfile.write(chunk)
                            server.bytes_sent_total += len(chunk)
                            position += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        self.httpd = _QuietServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> FarmServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
