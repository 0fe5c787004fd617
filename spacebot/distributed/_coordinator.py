"""``spacebot sweep --broker``: the coordinator of a distributed sweep.

It enqueues the spaces (a window at a time, so that Redis never holds every space's last
crawl state at once), collects the workers' results from the sweep's own results queue
and is the only writer of the database. The database is the source of truth: run again
with the same command, the coordinator resumes its sweep and enqueues only what is not
stored; a result that arrives twice is stored once.
"""

from __future__ import annotations

import json
import time
from collections import Counter, deque
from typing import Any
from urllib.parse import urlsplit

from rich.console import Console, Group, RenderableType
from rich.progress import Progress
from rich.table import Table

from crawler import Target
from inspectors import Rubric
from store import SnapshotStore
from store._sweeps import sweep_key

from ..sweep import SweepSettings, SweepSummary, finish_sweep, open_recipes, sweep_progress
from ._wire import (
    CHECK_ACTOR,
    HEARTBEAT_TIMEOUT_MS,
    REDIS_DOWN,
    SPACES_QUEUE,
    VERSION,
    WORKERS_MATCH,
    BrokerError,
    check_redis,
    make_broker,
    meta_digest,
    pack,
    quiet_dramatiq,
    redacted,
    results_queue,
    sweep_keys,
    sweep_token,
    target_json,
    unpack,
    unpack_blobs,
)

__all__ = ["run_distributed_sweep"]

_LOOK_EVERY = 2.0  # seconds between looks at the workers and the queue
_STALL = 2 * HEARTBEAT_TIMEOUT_MS / 1000  # nothing queued, nobody busy, no result for this long: enqueue again
_DONE_TTL = 7 * 24 * 3600  # a finished sweep's marker (late messages are dropped while it lasts)
_MAX_TRIES = 3  # times a space is enqueued before it is given up on


class _WorkersView(Progress):
    """The progress bar with the workers the coordinator sees below it."""

    workers: list[dict[str, Any]] = []

    def get_renderables(self) -> Any:
        table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
        for column in ("工作节点", "进程", "已检查", "正在检查"):
            table.add_column(column)
        for w in self.workers:
            current = "、".join(w.get("current") or []) or "空闲"
            table.add_row(str(w.get("host")), str(w.get("pid")), str(w.get("done")), current)
        parts: list[RenderableType] = [self.make_tasks_table(self.tasks)]
        if self.workers:
            parts.append(table)
        yield Group(*parts)


