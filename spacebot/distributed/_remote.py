"""The self-check page's checks run by the workers of a distributed sweep
(``spacebot serve --broker``).

The web app plays a coordinator that never finishes: for each built-in rubric it puts a
"sweep" on the broker (the rubric's text and the page's settings), sends one message per
check to the workers' ``spaces`` queue and reads the answers from that sweep's results
queue in a thread. It stores the results itself (it is the only writer of its database),
as in-process checks are. A worker reports the stage a check has reached under a key the
page reads while it waits, so teachers see the same progress as without a broker.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from crawler import Target
from inspectors import available_rubrics, load_rubric

from ._wire import (
    CHECK_ACTOR,
    REDIS_DOWN,
    SPACES_QUEUE,
    VERSION,
    WORKERS_MATCH,
    BrokerError,
    make_broker,
    meta_digest,
    quiet_dramatiq,
    redacted,
    results_queue,
    stage_key,
    sweep_keys,
    target_json,
)

__all__ = ["RemoteChecks", "RemoteFailure"]

logger = logging.getLogger("spacebot.web")

_NO_WORKER_AFTER = 30.0  # seconds a check waits with no worker on the broker before it fails


class RemoteFailure(Exception):
    """A check the workers could not do (Chinese message for the teacher)."""


class RemoteChecks:
    def __init__(self, broker_url: str, settings: dict[str, Any]) -> None:
        self.broker_url = broker_url
        self.settings = settings  # timeout, total_timeout, screenshots, per_host
        self.instance = secrets.token_hex(6)
        self.tokens = {name: f"serve-{self.instance}-{name}" for name in available_rubrics()}
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}  # job id → its answer
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self.broker: Any = None
        self.metas = self._metas()  # token → the settings the workers read

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        quiet_dramatiq()
        self.broker = make_broker(self.broker_url)
        try:
            await asyncio.to_thread(self._publish)
        except REDIS_DOWN:
            raise BrokerError(
                f"无法连接 Redis（{redacted(self.broker_url)}）：请确认 redis-server 已启动、地址和密码正确"
            ) from None
        for token in self.tokens.values():
            thread = threading.Thread(target=self._consume, args=(token,), name=f"results-{token}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _publish(self) -> None:
        pipe = self.broker.client.pipeline()
        for token, meta in self.metas.items():
            pipe.set(sweep_keys(token)["meta"], meta)
        pipe.execute()

    def _metas(self) -> dict[str, str]:
        s = self.settings
        out = {}
        for name, token in self.tokens.items():
            path = load_rubric(name).path
            meta = {
                "rubric_text": path.read_text(encoding="utf-8") if path is not None else "",
                "timeout": s["timeout"],
                "total_timeout": s["total_timeout"],
                "screenshots": s["screenshots"],
                "per_host": s["per_host"],
                "max_requests": s.get("max_requests", 3000),
                "min_delay": 0.0,
                "pause_after": 5,
                "pause_minutes": 10.0,
                "since": None,
                "until": None,
                "recipes": False,
            }
            out[token] = json.dumps(meta, ensure_ascii=False, sort_keys=True)
        return out

    def _consume(self, token: str) -> None:
        """Read the answers of one rubric's checks until the app stops. After a lost
        connection it reads with a new broker identity: what the old one had fetched and
        not acknowledged goes back to the queue once its heartbeat is stale."""
        consumer = None
        while not self._stop.is_set():
            try:
                if consumer is None:
                    consumer = make_broker(self.broker_url).consume(results_queue(token), prefetch=4, timeout=500)
                proxy = next(consumer)
                if proxy is None:
                    continue
                body = proxy.args[0] if proxy.args else None
                if isinstance(body, dict) and isinstance(body.get("job"), str) and self._loop is not None:
                    self._loop.call_soon_threadsafe(self._arrived, body)
                consumer.ack(proxy)
            except Exception:  # noqa: BLE001 - Redis away (or restarted): read again shortly
                consumer = None
                self._stop.wait(1.0)

    def _arrived(self, body: dict[str, Any]) -> None:
        future = self._waiting.get(str(body["job"]))
        if future is not None and not future.done():
            future.set_result(body)

    async def run(self, job_id: str, url: str, group: str | None, rubric: str, on_stage: Callable[[str], None]) -> Any:
        """The worker's answer for one check: its ``document``, ``state``, ``artifacts``."""
        from dramatiq import Message

        token = self.tokens[rubric]
        loop = asyncio.get_running_loop()
        future: asyncio.Future[dict[str, Any]] = loop.create_future()
        self._waiting[job_id] = future
        payload = {
            "v": VERSION,
            "sweep": token,
            "job": job_id,
            "meta": meta_digest(self.metas[token]),
            "target": target_json(Target(url=url, group=group)),
            "state": None,
        }
        message: Message[Any] = Message(
            queue_name=SPACES_QUEUE, actor_name=CHECK_ACTOR, args=(payload,), kwargs={}, options={}
        )
        try:
            await asyncio.to_thread(self.broker.enqueue, message)
            lonely_since = time.monotonic()
            while True:
                try:
                    body = await asyncio.wait_for(asyncio.shield(future), 1.0)
                    break
                except TimeoutError:
                    pass
                stage, workers = await asyncio.to_thread(self._look, token, job_id)
                if stage:
                    on_stage(stage)
                if workers:
                    lonely_since = time.monotonic()
                elif time.monotonic() - lonely_since > _NO_WORKER_AFTER:
                    raise RemoteFailure(
                        "暂时没有可用的检查节点（spacebot worker），请稍后重新检查；如反复出现，请联系管理员"
                    )
        except REDIS_DOWN:
            raise RemoteFailure("检查队列（Redis）暂时无法连接，请稍后重新检查；如反复出现，请联系管理员") from None
        finally:
            self._waiting.pop(job_id, None)
        if "failed" in body:
            raise RemoteFailure("检查时出现内部错误，请稍后重试；如果反复出现，请联系管理员")
        return body

    def _look(self, token: str, job_id: str) -> tuple[str | None, bool]:
        client = self.broker.client
        if not client.exists(sweep_keys(token)["meta"]):  # Redis restarted without its data
            self._publish()
        raw = client.get(stage_key(token, job_id))
        workers = next(iter(client.scan_iter(match=WORKERS_MATCH, count=100)), None) is not None
        return (raw.decode() if isinstance(raw, bytes) else raw), workers

    async def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            await asyncio.to_thread(thread.join, 5.0)
        try:  # the workers drop the messages of checks nobody waits for any more
            await asyncio.to_thread(self.broker.client.delete, *(sweep_keys(t)["meta"] for t in self.tokens.values()))
        except REDIS_DOWN:
            pass
