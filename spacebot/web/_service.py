"""The checks behind the self-check page: a bounded queue, a cap on running checks, a
per-client rate limit, and the jobs a page or the API asks about.

One host gate, one HTTP fetcher and one browser serve every check, as in a sweep: two
teachers checking spaces of the same platform at once share its ``--per-host`` cap.
Finished checks are stored in the database like ``spacebot check``'s, so a space's
history holds the teachers' checks and the reviewers' sweeps alike.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crawler import STAGE, STAGES, AddressPolicy, BrowserSession, CrawlOptions, HostGate, HttpFetcher, Target
from inspectors import load_rubric
from store import SnapshotStore

from ..pipeline import inspect_target

__all__ = ["Busy", "CheckService", "Job", "RateLimiter", "ServeSettings"]

logger = logging.getLogger("spacebot.web")

_RECYCLE_EVERY = 40  # checks per browser context: chromium's memory stays flat
_KEPT_JOBS = 1000  # finished jobs remembered for their pages and the API


@dataclass(frozen=True)
class ServeSettings:
    policy: AddressPolicy = field(default_factory=AddressPolicy)
    per_host: int = 2  # requests in flight to one platform host, over every running check
    max_running: int = 2  # checks at once (each may start chromium tabs)
    max_queued: int = 20  # checks waiting; past it the answer is 429
    rate_limit: int = 10  # checks one client address may ask for …
    rate_window: float = 600.0  # … in this many seconds
    reuse_within: float = 600.0  # the same space asked again within this is answered from the database
    timeout: float = 10.0
    total_timeout: float = 180.0
    screenshots: bool = True  # the card shows the space as the teacher's visitors see it


class Busy(Exception):
    """The check cannot be taken now: ``message`` (Chinese) says why, ``retry_after`` when."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = max(1, retry_after)


@dataclass
class Job:
    id: str
    url: str
    rubric: str
    group: str | None
    status: str = "queued"  # queued | running | done | error
    stage: str | None = None  # the key of STAGES reached
    reached: list[str] = field(default_factory=list)
    snapshot_id: int | None = None
    verdict: str | None = None
    error: str | None = None
    reused: bool = False  # answered from a check stored a few minutes ago
    created: float = field(default_factory=time.time)

    def advance(self, key: str) -> None:
        if key in STAGES and key not in self.reached:
            self.reached.append(key)
            self.stage = key