class Coordinator:
    def __init__(
        self,
        targets: list[Target],
        rubric: Rubric,
        store: SnapshotStore,
        settings: SweepSettings,
        *,
        broker_url: str,
        db_path: str,
        source: str,
        console: Console | None,
    ) -> None:
        quiet_dramatiq()
        self.broker_url = broker_url
        self.broker = make_broker(broker_url)
        self.client = self.broker.client
        check_redis(broker_url)
        self.targets = targets
        self.rubric = rubric
        self.store = store
        self.settings = settings
        self.console = console
        key = sweep_key([t.url for t in targets], rubric.name)
        self.sweep_id, done, resumed = store.open_sweep(key, rubric.name, source, len(targets))
        self.token = sweep_token(db_path, self.sweep_id, key)
        self.keys = sweep_keys(self.token)
        self.queue = results_queue(self.token)
        self.urls = {t.url for t in targets}
        self.pending: deque[Target] = deque(_across_hosts([t for t in targets if t.url not in done]))
        self.enqueued_before: set[str] = set()  # enqueued by an earlier run of this sweep
        self.outstanding: dict[str, Target] = {}  # enqueued, no result yet
        self.finished: set[str] = set(done)  # stored, or given up on in this run
        self.saved: set[str] = set(done)  # stored in the database
        self.tries: Counter[str] = Counter()  # times each space was enqueued in this run
        path = rubric.path
        try:  # read once: the workers check with the rubric this run started with
            self.meta = self._meta(path.read_text(encoding="utf-8") if path is not None else "")
        except OSError as exc:
            raise BrokerError(f"无法读取评价标准文件 {path}：{exc}") from None
        self.digest = meta_digest(self.meta)
        self.summary = SweepSummary(self.sweep_id, len(targets), resumed, len(targets) - len(self.pending))
        self.summary.earlier.update(item["verdict"] for item in store.sweep_items(self.sweep_id))
        self.book = open_recipes(store, settings)
        self.duplicates = 0
        self.by_worker: Counter[str] = Counter()  # "host:pid" → spaces of this run it checked
        self.workers: dict[str, dict[str, Any]] = {}
        self.run_id = self.client.info("server").get("run_id")
        self.progress = sweep_progress(console, _WorkersView)

    # -- Redis bookkeeping --------------------------------------------------------------
    def _publish(self) -> None:
        """What the workers need beside the messages: the rubric, the settings, the recipes
        and the URLs already stored; written at the start and again after Redis lost them."""
        pipe = self.client.pipeline()
        pipe.delete(self.keys["done"])
        pipe.set(self.keys["meta"], self.meta)
        pipe.set(self.keys["alive"], "1")
        if self.book is not None and self.book.recipes:
            pipe.hset(
                self.keys["recipes"],
                mapping={h: json.dumps(r.to_json(), ensure_ascii=False) for h, r in self.book.recipes.items()},
            )
        stored = sorted(self.saved)
        for start in range(0, len(stored), 1000):
            pipe.sadd(self.keys["stored"], *stored[start : start + 1000])
        pipe.execute()

    def _meta(self, rubric_text: str) -> str:
        s, o = self.settings, self.settings.options
        meta = {
            "rubric_text": rubric_text,
            "timeout": o.timeout,
            "total_timeout": o.total_timeout,
            "screenshots": o.screenshots,
            "per_host": s.per_host,
            "max_requests": o.max_requests,
            "min_delay": s.min_delay,
            "pause_after": s.pause_after,
            "pause_minutes": s.pause_minutes,
            "since": s.since.isoformat() if s.since else None,
            "until": s.until.isoformat() if s.until else None,
            "recipes": s.recipes,
        }
        return json.dumps(meta, ensure_ascii=False, sort_keys=True)

    def _window(self) -> int:
        busy = sum(int(w.get("concurrency") or 1) for w in self.workers.values())
        return max(16, 2 * busy)

    def _top_up(self) -> None:
        from dramatiq import Message

        while self.pending and len(self.outstanding) < self._window():
            target = self.pending[0]
            if target.url in self.finished:
                self.pending.popleft()
                continue
            if target.url in self.enqueued_before:  # its message is still on the broker
                self.pending.popleft()
                self.outstanding[target.url] = target
                continue
            state = self.store.crawl_state(target.url) if self.settings.incremental else None
            payload = {
                "v": VERSION,
                "sweep": self.token,
                "meta": self.digest,
                "target": target_json(target),
                "state": pack(state),
            }
            message: Message[Any] = Message(
                queue_name=SPACES_QUEUE, actor_name=CHECK_ACTOR, args=(payload,), kwargs={}, options={}
            )
            self.broker.enqueue(message)
            self.client.sadd(self.keys["enqueued"], target.url)
            self.pending.popleft()
            self.outstanding[target.url] = target
            self.tries[target.url] += 1

    def _enqueue_again(self) -> int:
        """Put every space enqueued but not stored back at the head of the line; one
        enqueued _MAX_TRIES times already is given up on (not inspected, said why)."""
        again = []
        for url, target in list(self.outstanding.items()):
            if self.tries[url] >= _MAX_TRIES:
                self._finish(url)
                self.summary.verdicts["error"] += 1
                self.summary.failures.append(
                    (url, f"排队 {_MAX_TRIES} 次仍未得到检查结果（工作节点反复中断），请稍后单独检查该空间")
                )
            else:
                again.append(target)
        self.outstanding.clear()
        self.enqueued_before.clear()
        self.pending.extendleft(reversed(again))
        return len(again)

    # -- results -------------------------------------------------------------------------
    def _handle(self, body: Any) -> None:
        if not isinstance(body, dict) or body.get("sweep") != self.token or not isinstance(body.get("url"), str):
            return
        url = body["url"]
        if url not in self.urls:
            return
        if url in self.finished:
            self.duplicates += 1  # a space delivered twice (its first worker died after all)
            return
        if body.get("stored"):  # a worker found it in the stored set
            if url in self.saved:
                self._finish(url)
            else:  # not in the database after all: it is checked again
                self.client.srem(self.keys["stored"], url)
                self._give_back(url)
            return
        if "failed" in body:
            self._finish(url)
            self.summary.verdicts["error"] += 1
            self.summary.failures.append((url, str(body["failed"])))
            return
        document = {**body["document"], "rubric": self.rubric.name}
        self.store.save_check(  # stored once even if the result came twice
            document,
            sweep_id=self.sweep_id,
            deep_index=body.get("deep_index"),
            state=unpack(body.get("state")),
            artifacts=unpack_blobs(body.get("artifacts")),
        )
        self.saved.add(url)
        self._finish(url)
        crawl = document["crawl"]
        self.summary.verdicts[document["verdict"]] += 1
        self.summary.requests += int(body.get("requests") or 0)
        self.summary.renders += int(body.get("renders") or 0)
        self.summary.bytes += int(body.get("bytes") or 0)
        self.by_worker[str(body.get("worker") or "?")] += 1
        if crawl["status"] == "blocked":
            self.summary.blocked[urlsplit(url).netloc] += 1
        if document["verdict"] == "error":
            self.summary.failures.append((url, crawl.get("error") or crawl["status"]))
        self._learn(url, body)
        self.client.sadd(self.keys["stored"], url)  # workers skip it if its message comes again

    def _finish(self, url: str) -> None:
        self.finished.add(url)  # (a space still pending here was enqueued by an earlier run)
        self.outstanding.pop(url, None)

    def _give_back(self, url: str) -> None:
        target = self.outstanding.pop(url, None)
        if target is not None:
            self.pending.appendleft(target)

    def _learn(self, url: str, body: dict[str, Any]) -> None:
        """Play the worker's recipe journal on the sweep's book; store and share what changed."""
        if self.book is None:
            return
        for event in body.get("journal") or []:
            if event[0] == "observed":
                self.book.observed(event[1], set(event[2]))
            elif event[0] == "verdict":
                apis = event[5] if len(event) > 5 and isinstance(event[5], list) else []
                self.book.verdict(event[1], frozenset(event[2]), bool(event[3]), str(event[4]), apis)
            elif event[0] in ("apis", "api_round") and isinstance(event[2], list):
                apis = [a for a in event[2] if isinstance(a, dict)]
                (self.book.apis_seen if event[0] == "apis" else self.book.api_round)(event[1], apis)
        self.book.account(urlsplit(url).netloc.lower(), int(body.get("requests") or 0), int(body.get("renders") or 0))
        changed = self.book.take_changed()
        if changed:
            self.store.save_recipes(changed)
            self.client.hset(
                self.keys["recipes"], mapping={r.host: json.dumps(r.to_json(), ensure_ascii=False) for r in changed}
            )

    # -- workers ---------------------------------------------------------------------------
    def _look(self) -> None:
        seen: dict[str, dict[str, Any]] = {}
        self._restarted()
        for key in self.client.scan_iter(match=WORKERS_MATCH, count=100):
            raw = self.client.get(key)
            if raw:
                seen[key.decode() if isinstance(key, bytes) else str(key)] = json.loads(raw)
        for key, info in seen.items():
            if key not in self.workers:
                self._say(f"工作节点加入：{info.get('host')}（进程 {info.get('pid')}）")
        for key, info in self.workers.items():
            if key not in seen:
                self._say(f"[yellow]工作节点离开或失联：[/]{info.get('host')}（进程 {info.get('pid')}）")
        self.workers = seen
        _WorkersView.workers = sorted(seen.values(), key=lambda w: (str(w.get("host")), int(w.get("pid") or 0)))
        self.broker.do_qsize(SPACES_QUEUE)  # runs the queue maintenance: a dead worker's spaces go back

    def _say(self, text: str) -> None:
        if self.console is not None:
            self.progress.console.print(text, highlight=False)

    def _wait_for_redis(self) -> None:
        """Wait until Redis answers again, then go on with a new broker identity: the
        results the old consumer had fetched but not acknowledged go back to the results
        queue once the old identity's heartbeat is stale (Dramatiq's maintenance)."""
        from dramatiq.errors import ConnectionClosed

        self._say(f"[yellow]注意：[/]与 Redis（{redacted(self.broker_url)}）的连接中断，等待其恢复……")
        while True:
            time.sleep(1.0)
            try:
                self.broker = make_broker(self.broker_url)
                self.client = self.broker.client
                self.client.ping()
                if not self._restarted():
                    self._say("Redis 已恢复连接，继续巡检。")
                return
            except (*REDIS_DOWN, ConnectionClosed):
                continue

    def _restarted(self) -> bool:
        """Whether Redis restarted since it was last seen (a restart may pass unnoticed by a
        client, which reconnects by itself); if it lost the sweep's queue, everything not
        stored is enqueued again."""
        run_id = self.client.info("server").get("run_id")
        if run_id == self.run_id:
            return False
        self.run_id = run_id
        if self.client.exists(self.keys["alive"]):
            self._say("[yellow]注意：[/]Redis 已重启，队列仍在（已开启持久化），继续巡检。")
        else:
            self._publish()
            n = self._enqueue_again()
            self._say(f"[yellow]注意：[/]Redis 已重启，其中的队列已丢失：重新排队尚未保存的 {n} 个空间，继续巡检。")
        return True

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> SweepSummary:
        from dramatiq.errors import ConnectionClosed

        started = time.monotonic()
        total = len(self.pending)
        self.enqueued_before = {
            m.decode() if isinstance(m, bytes) else str(m) for m in self.client.smembers(self.keys["enqueued"])
        }
        self._publish()
        consumer = self.broker.consume(self.queue, prefetch=8, timeout=500)
        last_look = last_news = time.monotonic()
        with self.progress:
            task = self.progress.add_task(
                "巡检", total=len(self.targets), completed=self.summary.skipped, rate="", failed=""
            )
            while len(self.finished) - self.summary.skipped < total:
                try:
                    self._top_up()
                    proxy = next(consumer)
                    if proxy is not None:
                        before = len(self.finished)
                        self._handle(proxy.args[0] if proxy.args else None)
                        consumer.ack(proxy)
                        if len(self.finished) > before:
                            last_news = time.monotonic()
                            self._advance(task, started)
                    now = time.monotonic()
                    if now - last_look >= _LOOK_EVERY:
                        last_look = now
                        self._look()
                        if self._stalled(now - last_news):
                            n = self._enqueue_again()
                            self._say(f"[yellow]注意：[/]{n} 个空间久无结果且无人在查，已重新排队。")
                            last_news = now
                except (*REDIS_DOWN, ConnectionClosed):
                    self._wait_for_redis()
                    consumer = self.broker.consume(self.queue, prefetch=8, timeout=500)
                    last_news = time.monotonic()
            self._drain(consumer)
        self._close()
        finish_sweep(self.store, self.sweep_id)
        self.summary.seconds = time.monotonic() - started
        for worker, n in sorted(self.by_worker.items()):
            host, _, pid = worker.rpartition(":")
            self._say(f"工作节点 {host}（进程 {pid}）：本次检查 {n} 个空间")
        return self.summary

    def _advance(self, task: Any, started: float) -> None:
        elapsed = max(time.monotonic() - started, 1e-6)
        self.progress.update(
            task,
            completed=len(self.finished),
            rate=f"{self.summary.done / elapsed:.2f} 个/秒",
            failed=f"失败 {len(self.summary.failures)}" if self.summary.failures else "",
        )

    def _stalled(self, quiet: float) -> bool:
        if not self.outstanding or quiet < _STALL:
            return False
        busy = any(w.get("current") for w in self.workers.values())
        return not busy and self.broker.do_qsize(SPACES_QUEUE) == 0

    def _drain(self, consumer: Any) -> None:
        """Results that arrive after the last space was stored (a space delivered twice)
        are recognised and dropped."""
        from dramatiq.errors import ConnectionClosed

        until = time.monotonic() + 1.0
        try:
            while time.monotonic() < until:
                proxy = next(consumer)
                if proxy is not None:
                    self._handle(proxy.args[0] if proxy.args else None)
                    consumer.ack(proxy)
        except (*REDIS_DOWN, ConnectionClosed):
            pass

    def _close(self) -> None:
        """Mark the sweep over (workers drop its late messages) and free its keys."""
        try:
            pipe = self.client.pipeline()
            pipe.set(self.keys["done"], "1", ex=_DONE_TTL)
            for name in ("meta", "stored", "recipes", "alive", "enqueued"):
                pipe.delete(self.keys[name])
            pipe.execute()
            self.broker.flush(self.queue)
        except REDIS_DOWN:  # (the results queue is left for Redis to drop with its data)
            self._say("[yellow]注意：[/]巡检已完成，但无法清理 Redis 中的队列（连接中断）。")


def _across_hosts(targets: list[Target]) -> list[Target]:
    """The targets taking turns by host (each host's in their order): a list grouped by
    platform would otherwise set every worker on the first host, all waiting for its
    --per-host slots, while the other hosts wait for their turn."""
    by_host: dict[str, deque[Target]] = {}
    for target in targets:
        by_host.setdefault(urlsplit(target.url).netloc.lower(), deque()).append(target)
    out: list[Target] = []
    while by_host:
        for host in list(by_host):
            out.append(by_host[host].popleft())
            if not by_host[host]:
                del by_host[host]
    return out


def run_distributed_sweep(
    targets: list[Target], rubric: Rubric, store: SnapshotStore, settings: SweepSettings, **where: Any
) -> SweepSummary:
    """Sweep ``targets`` on the broker's workers (``where``: ``broker_url``, ``db_path``,
    ``source``, ``console``); returns the summary once every space is stored."""
    return Coordinator(targets, rubric, store, settings, **where).run()
