"""``spacebot worker``: checks the spaces a coordinator enqueued, on any number of machines.

A Dramatiq worker (its Redis broker, late acknowledgement, retries) whose actor is a
coroutine: every space of the process runs on one event loop (Dramatiq's ``AsyncIO``
middleware), sharing one chromium, one HTTP fetcher and one :class:`ClusterGate`, as in a
local sweep. The worker's own address policy (``--allow-private`` …) guards every
request: a message carries a target and the coordinator's sweep, never a policy.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from rich.console import Console

from crawler import (
    STAGE,
    AddressPolicy,
    BrowserSession,
    CrawlOptions,
    HttpFetcher,
    Recipe,
    RecipeBook,
    Turns,
    check_target_url,
)
from errors import TargetError
from inspectors import Rubric, rubric_from_text

from ..pipeline import CheckResult, inspect_target
from ._gate import ClusterGate
from ._wire import (
    CHECK_ACTOR,
    HEARTBEAT_EVERY,
    REDIS_DOWN,
    RESULT_ACTOR,
    SPACES_QUEUE,
    VERSION,
    WORKER_TTL,
    check_redis,
    make_broker,
    meta_digest,
    pack,
    pack_blobs,
    quiet_dramatiq,
    redacted,
    results_queue,
    stage_key,
    sweep_keys,
    target_from_json,
    target_json,
    unpack,
    worker_key,
)

__all__ = ["run_worker"]

logger = logging.getLogger("spacebot.worker")

_RECYCLE_EVERY = 40  # spaces per browser context, as in a local sweep


class Journal(RecipeBook):
    """A worker's copy of one host's recipe that writes down what the visit learnt, for
    the coordinator to play on the sweep's own book (so that the recipe a worker learns
    or verifies is every worker's on their next space)."""

    def __init__(self, recipes: list[Recipe]) -> None:
        super().__init__(recipes)
        self.events: list[list[Any]] = []

    def observed(self, host: str, rendered: set[str]) -> None:
        self.events.append(["observed", host, sorted(rendered)])
        super().observed(host, rendered)

    def verdict(
        self, host: str, roles: frozenset[str], same: bool, why: str = "", apis: list[dict[str, Any]] | None = None
    ) -> None:
        self.events.append(["verdict", host, sorted(roles), same, why, apis or []])
        super().verdict(host, roles, same, why, apis)

    def apis_seen(self, host: str, apis: list[dict[str, Any]]) -> None:
        self.events.append(["apis", host, apis])
        super().apis_seen(host, apis)

    def api_round(self, host: str, played: list[dict[str, Any]]) -> None:
        self.events.append(["api_round", host, played])
        super().api_round(host, played)


@dataclass(frozen=True)
class SweepMeta:
    """What the coordinator says about its sweep (in Redis, beside the queue)."""

    rubric: Rubric
    timeout: float
    total_timeout: float
    screenshots: bool
    per_host: int
    max_requests: int | None
    min_delay: float
    pause_after: int
    pause_minutes: float
    since: date | None
    until: date | None
    recipes: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SweepMeta:
        def day(value: Any) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            rubric=rubric_from_text(data["rubric_text"]),
            timeout=float(data["timeout"]),
            total_timeout=float(data["total_timeout"]),
            screenshots=bool(data["screenshots"]),
            per_host=max(1, int(data["per_host"])),
            max_requests=int(data["max_requests"]) if data.get("max_requests") else None,
            min_delay=max(0.0, float(data["min_delay"])),
            pause_after=max(1, int(data["pause_after"])),
            pause_minutes=max(0.0, float(data["pause_minutes"])),
            since=day(data.get("since")),
            until=day(data.get("until")),
            recipes=bool(data.get("recipes", True)),
        )


class _Crawlers:
    """One gate, fetcher and browser per politeness setting (in practice: one per sweep)."""

    def __init__(self, gate: ClusterGate, fetcher: HttpFetcher, browser: BrowserSession) -> None:
        self.gate, self.fetcher, self.browser = gate, fetcher, browser

    async def aclose(self) -> None:
        await self.fetcher.aclose()
        await self.browser.aclose()
        await self.gate.aclose()