class RateLimiter:
    """At most ``limit`` checks per client address in a sliding window of ``window`` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}

    def take(self, client: str) -> None:
        """Count one request of ``client``, or raise :class:`Busy` when it has had its share."""
        now = time.monotonic()
        seen = self._seen.setdefault(client, deque())
        while seen and now - seen[0] >= self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            wait = int(self.window - (now - seen[0])) + 1
            raise Busy(
                f"检查过于频繁：同一地址每 {self.window / 60:g} 分钟最多检查 {self.limit} 次，"
                f"请在 {_minutes(wait)} 后再试",
                wait,
            )
        seen.append(now)
        if len(self._seen) > 10000:  # forget clients whose window has passed
            for key in [k for k, v in self._seen.items() if not v or now - v[-1] >= self.window]:
                del self._seen[key]


def _minutes(seconds: int) -> str:
    return f"{seconds} 秒" if seconds < 60 else f"{-(-seconds // 60)} 分钟"


class CheckService:
    """Takes checks, runs them ``max_running`` at a time, and remembers how they went."""

    def __init__(self, store: SnapshotStore, settings: ServeSettings) -> None:
        self.store = store
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit, settings.rate_window)
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self._db = threading.Lock()  # one connection: store calls from threads take turns
        self._queue: asyncio.Queue[Job] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._gate: HostGate | None = None
        self._fetcher: HttpFetcher | None = None
        self._browser: BrowserSession | None = None
        self._durations: deque[float] = deque(maxlen=20)

    @property
    def options(self) -> CrawlOptions:
        s = self.settings
        return CrawlOptions(
            timeout=s.timeout,
            total_timeout=s.total_timeout,
            per_host=s.per_host,
            policy=s.policy,
            screenshots=s.screenshots,
        )

    async def start(self) -> None:
        s = self.settings
        self._queue = asyncio.Queue(maxsize=s.max_queued)
        self._gate = HostGate(s.per_host)
        self._fetcher = HttpFetcher(timeout=s.timeout, gate=self._gate, policy=s.policy)
        self._browser = BrowserSession(
            timeout=max(s.timeout, 10.0), recycle_every=_RECYCLE_EVERY, policy=s.policy, gate=self._gate
        )
        self._workers = [asyncio.create_task(self._work()) for _ in range(max(1, s.max_running))]

    async def stop(self) -> None:
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers.clear()
        if self._fetcher is not None:
            await self._fetcher.aclose()
        if self._browser is not None:
            await self._browser.aclose()

    async def db(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        """A store call in a worker thread, one at a time."""

        def locked() -> Any:
            with self._db:
                return call(*args, **kwargs)

        return await asyncio.to_thread(locked)

    def _remember(self, job: Job) -> Job:
        self.jobs[job.id] = job
        while len(self.jobs) > _KEPT_JOBS:
            oldest = next(iter(self.jobs))
            if self.jobs[oldest].status in ("queued", "running"):
                break
            self.jobs.pop(oldest)
        return job

    async def submit(self, url: str, rubric: str, group: str | None, *, fresh: bool = False) -> Job:
        """A job for checking ``url`` (already validated): the one already under way for the
        same space, a stored check of the last minutes (unless ``fresh``), or a new one in
        the queue. Raises :class:`Busy` when the queue is full."""
        for job in self.jobs.values():
            if job.url == url and job.rubric == rubric and job.group == group and job.status in ("queued", "running"):
                return job
        if not fresh:
            stored = await self.db(self._recent_snapshot, url, rubric, group)
            if stored is not None:
                snapshot_id, verdict = stored
                job = Job(_new_id(), url, rubric, group, "done", snapshot_id=snapshot_id, verdict=verdict, reused=True)
                job.reached = list(STAGES)
                return self._remember(job)
        assert self._queue is not None, "the service was not started"
        if self._queue.full():
            wait = int(self.expected_wait())
            raise Busy(f"正在检查的空间太多，请在 {_minutes(wait)} 后再试", wait)
        job = self._remember(Job(_new_id(), url, rubric, group))
        self._queue.put_nowait(job)
        return job

    def expected_wait(self) -> float:
        """Roughly how long a check asked for now waits before it is done."""
        each = sum(self._durations) / len(self._durations) if self._durations else 60.0
        waiting = self._queue.qsize() if self._queue is not None else 0
        return each * (1 + waiting / max(1, self.settings.max_running))

    def queue_position(self, job: Job) -> int:
        """How many checks are ahead of a queued one."""
        ahead = 0
        for other in self.jobs.values():
            if other is job:
                break
            ahead += other.status == "queued"
        return ahead

    def _recent_snapshot(self, url: str, rubric: str, group: str | None) -> tuple[int, str] | None:
        rows = self.store.snapshots(url)
        if not rows:
            return None
        row = rows[-1]
        try:
            age = time.time() - datetime.fromisoformat(row["taken_at"]).timestamp()
        except (TypeError, ValueError):
            return None
        if row["rubric"] != rubric or age > self.settings.reuse_within or age < -60:
            return None
        if (self.store.document(row["id"])["target"].get("group") or None) != group:
            return None
        return int(row["id"]), str(row["verdict"])

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            job = await self._queue.get()
            started = time.monotonic()
            try:
                await self._run(job)
            except asyncio.CancelledError:
                job.status, job.error = "error", "服务已停止，检查未完成，请稍后重新检查"
                raise
            except Exception as exc:  # a bug: the teacher gets a sentence, the log gets the details
                logger.exception("check %s failed", job.id)
                job.status = "error"
                job.error = f"检查时出现内部错误（{exc.__class__.__name__}），请稍后重试；如果反复出现，请联系管理员"
            finally:
                self._durations.append(time.monotonic() - started)
                self._queue.task_done()

    async def _run(self, job: Job) -> None:
        job.status = "running"
        rubric = load_rubric(job.rubric)
        token = STAGE.set(job.advance)
        try:
            result = await inspect_target(
                Target(url=job.url, group=job.group),
                rubric,
                options=self.options,
                probe_cache=self.store,
                browser=self._browser,
                fetcher=self._fetcher,
            )
        finally:
            STAGE.reset(token)
        document = {**result.document, "rubric": rubric.name}
        job.snapshot_id = await self.db(
            self.store.save_check, document, state=result.snapshot.state, artifacts=result.snapshot.artifacts
        )
        job.verdict = result.verdict
        job.status = "done"

    async def document(self, job: Job) -> dict[str, Any] | None:
        if job.snapshot_id is None:
            return None
        return dict(await self.db(self.store.document, job.snapshot_id))

    async def history(self, url: str, limit: int = 6) -> list[dict[str, Any]]:
        """The latest checks of a space (newest first), each with its document."""

        def read() -> list[dict[str, Any]]:
            rows = self.store.snapshots(url)[-limit:]
            return [_entry(row, self.store.document(row["id"])) for row in reversed(rows)]

        return list(await self.db(read))


def _entry(row: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "taken_at": row["taken_at"], "verdict": row["verdict"], "document": document}


def _new_id() -> str:
    return secrets.token_urlsafe(12)

