"""robots.txt per host (protego): what may be fetched, and the Crawl-delay the gate keeps."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import httpx
from protego import Protego

from .gate import BudgetExceeded, HostGate, host_key

__all__ = ["ROBOTS_AGENT", "RobotsRules"]

ROBOTS_AGENT = "spacebot"


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
            except BudgetExceeded:  # the space's budget, not the host's robots.txt: ask again later
                raise
            except Exception:  # unreachable or refused robots.txt: no rules (the page fetch is judged itself)
                rules = None
            self._rules[host] = rules
            if rules is not None and self.gate is not None:
                delay = rules.crawl_delay(ROBOTS_AGENT)
                if delay:
                    self.gate.set_delay(host, min(float(delay), 30.0))
            return rules

    async def allowed(self, url: str) -> bool:
        rules = await self._load(host_key(url))
        return True if rules is None else bool(rules.can_fetch(url, ROBOTS_AGENT))
