"""Politeness towards platform hosts: per-host concurrency, Crawl-delay, robots.txt.

Nearly every space of a region lives on one platform host, so a sweep must never open
more than ``per_host`` requests to it at once, must space them by the robots.txt
Crawl-delay, and must not fetch what robots.txt disallows. One ``HostGate`` and one
``RobotsRules`` are shared by every space of a sweep.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx
from protego import Protego

__all__ = ["ROBOTS_AGENT", "HostGate", "RobotsRules"]

ROBOTS_AGENT = "spacebot"


def _host(url: str) -> str:
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
        self._delay[_host(url)] = max(self._delay[_host(url)], seconds)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        host = _host(url)
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


class RobotsRules:
    """robots.txt per host, fetched once; an unreadable robots.txt allows everything."""

    def __init__(self, client: httpx.AsyncClient, gate: HostGate | None = None) -> None:
        self.client = client
        self.gate = gate
        self._rules: dict[str, Protego | None] = {}
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def _load(self, host: str) -> Protego | None:
        async with self._locks[host]:
            if host in self._rules:
                return self._rules[host]
            rules = None
            try:
                response = await self.client.get(host + "/robots.txt", follow_redirects=True)
                if response.status_code == 200 and "html" not in response.headers.get("Content-Type", ""):
                    rules = Protego.parse(response.text[:512_000])
            except Exception:  # unreachable or refused robots.txt: no rules (the page fetch is judged itself)
                rules = None
            self._rules[host] = rules
            if rules is not None and self.gate is not None:
                delay = rules.crawl_delay(ROBOTS_AGENT)
                if delay:
                    self.gate.set_delay(host, min(float(delay), 30.0))
            return rules

    async def allowed(self, url: str) -> bool:
        rules = await self._load(_host(url))
        return True if rules is None else bool(rules.can_fetch(url, ROBOTS_AGENT))
