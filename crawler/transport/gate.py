"""The per-host gate: at most ``per_host`` requests in flight to one host, spaced by the
robots.txt Crawl-delay.

Nearly every space of a region lives on one platform host, so a sweep must never open
more than ``per_host`` requests to it at once. One ``HostGate`` is shared by every space
of a sweep.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

__all__ = ["HostGate", "host_key"]


def host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class HostGate:
    """At most ``per_host`` requests in flight per host, started at least ``delay`` apart."""

    def __init__(self, per_host: int = 2, min_delay: float = 0.0) -> None:
        self.per_host = max(1, per_host)
        self.min_delay = min_delay
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._delay: dict[str, float] = defaultdict(float)
        self._next_start: dict[str, float] = defaultdict(float)
        self._pace = asyncio.Lock()

    def set_delay(self, url: str, seconds: float) -> None:
        self._delay[host_key(url)] = max(self._delay[host_key(url)], seconds)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        host = host_key(url)
        semaphore = self._slots.setdefault(host, asyncio.Semaphore(self.per_host))
        async with semaphore:
            delay = max(self.min_delay, self._delay[host])
            if delay > 0:
                async with self._pace:  # reserve the next start time for this host
                    now = time.monotonic()
                    start = max(now, self._next_start[host])
                    self._next_start[host] = start + delay
                await asyncio.sleep(max(0.0, start - now))
            yield