class WorkerRuntime:
    def __init__(self, broker: Any, broker_url: str, policy: AddressPolicy, concurrency: int, console: Console) -> None:
        self.broker = broker
        self.concurrency = concurrency
        self.broker_url = broker_url
        self.policy = policy
        self.console = console
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.started = time.time()
        self.done = 0
        self.current: list[str] = []
        self._redis: Any = None
        self._crawlers: dict[tuple[Any, ...], _Crawlers] = {}
        # One for the process: every sweep's chromium and every probe's OCR share its memory.
        self._turns = Turns()
        self._metas: dict[str, tuple[str, SweepMeta]] = {}  # token → (digest, settings)
        self._lock = threading.Lock()

    # -- the status the coordinator shows -------------------------------------------
    def status(self) -> str:
        with self._lock:
            return json.dumps(
                {
                    "host": self.host,
                    "pid": self.pid,
                    "concurrency": self.concurrency,
                    "done": self.done,
                    "current": list(self.current),
                },
                ensure_ascii=False,
            )

    # -- the actor ------------------------------------------------------------------
    async def check_space(self, payload: dict[str, Any]) -> None:
        try:
            token = str(payload["sweep"])
            target = target_from_json(payload["target"])
            last_try = bool(payload.get("last_try"))
            job = payload.get("job") if isinstance(payload.get("job"), str) else None
            if payload.get("v") != VERSION:
                raise ValueError(f"message version {payload.get('v')!r}")
        except (KeyError, TypeError, ValueError) as exc:  # nothing to answer to
            logger.warning("dropped a malformed message: %s", exc)
            return
        redis = self._client()
        keys = sweep_keys(token)
        if await redis.exists(keys["done"]):
            return  # the sweep is over (this was a late second delivery)
        if await redis.sismember(keys["stored"], target.url):  # stored already: delivered again
            await self._send(token, {"url": target.url, "job": job, "stored": True})
            return
        try:
            # The address's form only (scheme, length): the worker's own policy guards
            # every request the visit makes, as in a local sweep.
            check_target_url(target.url, policy=AddressPolicy(allow_private=True))
            meta = await self._meta(token, payload.get("meta"))
            if meta is None:
                raise TargetError("协调端的巡检设置已不在 Redis 中（Redis 可能重启过），请重新运行巡检命令", target.url)
            crawlers = await self._crawlers_for(meta)
            host = urlsplit(target.url).netloc.lower()
            book: Journal | None = None
            if meta.recipes:
                known = await redis.hget(keys["recipes"], host)
                book = Journal([Recipe.from_json(json.loads(known))] if known else [])
        except REDIS_DOWN:
            raise  # tried again later (Dramatiq's retries)
        except Exception as exc:  # noqa: BLE001 - the coordinator is told, never left waiting
            if not isinstance(exc, TargetError):
                logger.exception("check of %s could not start", target.url)
            reason = str(exc) if isinstance(exc, TargetError) else f"检查时出现内部错误（{exc.__class__.__name__}）"
            await self._send(token, {"url": target.url, "job": job, "failed": reason})
            return
        options = CrawlOptions(
            timeout=meta.timeout,
            total_timeout=meta.total_timeout,
            policy=self.policy,  # the worker's own, never the message's
            screenshots=meta.screenshots,
            per_host=meta.per_host,
            max_requests=meta.max_requests,
        )
        with self._lock:
            self.current.append(target.url)
        pauses = sum(crawlers.gate.pauses.values())
        watching = STAGE.set(self._stage_reporter(token, job)) if job else None
        try:
            result = await self._inspect(target, meta, options, crawlers, unpack(payload.get("state")), book)
        except Exception as exc:  # a bug must not hold the sweep: the coordinator counts it as not inspected
            logger.exception("check of %s failed", target.url)
            failed = {"url": target.url, "job": job, "failed": f"检查时出现内部错误（{exc.__class__.__name__}）"}
            await self._send(token, failed)
            return
        finally:
            if watching is not None:
                STAGE.reset(watching)
            with self._lock:
                self.current.remove(target.url)
        paused = crawlers.gate.paused(target.url) or sum(crawlers.gate.pauses.values()) > pauses
        if result.snapshot.crawl.status == "blocked" and paused and not last_try:
            # Kept out by a WAF while the host got paused: read once more after the pause,
            # without holding this worker meanwhile (a delayed message).
            left = crawlers.gate.paused_for(target.url)
            await asyncio.to_thread(self._enqueue_again, {**payload, "last_try": True}, int(left * 1000) + 1000)
            return
        crawl = result.snapshot.crawl
        await self._send(
            token,
            {
                "url": target.url,
                "job": job,  # a self-check page's check (serve --broker)
                "target": target_json(target),
                "document": result.document,
                "deep_index": result.deep_index,
                "state": pack(result.snapshot.state),
                "artifacts": pack_blobs(result.snapshot.artifacts),
                "journal": book.events if book is not None else [],
                "requests": crawl.requests,
                "renders": crawl.renders,
                "bytes": crawl.bytes,
                "worker": f"{self.host}:{self.pid}",
            },
        )
        with self._lock:
            self.done += 1

    async def _inspect(
        self,
        target: Any,
        meta: SweepMeta,
        options: CrawlOptions,
        crawlers: _Crawlers,
        previous: dict[str, Any] | None,
        book: Journal | None,
    ) -> CheckResult:
        for attempt in range(2):
            relaunches = crawlers.browser.relaunches
            result = await inspect_target(
                target,
                meta.rubric,
                options=options,
                since=meta.since,
                until=meta.until,
                browser=crawlers.browser,
                fetcher=crawlers.fetcher,
                previous_state=previous,
                recipes=book,
            )
            # A space caught by a browser crash is done again once, in the relaunched browser.
            crashed = result.verdict == "error" and (
                crawlers.browser.relaunches > relaunches or "closed" in (result.snapshot.crawl.error or "").lower()
            )
            if not crashed or attempt:
                break
        return result

    def _stage_reporter(self, token: str, job: str) -> Callable[[str], None]:
        """For the self-check page: the stages of the check, under a key its page reads."""
        redis = self._client()
        key = stage_key(token, job)
        tasks: set[asyncio.Task[Any]] = set()

        def done(task: asyncio.Task[Any]) -> None:
            tasks.discard(task)
            if not task.cancelled() and task.exception() is not None:
                logger.debug("stage not reported: %s", task.exception())

        def report(stage: str) -> None:
            task = asyncio.get_running_loop().create_task(redis.set(key, stage, ex=600))
            tasks.add(task)
            task.add_done_callback(done)

        return report

    async def _send(self, token: str, body: dict[str, Any]) -> None:
        if await self._client().exists(sweep_keys(token)["done"]):
            return  # the coordinator finished meanwhile (this was a second delivery)
        from dramatiq import Message

        message: Message[Any] = Message(
            queue_name=results_queue(token),
            actor_name=RESULT_ACTOR,
            args=({"v": VERSION, "sweep": token, **body},),
            kwargs={},
            options={},
        )
        await asyncio.to_thread(self.broker.enqueue, message)

    def _enqueue_again(self, payload: dict[str, Any], delay_ms: int) -> None:
        from dramatiq import Message

        message: Message[Any] = Message(
            queue_name=SPACES_QUEUE, actor_name=CHECK_ACTOR, args=(payload,), kwargs={}, options={}
        )
        self.broker.enqueue(message, delay=delay_ms)

    # -- shared per process -----------------------------------------------------------
    def _client(self) -> Any:
        if self._redis is None:
            import redis.asyncio

            self._redis = redis.asyncio.Redis.from_url(
                self.broker_url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=15
            )
        return self._redis

    async def _meta(self, token: str, digest: Any) -> SweepMeta | None:
        """The sweep's settings, read again when the message names other ones (a sweep
        resumed with another --per-host, or an edited rubric)."""
        cached = self._metas.get(token)
        if cached is not None and (digest is None or cached[0] == digest):
            return cached[1]
        raw = await self._client().get(sweep_keys(token)["meta"])
        if raw is None:
            return None
        meta = SweepMeta.from_json(json.loads(raw))
        self._metas[token] = (meta_digest(raw), meta)
        return meta

    async def _crawlers_for(self, meta: SweepMeta) -> _Crawlers:
        key = (meta.per_host, meta.min_delay, meta.pause_after, meta.pause_minutes, meta.timeout)
        crawlers = self._crawlers.get(key)
        if crawlers is None:
            gate = ClusterGate(
                self._client(),
                meta.per_host,
                meta.min_delay,
                pause_after=meta.pause_after,
                pause_seconds=meta.pause_minutes * 60,
            )
            fetcher = HttpFetcher(timeout=meta.timeout, gate=gate, obey_robots=True, policy=self.policy)
            browser = BrowserSession(  # in turns with the probes' OCR, as in a sweep (see __init__)
                timeout=max(meta.timeout, 10.0),
                recycle_every=_RECYCLE_EVERY,
                policy=self.policy,
                gate=gate,
                turns=self._turns,
            )
            crawlers = self._crawlers[key] = _Crawlers(gate, fetcher, browser)
        return crawlers

    async def aclose(self) -> None:
        for crawlers in self._crawlers.values():
            await crawlers.aclose()
        self._crawlers.clear()
        if self._redis is not None:
            await self._redis.aclose()


