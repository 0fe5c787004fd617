"""The per-host gate of a distributed sweep: ``per_host`` and the Crawl-delay hold for
every worker together.

Each request takes, besides the worker's own slot (:class:`crawler.HostGate`), one of the
host's ``per_host`` slots on Redis. A slot is a redis-py lock with a timeout (a lease):
its holder renews it every ``lease / 3`` seconds while the request runs and deletes it
when the answer has been read; a slot of a worker that died comes back when its lease
runs out, since nobody else renews it. (Dramatiq's ``ConcurrentRateLimiter`` keeps one
counter per key whose expiry every acquisition renews: a slot of a dead worker would stay
taken for as long as the others keep the host busy, and a request longer than the expiry
would free every slot at once.)

With a delay, a request goes out only once it has set the host's pacing key (``SET NX``
with the delay as expiry): the key's expiry, kept by the Redis server's clock, spaces the
requests of every worker. A host paused after a run of blocked answers is paused for
every worker (a key with the pause as expiry).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from redis.exceptions import LockError

from crawler import HostGate

from ._wire import LEASE_SECONDS, NAMESPACE, REDIS_DOWN


class ClusterGate(HostGate):
    def __init__(
        self,
        redis: Any,
        per_host: int = 2,
        min_delay: float = 0.0,
        *,
        pause_after: int | None = None,
        pause_seconds: float = 600,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        super().__init__(per_host, min_delay, pause_after=pause_after, pause_seconds=pause_seconds)
        self.redis = redis
        self.lease_seconds = lease_seconds
        self._held: set[Any] = set()  # the locks of requests in flight
        self._tasks: set[asyncio.Task[Any]] = set()
        self._renewer: asyncio.Task[None] | None = None
        self._pause_checked: dict[str, float] = {}

    async def acquire(self, url: str) -> Any:
        await self._shared_pause(url)
        return await super().acquire(url)

    async def _cluster_slot(self, host: str) -> Any:
        if self._renewer is None:
            self._renewer = asyncio.create_task(self._renew())
        wait = 0.005
        while True:
            for index in random.sample(range(self.per_host), self.per_host):
                lock = self.redis.lock(
                    f"{NAMESPACE}:slot:{host}:{index}", timeout=self.lease_seconds, blocking=False, thread_local=False
                )
                if await self._try(lock):
                    self._held.add(lock)
                    return lock
            await asyncio.sleep(wait * (1 + random.random()))  # every slot is taken: try again shortly
            wait = min(wait * 1.5, 0.1)

    async def _try(self, lock: Any) -> bool:
        """One attempt at a slot. A request cancelled meanwhile (a space's time limit, a
        page closed) must not leave the slot taken on Redis until its lease runs out: the
        attempt finishes on its own (shielded) and gives back what it got."""
        token = uuid.uuid4().hex  # the same token if the attempt is made again after a lost reply
        attempt = asyncio.ensure_future(_retrying(lambda: lock.acquire(blocking=False, token=token)))
        try:
            return bool(await asyncio.shield(attempt))
        except asyncio.CancelledError:

            def give_back(done: asyncio.Future[Any]) -> None:
                if not done.cancelled() and done.exception() is None and done.result():
                    self._cluster_release(lock)

            attempt.add_done_callback(give_back)
            raise

    async def _cluster_pace(self, host: str, delay: float) -> None:
        key = f"{NAMESPACE}:pace:{host}"
        while True:
            if await _retrying(lambda: self.redis.set(key, "1", nx=True, px=max(1, int(delay * 1000)))):
                return
            left = await _retrying(lambda: self.redis.pttl(key))
            await asyncio.sleep(max(left, 1) / 1000)

    def _cluster_release(self, lease: Any) -> None:
        self._held.discard(lease)

        async def release() -> None:
            try:
                await lease.release()
            except Exception:  # noqa: BLE001 - expired or Redis away: the lease runs out by itself
                pass

        task = asyncio.get_running_loop().create_task(release())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            for lock in list(self._held):
                try:
                    await lock.reacquire()
                except LockError:  # lost (Redis restarted, or the lease ran out): nothing to renew
                    self._held.discard(lock)
                except REDIS_DOWN:  # a blip: renewed on the next round, well within the lease
                    pass

    # Pauses: a host paused by one worker is paused for all of them.
    def answered(self, url: str, blocked: bool) -> None:
        before = sum(self.pauses.values())
        super().answered(url, blocked)
        if sum(self.pauses.values()) > before:
            key = f"{NAMESPACE}:pause:{_name(url)}"
            task = asyncio.get_running_loop().create_task(
                _quietly(self.redis.set(key, "1", px=max(1, int(self.pause_seconds * 1000))))
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _shared_pause(self, url: str) -> None:
        """Learn (at most once a second per host) whether another worker paused the host."""
        name = _name(url)
        now = time.monotonic()
        if now - self._pause_checked.get(name, float("-inf")) < 1.0:
            return
        self._pause_checked[name] = now
        try:
            left = await self.redis.pttl(f"{NAMESPACE}:pause:{name}")
        except Exception:  # noqa: BLE001 - Redis away: the worker's own pauses still hold
            return
        if left and left > 0:
            until = now + left / 1000
            if until > self._paused_until.get(name, 0.0):
                self._paused_until[name] = until

    async def aclose(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
        for lock in list(self._held):
            await _quietly(lock.release())
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def _name(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


async def _retrying(call: Any) -> Any:
    """A Redis command, tried again while Redis cannot be reached (the request waits; the
    space's own time limit still holds)."""
    wait = 0.2
    while True:
        try:
            return await call()
        except REDIS_DOWN:
            await asyncio.sleep(wait)
            wait = min(wait * 2, 5.0)


async def _quietly(awaitable: Any) -> None:
    try:
        await awaitable
    except Exception:  # noqa: BLE001
        pass
