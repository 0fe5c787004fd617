"""The checks behind the self-check page: a bounded queue, a cap on running checks, a
per-client rate limit, and the jobs a page or the API asks about.

One host gate, one HTTP fetcher and one browser serve every check, as in a sweep: two
teachers checking spaces of the same platform at once share its ``--per-host`` cap.
Finished checks are stored in the database like ``spacebot check``'s, so a space's
history holds the teachers' checks and the reviewers' sweeps alike.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crawler import STAGE, STAGES, AddressPolicy, BrowserSession, CrawlOptions, HostGate, HttpFetcher, Target, Turns
from errors import SpacebotError
from inspectors import load_rubric
from store import SnapshotStore

from ..pipeline import inspect_target

__all__ = ["Busy", "CheckService", "Job", "RateLimiter", "ServeSettings", "client_key"]

logger = logging.getLogger("spacebot.web")

_RECYCLE_EVERY = 40  # checks per browser context: chromium's memory stays flat
_KEPT_JOBS = 1000  # finished jobs remembered for their pages and the API
_PER_CLIENT = 3  # checks one client address may have under way at once


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
    access_log: bool = False  # the server logs requests with the client's address (said on the page)
    broker: str | None = None  # run the checks on the workers of a distributed sweep (spacebot worker)


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
    client: str = ""  # the asking address's key (kept in memory only, for the per-client cap)

    def advance(self, key: str) -> None:
        if key in STAGES and key not in self.reached:
            self.reached.append(key)
            self.stage = key


class RateLimiter:
    """At most ``limit`` checks per client address in a sliding window of ``window`` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}
        self._pruned = time.monotonic()

    def take(self, client: str) -> None:
        """Count one request of ``client``, or raise :class:`Busy` when it has had its share."""
        now = time.monotonic()
        seen = self._seen.setdefault(client, deque())
        while seen and now - seen[0] >= self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            wait = int(self.window - (now - seen[0])) + 1
            raise Busy(
                f"检查过于频繁：同一 IP 地址每 {self.window / 60:g} 分钟最多提交 {self.limit} 次检查，"
                f"请在 {_minutes(wait)} 后再试",
                wait,
            )
        seen.append(now)
        if now - self._pruned > 60:  # forget clients whose window has passed
            self._pruned = now
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
        self._queue: asyncio.Queue[Job] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._gate: HostGate | None = None
        self._fetcher: HttpFetcher | None = None
        self._browser: BrowserSession | None = None
        self._durations: deque[float] = deque(maxlen=20)
        self._remote: Any = None  # with --broker: the workers run the checks

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
        if s.broker is not None:
            from ..distributed import RemoteChecks

            self._remote = RemoteChecks(
                s.broker,
                {
                    "timeout": s.timeout,
                    "total_timeout": s.total_timeout,
                    "screenshots": s.screenshots,
                    "per_host": s.per_host,
                },
            )
            await self._remote.start()
            self._workers = [asyncio.create_task(self._work()) for _ in range(max(1, s.max_running))]
            return
        self._gate = HostGate(s.per_host)
        self._fetcher = HttpFetcher(timeout=s.timeout, gate=self._gate, policy=s.policy)
        self._browser = BrowserSession(  # in turns with the probes' OCR, as in a sweep
            timeout=max(s.timeout, 10.0),
            recycle_every=_RECYCLE_EVERY,
            policy=s.policy,
            gate=self._gate,
            turns=Turns(),
        )
        self._workers = [asyncio.create_task(self._work()) for _ in range(max(1, s.max_running))]

    async def stop(self) -> None:
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers.clear()
        if self._remote is not None:
            await self._remote.stop()
        if self._fetcher is not None:
            await self._fetcher.aclose()
        if self._browser is not None:
            await self._browser.aclose()

    async def db(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        """A store call in a worker thread, holding the store's lock: one connection serves
        the pages, the checks' writes and the probes' cache, one call at a time."""

        def locked() -> Any:
            with self.store._lock:
                return call(*args, **kwargs)

        return await asyncio.to_thread(locked)

    def _remember(self, job: Job) -> Job:
        self.jobs[job.id] = job
        if len(self.jobs) > _KEPT_JOBS:  # forget the oldest finished ones
            finished = [k for k, j in self.jobs.items() if j.status in ("done", "error")]
            for key in finished[: len(self.jobs) - _KEPT_JOBS]:
                del self.jobs[key]
        return job

    def _under_way(self, url: str, rubric: str, group: str | None) -> Job | None:
        for job in self.jobs.values():
            if job.url == url and job.rubric == rubric and job.group == group and job.status in ("queued", "running"):
                return job
        return None

    async def submit(self, url: str, rubric: str, group: str | None, client: str, *, fresh: bool = False) -> Job:
        """A job for checking ``url`` (already validated) for ``client``: the one already
        under way for the same space, a stored check of the last minutes (unless ``fresh``),
        or a new one in the queue. Raises :class:`Busy` when the client has its share of
        checks under way or the queue is full."""
        under_way = self._under_way(url, rubric, group)
        if under_way is not None:
            return under_way
        if not fresh:
            stored = await self.db(self._recent_snapshot, url, rubric, group)
            if stored is not None:
                snapshot_id, verdict = stored
                job = Job(_new_id(), url, rubric, group, "done", snapshot_id=snapshot_id, verdict=verdict, reused=True)
                job.reached = list(STAGES)
                return self._remember(job)
            under_way = self._under_way(url, rubric, group)  # asked twice at once (a double click)
            if under_way is not None:
                return under_way
        assert self._queue is not None, "the service was not started"
        mine = sum(1 for j in self.jobs.values() if j.client == client and j.status in ("queued", "running"))
        if mine >= _PER_CLIENT:
            raise Busy(f"你已有 {mine} 个检查正在进行，请等它们完成后再提交", 60)
        if self._queue.full():
            wait = int(self.expected_wait())
            raise Busy(f"正在检查的空间太多，请在 {_minutes(wait)} 后再试", wait)
        job = self._remember(Job(_new_id(), url, rubric, group, client=client))
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
        rows = list(
            self.store.db.execute(
                "select id, taken_at, rubric, verdict from snapshots where url = ? "
                "order by taken_at desc, id desc limit 1",
                [url],
            )
        )
        if not rows:
            return None
        row = dict(zip(("id", "taken_at", "rubric", "verdict"), rows[0], strict=True))
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
                # The crawl has its own watchdog; this one also bounds the video probes.
                await asyncio.wait_for(self._run(job), self.settings.total_timeout * 2 + 60)
            except asyncio.CancelledError:
                job.status, job.error = "error", "服务已停止，检查未完成，请稍后重新检查"
                raise
            except TimeoutError:
                job.status, job.error = "error", "检查超时：这个空间的内容太多或平台响应太慢，请稍后重新检查"
            except SpacebotError as exc:  # the database cannot be written (a full disk): its own sentence
                job.status, job.error = "error", f"检查结果无法保存：{exc}；请联系管理员"
            except Exception:  # a bug: the teacher gets a sentence, the log gets the details
                logger.exception("check %s failed", job.id)
                job.status = "error"
                job.error = "检查时出现内部错误，请稍后重试；如果反复出现，请联系管理员"
            finally:
                self._durations.append(time.monotonic() - started)
                self._queue.task_done()

    async def _run(self, job: Job) -> None:
        job.status = "running"
        if self._remote is not None:
            await self._run_remote(job)
            return
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
        document = _for_teachers({**result.document, "rubric": rubric.name})
        job.snapshot_id = await self.db(
            self.store.save_check, document, state=result.snapshot.state, artifacts=result.snapshot.artifacts
        )
        job.verdict = result.verdict
        job.status = "done"

    async def _run_remote(self, job: Job) -> None:
        from ..distributed import RemoteFailure, unpack, unpack_blobs

        try:
            body = await self._remote.run(job.id, job.url, job.group, job.rubric, job.advance)
        except RemoteFailure as exc:
            job.status, job.error = "error", str(exc)
            return
        document = _for_teachers({**body["document"], "rubric": job.rubric})
        job.snapshot_id = await self.db(
            self.store.save_check,
            document,
            state=unpack(body.get("state")),
            artifacts=unpack_blobs(body.get("artifacts")),
        )
        job.verdict = document["verdict"]
        job.status = "done"

    async def document(self, job: Job) -> dict[str, Any] | None:
        if job.snapshot_id is None:
            return None
        return dict(await self.db(self.store.document, job.snapshot_id))

    async def history(self, url: str, limit: int = 6) -> list[dict[str, Any]]:
        """The latest checks of a space (newest first), each with its document."""

        def read() -> list[dict[str, Any]]:
            rows = self.store.db.execute(
                "select id, taken_at, verdict from snapshots where url = ? order by taken_at desc, id desc limit ?",
                [url, limit],
            ).fetchall()
            return [
                {"id": i, "taken_at": taken, "verdict": verdict, "document": self.store.document(i)}
                for i, taken, verdict in rows
            ]

        return list(await self.db(read))


def _new_id() -> str:
    return secrets.token_urlsafe(12)


def _for_teachers(document: dict[str, Any]) -> dict[str, Any]:
    """What the self-check stores and shows: a refusal of a private address the space's
    pages led to is said without the host and address (the page must not map the
    bureau's intranet for whoever asks)."""
    crawl = document["crawl"]
    if crawl.get("error") and "拒绝访问" in crawl["error"] and crawl["status"] == "blocked":
        crawl = {**crawl, "error": "空间的网页跳转到了内网或本机地址，已拒绝访问；教师空间应在公网上"}
    return {**document, "crawl": crawl}


def client_key(address: str) -> str:
    """The rate limit's key for a client address: IPv6 clients by their /64 network."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
