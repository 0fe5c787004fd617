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
import concurrent.futures
import threading
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

import httpx

__all__ = [
    "METER",
    "Ticket",
    "BudgetExceeded",
    "GatedSyncTransport",
    "GatedTransport",
    "HostGate",
    "HostPaused",
    "Meter",
    "ThreadGate",
    "host_key",
]


class BudgetExceeded(Exception):
    """A space made more requests than its budget allows."""


class HostPaused(BudgetExceeded):
    """A request to a host that is paused after a run of blocked answers: refused at once
    (like a request over the budget), so that no space holds a sweep slot through a pause."""


class Meter:
    """What one space's visit cost: requests (of every kind: pages, each redirect hop, the
    browser's sub-requests, video reads), bytes received and browser renders. Past
    ``limit`` requests every further request raises :class:`BudgetExceeded`.

    The meter of the space being checked is found through :data:`METER`, a context
    variable that the space's task (and the threads its probes run in) inherit.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.requests = 0
        self.bytes = 0
        self.renders = 0
        self.exceeded = False
        self.paused_out = False  # a request was refused because its host was paused
        self._lock = threading.Lock()

    @property
    def message(self) -> str:
        return (
            f"请求次数超过每个空间的上限（{self.limit} 次），已停止检查该空间；"
            "如该空间确实内容很多，可用 --max-requests-per-space 调高上限"
        )

    def request(self) -> None:
        with self._lock:
            if self.limit is not None and self.requests >= self.limit:
                self.exceeded = True
                raise BudgetExceeded(self.message)
            self.requests += 1

    def received(self, size: int) -> None:
        with self._lock:
            self.bytes += size

    def rendered(self, pages: int = 1) -> None:
        with self._lock:
            self.renders += pages


METER: ContextVar[Meter | None] = ContextVar("spacebot_meter", default=None)


def _host_name(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Ticket:
    """One request's slot: ``sent()`` when the request has gone out on the wire (the
    Crawl-delay is counted from there), ``release()`` when its answer has been read.
    Both may be called more than once; releasing an unsent ticket counts it as sent."""

    def __init__(self, gate: HostGate, host: str, semaphore: asyncio.Semaphore, paced: bool, lease: Any = None) -> None:
        self._gate = gate
        self._host = host
        self._semaphore = semaphore
        self._paced = paced
        self._lease = lease  # the cluster-wide slot (a distributed sweep's gate), if any
        self._sent = False
        self._released = False

    def sent(self, at: float | None = None) -> None:
        if not self._sent:
            self._sent = True
            self._gate._mark_sent(self._host, time.monotonic() if at is None else at, self._paced)

    def release(self) -> None:
        if not self._released:
            self.sent()
            self._released = True
            self._gate.in_flight[self._host] -= 1
            if self._lease is not None:
                self._gate._cluster_release(self._lease)
            self._semaphore.release()

    __call__ = release


class HostGate:
    """At most ``per_host`` requests in flight per host; with a delay (``--delay`` or the
    host's robots.txt Crawl-delay) a request goes out only ``delay`` seconds after the one
    before it went out, measured when it really left (not when it passed the gate: a busy
    event loop may hold a request between the two, and the host must still see the gap).

    ``requests`` counts the requests let through per host and ``peak`` the most that were
    ever in flight at once.

    With ``pause_after`` K, a host that gave K blocked answers in a row (a WAF, a captcha,
    a rate limit: see :meth:`answered`) is left alone for ``pause_seconds``: no request of
    any kind goes to it until then, while other hosts go on. ``pauses`` counts them.
    """

    def __init__(
        self, per_host: int = 2, min_delay: float = 0.0, *, pause_after: int | None = None, pause_seconds: float = 600
    ) -> None:
        self.per_host = max(1, per_host)
        self.min_delay = min_delay
        self.pause_after = pause_after
        self.pause_seconds = pause_seconds
        self._streak: Counter[str] = Counter()
        self._paused_until: dict[str, float] = {}
        self.pauses: Counter[str] = Counter()
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._delay: dict[str, float] = defaultdict(float)
        self._last_sent: dict[str, float] = defaultdict(lambda: float("-inf"))
        self._starters: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._all_sent: dict[str, asyncio.Event] = {}
        self._unsent: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()

    def set_delay(self, url: str, seconds: float) -> None:
        self._delay[host_key(url)] = max(self._delay[host_key(url)], seconds)

    def _sent_event(self, host: str) -> asyncio.Event:
        event = self._all_sent.get(host)
        if event is None:
            event = self._all_sent[host] = asyncio.Event()
            event.set()
        return event

    def _mark_sent(self, host: str, at: float, paced: bool) -> None:
        self._last_sent[host] = max(self._last_sent[host], at)
        if paced:
            self._unsent[host] -= 1
            if self._unsent[host] <= 0:
                self._sent_event(host).set()

    def answered(self, url: str, blocked: bool) -> None:
        """Count an answer of ``url``'s host: a blocked one lengthens its streak, any other
        ends it. The K-th blocked answer in a row pauses the host (by name: its http and
        https addresses are one platform)."""
        name = _host_name(url)
        if not blocked:
            self._streak[name] = 0
            return
        self._streak[name] += 1
        if self.pause_after is not None and self._streak[name] >= self.pause_after and not self.paused(url):
            self._paused_until[name] = time.monotonic() + self.pause_seconds
            self._streak[name] = 0
            self.pauses[name] += 1

    def paused(self, url: str) -> bool:
        return self._paused_until.get(_host_name(url), 0.0) > time.monotonic()

    def paused_for(self, url: str) -> float:
        """Seconds until ``url``'s host is no longer paused (0 when it is not)."""
        return max(0.0, self._paused_until.get(_host_name(url), 0.0) - time.monotonic())

    async def unpaused(self, url: str) -> None:
        """Wait until ``url``'s host is not paused (at once when it is not)."""
        while (wait := self._paused_until.get(_host_name(url), 0.0) - time.monotonic()) > 0:
            await asyncio.sleep(wait)

    async def acquire(self, url: str) -> Ticket:
        """Wait for a slot on ``url``'s host (and for its turn, with a delay); a paused host
        refuses with :class:`HostPaused` (and the space's meter records it)."""
        host = host_key(url)
        if self.paused(url):
            meter = METER.get()
            if meter is not None:
                meter.paused_out = True
            raise HostPaused(
                f"平台连续 {self.pause_after} 次拦截访问（防火墙、验证码或访问频率限制），"
                f"已暂停访问该平台 {self.pause_seconds / 60:g} 分钟"
            )
        semaphore = self._slots.setdefault(host, asyncio.Semaphore(self.per_host))
        await semaphore.acquire()
        paced = False
        lease = None
        try:
            lease = await self._cluster_slot(host)
            delay = max(self.min_delay, self._delay[host])
            if delay > 0:
                async with self._starters[host]:  # one request of the host at a time gets its turn
                    all_sent = self._sent_event(host)
                    while True:
                        await all_sent.wait()  # the one before has really gone out …
                        wait = self._last_sent[host] + max(self.min_delay, self._delay[host]) - time.monotonic()
                        if wait <= 0:
                            break
                        await asyncio.sleep(wait)  # … and the delay since has passed
                    await self._cluster_pace(host, delay)
                    self._unsent[host] += 1
                    all_sent.clear()
                    paced = True
        except BaseException:
            if lease is not None:
                self._cluster_release(lease)
            semaphore.release()
            raise
        self.in_flight[host] += 1
        self.requests[host] += 1
        self.peak[host] = max(self.peak[host], self.in_flight[host])
        return Ticket(self, host, semaphore, paced, lease)

    # A distributed sweep's gate (spacebot.distributed) also holds a slot of the whole
    # cluster for each request, and spaces the requests of every worker; alone, the gate
    # holds only its own.
    async def _cluster_slot(self, host: str) -> Any:
        return None

    async def _cluster_pace(self, host: str, delay: float) -> None:
        return None

    def _cluster_release(self, lease: Any) -> None:
        return None

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[Ticket]:
        ticket = await self.acquire(url)
        try:
            yield ticket
        finally:
            ticket.release()


class ThreadGate:
    """The gate as seen from a worker thread (the video probes run in threads): each slot
    is taken and given back on the event loop that owns the gate."""

    def __init__(self, gate: HostGate, loop: asyncio.AbstractEventLoop) -> None:
        self.gate = gate
        self.loop = loop

    def acquire(self, url: str) -> _ThreadTicket:
        try:
            waiting = asyncio.run_coroutine_threadsafe(self.gate.acquire(url), self.loop)
            while True:
                try:
                    ticket = waiting.result(timeout=1.0)
                    break
                except concurrent.futures.TimeoutError:
                    # The crawl ended (Ctrl+C) and its loop with it: nothing will ever hand
                    # this slot over, and the probe's thread must not keep the process alive.
                    if self.loop.is_closed() or not self.loop.is_running():
                        waiting.cancel()
                        raise RuntimeError("the crawl's event loop has stopped") from None
        except HostPaused:
            meter = METER.get()  # the probe thread's copy of the space's context
            if meter is not None:
                meter.paused_out = True
            raise
        return _ThreadTicket(ticket, self.loop)


class _ThreadTicket:
    def __init__(self, ticket: Ticket, loop: asyncio.AbstractEventLoop) -> None:
        self._ticket = ticket
        self._loop = loop

    def sent(self) -> None:
        self._loop.call_soon_threadsafe(self._ticket.sent, time.monotonic())

    def release(self) -> None:
        self._loop.call_soon_threadsafe(self._ticket.release)


class _ReleasingStream(httpx.AsyncByteStream):
    def __init__(self, stream: Any, release: Callable[[], None], meter: Meter | None) -> None:
        self._stream = stream
        self._release = release
        self._meter = meter

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            if self._meter is not None:
                self._meter.received(len(chunk))
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            self._release()


class _ReleasingSyncStream(httpx.SyncByteStream):
    def __init__(self, stream: Any, release: Callable[[], None], meter: Meter | None) -> None:
        self._stream = stream
        self._release = release
        self._meter = meter

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            if self._meter is not None:
                self._meter.received(len(chunk))
            yield chunk

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._release()


class GatedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that holds a gate slot from sending a request until its answer
    is closed: every request of the client, each redirect hop and robots.txt included.
    Each request is counted on the meter of the space that makes it."""

    def __init__(self, gate: HostGate, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.gate = gate
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        meter = METER.get()
        if meter is not None:
            meter.request()
        ticket = await self.gate.acquire(str(request.url))
        traced = request.extensions.get("trace")

        async def trace(name: str, info: dict[str, Any]) -> None:
            if name.endswith("send_request_headers.complete"):  # on the wire now
                ticket.sent()
            if traced is not None:
                await traced(name, info)

        request.extensions = {**request.extensions, "trace": trace}
        try:
            response = await self.inner.handle_async_request(request)
        except BaseException:
            ticket.release()
            raise
        ticket.sent()  # a transport without traces (a HAR replay): answered means sent
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_ReleasingStream(response.stream, ticket.release, meter),
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
        meter = METER.get()  # a probe's thread runs in a copy of its space's context
        if meter is not None:
            meter.request()
        ticket = self.gate.acquire(str(request.url))
        ticket.sent()  # a thread is not held up by the event loop: it goes out now
        try:
            response = self.inner.handle_request(request)
        except BaseException:
            ticket.release()
            raise
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_ReleasingSyncStream(response.stream, ticket.release, meter),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.inner.close()
