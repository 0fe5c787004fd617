"""Recorded visits: every request and response of a check as a HAR 1.2 file, and the
same visit played back offline from such a file.

A user in a new region sends the HAR of a space spacebot misreads; it becomes a
regression fixture (``tests/platforms/<name>.har`` with the expected JSON beside it).

- Recording: the httpx clients (pages, robots.txt, video ranges) get a transport that
  keeps each exchange; the browser records its own with Playwright's HAR recorder; both
  are merged into one file, bodies base64-encoded (GBK pages stay byte-exact), which
  Chrome DevTools opens.
- Replay: the httpx clients get a transport that answers from the file (by method, URL and
  Range), the browser is routed from the same file (``route_from_har``); a request the
  file does not hold fails as a network error, so nothing leaves the machine.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

__all__ = ["HarRecorder", "HarReplay", "read_har_target"]

_CAP = 9 * 1024 * 1024  # a body is kept up to this size (readers stop at 8 MB anyway)
_CREATOR = {"name": "spacebot", "version": "0.1"}


def _headers(headers: httpx.Headers) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in headers.multi_items()]


def _entry(
    request: httpx.Request, response: httpx.Response, body: bytes, started: float, elapsed: float
) -> dict[str, Any]:
    """One exchange in HAR 1.2 form (the body base64, as it came over the wire, decoded)."""
    url = str(request.url)
    return {
        "startedDateTime": datetime.fromtimestamp(started, UTC).isoformat(),
        "time": round(elapsed * 1000, 3),
        "request": {
            "method": request.method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _headers(request.headers),
            "queryString": [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": response.status_code,
            "statusText": response.reason_phrase,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [h for h in _headers(response.headers) if h["name"].lower() != "content-encoding"],
            "content": {
                "size": len(body),
                "mimeType": response.headers.get("Content-Type", "application/octet-stream"),
                "text": base64.b64encode(body).decode("ascii"),
                "encoding": "base64",
            },
            "redirectURL": response.headers.get("Location", ""),
            "headersSize": -1,
            "bodySize": len(body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": round(elapsed * 1000, 3), "receive": 0},
    }


class _Tee:
    """Keeps what the wrapped transport answers (bodies read up to a cap)."""

    def __init__(self, recorder: HarRecorder) -> None:
        self.recorder = recorder

    def keep(self, request: httpx.Request, response: httpx.Response, body: bytes, started: float) -> httpx.Response:
        self.recorder.add(_entry(request, response, body, started, time.time() - started))
        return httpx.Response(
            response.status_code,
            headers=[(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-encoding"],
            content=body,
            request=request,
            extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
        )


class _RecordingAsync(httpx.AsyncBaseTransport, _Tee):
    def __init__(self, recorder: HarRecorder, inner: httpx.AsyncBaseTransport) -> None:
        _Tee.__init__(self, recorder)
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.time()
        response = await self.inner.handle_async_request(request)
        body = bytearray()
        try:
            async for chunk in response.aiter_raw():
                body.extend(chunk)
                if len(body) > _CAP:
                    break
        finally:
            await response.aclose()
        return self.keep(request, response, _decoded(response, bytes(body)), started)

    async def aclose(self) -> None:
        await self.inner.aclose()


class _RecordingSync(httpx.BaseTransport, _Tee):
    def __init__(self, recorder: HarRecorder, inner: httpx.BaseTransport) -> None:
        _Tee.__init__(self, recorder)
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.time()
        response = self.inner.handle_request(request)
        body = bytearray()
        try:
            for chunk in response.iter_raw():
                body.extend(chunk)
                if len(body) > _CAP:
                    break
        finally:
            response.close()
        return self.keep(request, response, _decoded(response, bytes(body)), started)

    def close(self) -> None:
        self.inner.close()


def _decoded(response: httpx.Response, raw: bytes) -> bytes:
    """The body without its transfer compression (gzip, br …), as the reader saw it."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if not encoding or encoding == "identity":
        return raw
    try:
        return httpx.Response(200, headers={"Content-Encoding": encoding}, content=raw).read()
    except Exception:  # a broken compressed body stays as it came
        return raw


class HarRecorder:
    """Collects the exchanges of one visit; ``write`` merges the browser's and saves."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.entries.append(entry)

    def async_transport(self, **options: Any) -> httpx.AsyncBaseTransport:
        return _RecordingAsync(self, httpx.AsyncHTTPTransport(**options))

    def sync_transport(self, **options: Any) -> httpx.BaseTransport:
        return _RecordingSync(self, httpx.HTTPTransport(**options))

    def write(self, path: Path, browser_har: Path | None = None) -> None:
        entries = list(self.entries)
        if browser_har is not None and browser_har.exists():
            browser = json.loads(browser_har.read_text(encoding="utf-8")).get("log", {}).get("entries", [])
            # Requests the crawl aborted (pictures, fonts) have no answer to play back: left out,
            # a replay aborts them again.
            entries += [e for e in browser if int(e.get("response", {}).get("status", 0)) > 0]
        entries.sort(key=lambda e: str(e.get("startedDateTime", "")))
        har = {"log": {"version": "1.2", "creator": _CREATOR, "pages": [], "entries": entries}}
        har["log"]["_spacebot"] = {"target": self.target}
        path.write_text(json.dumps(har, ensure_ascii=False), encoding="utf-8")


def read_har_target(path: Path) -> str | None:
    """The space a HAR was recorded from (spacebot's own HAR files say so)."""
    log = json.loads(path.read_text(encoding="utf-8")).get("log", {})
    target = log.get("_spacebot", {}).get("target")
    if isinstance(target, str):
        return target
    entries = log.get("entries") or []
    return str(entries[0]["request"]["url"]) if entries else None


class HarReplay:
    """Answers requests from a HAR file, in the order they were recorded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        log = json.loads(path.read_text(encoding="utf-8")).get("log", {})
        self._answers: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for entry in log.get("entries", []):
            request = entry["request"]
            rng = next((h["value"] for h in request.get("headers", []) if h["name"].lower() == "range"), "")
            self._answers[(request["method"], request["url"], rng)].append(entry["response"])
        self._served: dict[tuple[str, str, str], int] = defaultdict(int)
        self._lock = threading.Lock()

    def answer(self, request: httpx.Request) -> httpx.Response:
        key = (request.method, str(request.url), request.headers.get("Range", ""))
        with self._lock:
            recorded = self._answers.get(key)
            if not recorded:
                raise httpx.ConnectError(f"not in the recorded visit: {request.url}", request=request)
            index = min(self._served[key], len(recorded) - 1)  # the last answer repeats
            self._served[key] += 1
        response = recorded[index]
        content = response.get("content", {})
        text = content.get("text", "")
        body = base64.b64decode(text) if content.get("encoding") == "base64" else text.encode("utf-8")
        headers = [
            (h["name"], h["value"])
            for h in response.get("headers", [])
            if h["name"].lower() not in ("content-length", "content-encoding", "transfer-encoding")
        ]
        return httpx.Response(response["status"], headers=headers, content=body, request=request)

    def async_transport(self, **_: Any) -> httpx.AsyncBaseTransport:
        replay = self

        class _Async(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                return replay.answer(request)

        return _Async()

    def sync_transport(self, **_: Any) -> httpx.BaseTransport:
        replay = self

        class _Sync(httpx.BaseTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                return replay.answer(request)

        return _Sync()