def _heartbeat(runtime: WorkerRuntime, stop: threading.Event) -> None:
    """Keeps the worker's heartbeat on the broker fresh while every thread is busy with a
    long space (Dramatiq heartbeats only when it fetches), runs the broker's queue
    maintenance (a dead worker's messages back to the queue), and publishes the status
    the coordinator shows."""
    broker = runtime.broker
    down = False
    while not stop.wait(HEARTBEAT_EVERY):
        try:
            broker.do_qsize(SPACES_QUEUE)
            broker.client.set(worker_key(broker.broker_id), runtime.status(), ex=WORKER_TTL)
            if down:
                runtime.console.print("Redis 已恢复连接，继续工作。", highlight=False)
                down = False
        except REDIS_DOWN:
            if not down:
                runtime.console.print("[yellow]注意：[/]无法连接 Redis，等待其恢复……", highlight=False)
                down = True
    try:
        broker.client.delete(worker_key(broker.broker_id))
    except REDIS_DOWN:
        pass


def run_worker(broker_url: str, concurrency: int, policy: AddressPolicy, console: Console) -> None:
    """Run until SIGINT/SIGTERM; the spaces under way are finished first."""
    import dramatiq
    from dramatiq.asyncio import get_event_loop_thread
    from dramatiq.middleware import Middleware, Retries
    from dramatiq.middleware.asyncio import AsyncIO

    class _Closer(Middleware):
        """Closes chromium and the clients on the event loop, before the loop stops."""

        def after_worker_shutdown(self, broker: Any, worker: Any) -> None:
            loop_thread = get_event_loop_thread()
            if loop_thread is not None:
                loop_thread.run_coroutine(runtime.aclose())

    quiet_dramatiq()
    if not logger.handlers:  # a space that could not be checked because of a bug: in the worker's log
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    # Retries: a space whose result could not be sent (Redis away) is tried again later.
    retries = Retries(max_retries=5, min_backoff=2000, max_backoff=60000)
    broker = make_broker(broker_url, middleware=[retries, AsyncIO(), _Closer()])
    check_redis(broker_url)
    runtime = WorkerRuntime(broker, broker_url, policy, concurrency, console)
    dramatiq.actor(broker=broker, actor_name=CHECK_ACTOR, queue_name=SPACES_QUEUE)(runtime.check_space)
    # An idle consumer polls the queue with a backoff up to worker_timeout (Dramatiq's default
    # 1 s): a busy worker whose thread has just finished would wait up to that long for its
    # next space. 100 ms keeps that wait short at ten cheap polls a second.
    worker = dramatiq.Worker(broker, worker_threads=concurrency, worker_timeout=100)
    worker.queue_prefetch = concurrency  # never hold a space another worker could start now
    stop = threading.Event()
    beating = threading.Event()  # set once the worker has stopped: the heartbeat goes on until then

    def ask_stop(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, ask_stop)
    signal.signal(signal.SIGTERM, ask_stop)
    worker.start()
    beat = threading.Thread(target=_heartbeat, args=(runtime, beating), name="spacebot-heartbeat", daemon=True)
    beat.start()
    console.print(
        f"工作节点已启动：{runtime.host}（进程 {runtime.pid}），同时检查 {concurrency} 个空间，"
        f"队列 {redacted(broker_url)}。按 Ctrl+C 停止。",
        highlight=False,
    )
    while not stop.wait(1.0):
        pass
    console.print("正在停止：等待正在检查的空间完成……", highlight=False)
    worker.stop(timeout=300_000)
    beating.set()
    beat.join(timeout=HEARTBEAT_EVERY * 2)
    console.print(f"工作节点已停止，共检查 {runtime.done} 个空间。", highlight=False)
