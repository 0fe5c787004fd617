"""The per-host gate: at most ``per_host`` requests in flight to one host, spaced by the
robots.txt Crawl-delay.

Nearly every space of a region lives on one platform host, so a sweep must never open
more than ``per_host`` requests to it at once, whatever makes them: a page over httpx,
each redirect hop, robots.txt, every request a page's scripts make in chromium, a video's
Range reads and HLS segments. One ``HostGate`` is shared by every space of a sweep; the
httpx transports below and the browser's route handler take a slot per request and give
it back when the answer has been read.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx

__all__ = ["GatedTransport", "GatedSyncTransport", "HostGate", "ThreadGate", "host_key"]


def host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class HostGate:
    """At most ``per_host`` requests in flight per host, started at least ``delay`` apart.

    ``requests`` counts the requests let through per host and ``peak`` the most that were
    ever in flight at once, for the sweep's summary.
    """

    def __init__(self, per_host: int = 2, min_delay: float = 0.0) -> None:
        self.per_host = max(1, per_host)
        self.min_delay = min_delay
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._delay: dict[str, float] = defaultdict(float)
        self._last_start: dict[str, float] = defaultdict(lambda: float("-inf"))
        self._pace = asyncio.Lock()
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()

    def set_delay(self, url: str, seconds: float) -> None:
        self._delay[host_key(url)] = max(self._delay[host_key(url)], seconds)

    async def acquire(self, url: str) -> Callable[[], None]:
        """Wait for a slot on ``url``'s host; returns the function that gives it back
        (calling it more than once is harmless)."""
        host = host_key(url)
        semaphore = self._slots.setdefault(host, asyncio.Semaphore(self.per_host))
        await semaphore.acquire()
        try:
            while (delay := max(self.min_delay, self._delay[host])) > 0:
                # Spaced from the last request that really started: a waiter woken late (the
                # loop was busy) must not start right behind the one before it.
                async with self._pace:
                    now = time.monotonic()
                    wait = self._last_start[host] + delay - now
                    if wait <= 0:
                        self._last_start[host] = now
                        break
                await asyncio.sleep(wait)
        except BaseException:
            semaphore.release()
            raise
        self.in_flight[host] += 1
        self.requests[host] += 1
        self.peak[host] = max(self.peak[host], self.in_flight[host])
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self.in_flight[host] -= 1
                semaphore.release()

        return release

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        release = await self.acquire(url)
        try:
            yield
        finally:
            release()


class ThreadGate:
    """The gate as seen from a worker thread (the video probes run in threads): each slot
    is taken and given back on the event loop that owns the gate."""

    def __init__(self, gate: HostGate, loop: asyncio.AbstractEventLoop) -> None:
        self.gate = gate
        self.loop = loop

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        release = self.acquire(url)
        try:
            yield
        finally:
            release()

    def acquire(self, url: str) -> Callable[[], None]:
        release = asyncio.run_coroutine_threadsafe(self.gate.acquire(url), self.loop).result()
        lock = threading.Lock()
        done = False

        def give_back() -> None:
            nonlocal done
            with lock:
                if done:
                    return
                done = True
            self.loop.call_soon_threadsafe(release)

        return give_back


class _ReleasingStream(httpx.AsyncByteStream):
    def __init__(self, stream: Any, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            self._release()


class _ReleasingSyncStream(httpx.SyncByteStream):
    def __init__(self, stream: Any, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release = release

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._release()


class GatedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that holds a gate slot from sending a request until its answer
    is closed: every request of the client, each redirect hop and robots.txt included."""

    def __init__(self, gate: HostGate, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.gate = gate
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        release = await self.gate.acquire(str(request.url))
        try:
            response = await self.inner.handle_async_request(request)
        except BaseException:
            release()
            raise
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_ReleasingStream(response.stream, release),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class GatedSyncTransport(httpx.BaseTransport):
    """The same for a synchronous client running in a worker thread (the video probes)."""

    def __init__(self, gate: ThreadGate, inner: httpx.BaseTransport) -> None:
        self.gate = gate
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        release = self.gate.acquire(str(request.url))
        try:
            response = self.inner.handle_request(request)
        except BaseException:
            release()
            raise
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_ReleasingSyncStream(response.stream, release),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.inner.close()
