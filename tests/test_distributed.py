"""The distributed sweep: a real redis-server, a coordinator (``spacebot sweep --broker``)
and worker processes (``spacebot worker``) on a farm of three platform hosts.

Killing a worker or the coordinator, or restarting Redis, loses and duplicates nothing;
the hosts never see more than ``--per-host`` requests in flight, summed over every worker
and every kind of request."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.cluster import RedisServer, Spacebot, ThreeHosts, start_worker

PER_HOST = 2


PASSWORD = "k9/Redis+secret#7731"  # the tests' Redis asks for one (in the URL: k9%2FRedis%2Bsecret%237731)
SHOWN = ("k9/Redis", "k9%2FRedis", "secret")  # none of it may ever be shown


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer(password=PASSWORD) as server:
        yield server


@pytest.fixture
def broker(redis_server: RedisServer) -> str:
    redis_server.client().flushall()  # the tests' own server: each test starts empty
    return redis_server.url


@pytest.fixture(scope="module")
def hosts() -> Iterator[ThreeHosts]:
    with ThreeHosts() as farm:
        yield farm


@contextmanager
def _workers(broker: str, tmp_path: Path, n: int, *extra: str) -> Iterator[list[Spacebot]]:
    """``n`` worker processes (``--concurrency 1``), stopped (SIGTERM) on the way out."""
    started = [start_worker(broker, tmp_path, f"worker{i}", *extra) for i in range(n)]
    try:
        yield started
    finally:
        for worker in started:
            worker.stop()


def _targets(tmp_path: Path, urls: list[str]) -> Path:
    path = tmp_path / "targets.txt"
    path.write_text("\n".join(urls) + "\n", encoding="utf-8")
    return path


def _coordinator(tmp_path: Path, targets: Path, broker: str, name: str = "coordinator", *extra: str) -> Spacebot:
    args = ["sweep", str(targets), "--db", str(tmp_path / "spacebot.db"), "--broker", broker]
    args += ["--allow-private", "--per-host", str(PER_HOST), *extra]
    return Spacebot(args, tmp_path, name)


def _stored(db: Path) -> list[tuple[str, int]]:
    """(url, snapshots of the url in the sweep) for every stored space."""
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db) as conn:
            return list(conn.execute("select url, count(*) from snapshots where sweep_id is not null group by url"))
    except sqlite3.OperationalError:  # the database is being created
        return []


def _wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _busy_worker(redis_server: RedisServer) -> dict[str, object] | None:
    """A worker holding a space right now: one with a message fetched and not acknowledged
    (its own status, refreshed every few seconds, may be late)."""
    client = redis_server.client()
    for key in client.scan_iter(match="spacebot:worker:*"):
        raw = client.get(key)
        worker_id = key.decode().rsplit(":", 1)[-1]
        if raw and _unacknowledged(redis_server, worker_id):
            return {**json.loads(raw), "id": worker_id}
    return None


def _unacknowledged(redis_server: RedisServer, worker_id: str) -> list[str]:
    """The spaces of the messages a worker has fetched and not acknowledged."""
    client = redis_server.client()
    ids = client.smembers(f"spacebot:__acks__.{worker_id}.spaces")
    urls = []
    for raw in client.hmget("spacebot:spaces.msgs", list(ids)) if ids else []:
        if raw:
            urls.append(json.loads(raw)["args"][0]["target"]["url"])
    return urls


def _check_database(db: Path, urls: list[str]) -> None:
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        items = list(conn.execute("select url, count(*) from sweep_items group by url"))
        snapshots = list(conn.execute("select url, count(*) from snapshots group by url"))
        finished = conn.execute("select finished_at from sweeps").fetchall()
    assert sorted(url for url, _ in items) == sorted(urls), "every space stored"
    assert all(n == 1 for _, n in items), f"a space stored twice: {items}"
    assert all(n == 1 for _, n in snapshots), f"a snapshot stored twice: {snapshots}"
    assert len(finished) == 1 and finished[0][0] is not None, "the sweep is closed"


def test_three_workers_one_killed_mid_space(
    tmp_path: Path, broker: str, redis_server: RedisServer, hosts: ThreeHosts
) -> None:
    urls = hosts.targets
    assert len(urls) >= 9 and {u.split("/")[2].split(":")[0] for u in urls} == {"127.0.0.2", "127.0.0.3", "127.0.0.4"}
    with _workers(broker, tmp_path, 3, "--allow-private") as workers:
        coordinator = _coordinator(tmp_path, _targets(tmp_path, urls), broker)
        # Kill the worker that is in the middle of a space, once a few spaces are stored.
        _wait_for(lambda: len(_stored(tmp_path / "spacebot.db")) >= 2, 240, "two stored spaces")
        _wait_for(lambda: _busy_worker(redis_server) is not None, 60, "a worker holding a space")
        busy = _busy_worker(redis_server)
        assert busy is not None
        victim = next(w for w in workers if w.proc.pid == busy["pid"])
        victim.kill()
        killed_at = time.monotonic()
        # The space the victim held unacknowledged when it died (Dramatiq's ack set of its
        # identity, frozen by the kill).
        held = _unacknowledged(redis_server, str(busy["id"]))
        assert held, "the killed worker held no space"
        _wait_for(lambda: set(held) <= {u for u, _ in _stored(tmp_path / "spacebot.db")}, 150, "the space back")
        took = time.monotonic() - killed_at
        code = coordinator.wait(timeout=420)
    output = coordinator.output()
    assert code in (0, 1), output
    assert "巡检完成" in output and "本次检查" in output
    assert "工作节点加入" in output and "工作节点离开或失联" in output
    _check_database(tmp_path / "spacebot.db", urls)
    # The recipes the workers learnt reached the coordinator's database, every space counted.
    with sqlite3.connect(tmp_path / "spacebot.db") as conn:
        recipes = [json.loads(d) for (d,) in conn.execute("select data from platform_recipes")]
    assert len(recipes) == 3 and sum(r["spaces"] for r in recipes) == len(urls), recipes
    logs = output + "".join(w.output() for w in workers)
    assert not any(secret in logs for secret in SHOWN) and "redis://:***@127.0.0.1" in logs
    assert max(hosts.peaks()) <= PER_HOST, f"in flight per host: {hosts.peaks()}"
    assert took < 120, f"the killed worker's space came back late ({took:.0f} s)"
    assert "久无结果" not in output  # redelivered by the broker, not by the coordinator's stall rule
    assert "Traceback" not in logs


def test_coordinator_killed_and_restarted_resumes(
    tmp_path: Path, broker: str, redis_server: RedisServer, hosts: ThreeHosts
) -> None:
    urls = hosts.targets[:6]
    targets = _targets(tmp_path, urls)
    db = tmp_path / "spacebot.db"
    with _workers(broker, tmp_path, 2, "--allow-private"):
        first = _coordinator(tmp_path, targets, broker, "first")
        _wait_for(lambda: len(_stored(db)) >= 2, 240, "two stored spaces")
        first.kill()
        stored_before = {url for url, _ in _stored(db)}
        homes = {url: _home_requests(hosts, url) for url in stored_before}
        second = _coordinator(tmp_path, targets, broker, "second")
        code = second.wait(timeout=420)
    output = second.output()
    assert code in (0, 1), output
    assert "继续上次未完成的巡检" in output
    _check_database(db, urls)
    # Spaces stored before the kill were not enqueued (nor visited) again.
    assert {url: _home_requests(hosts, url) for url in stored_before} == homes


def _home_requests(hosts: ThreeHosts, url: str) -> int:
    parts = httpx.URL(url)
    server = next(s for s in hosts.servers if s.base_url == f"http://{parts.host}:{parts.port}")
    path = parts.raw_path.decode()
    return sum(1 for p in server.requests if p == path)


def test_redis_restarted_mid_sweep_the_coordinator_carries_on(
    tmp_path: Path, broker: str, redis_server: RedisServer, hosts: ThreeHosts
) -> None:
    urls = hosts.targets[:6]
    db = tmp_path / "spacebot.db"
    with _workers(broker, tmp_path, 2, "--allow-private"):
        coordinator = _coordinator(tmp_path, _targets(tmp_path, urls), broker)
        _wait_for(lambda: len(_stored(db)) >= 1, 240, "a stored space")
        redis_server.restart()  # not persisted: the queue is gone
        code = coordinator.wait(timeout=420)
    output = coordinator.output()
    assert code in (0, 1), output
    assert "Redis 已重启" in output and "重新排队" in output
    _check_database(db, urls)


def test_a_worker_keeps_its_own_address_policy(tmp_path: Path, broker: str, hosts: ThreeHosts) -> None:
    """The coordinator may allow private addresses; a worker started without
    --allow-private refuses them all the same, without sending a request."""
    urls = hosts.targets[:2]
    before = sum(len(s.requests) for s in hosts.servers)
    with _workers(broker, tmp_path, 1):
        coordinator = _coordinator(tmp_path, _targets(tmp_path, urls), broker)
        code = coordinator.wait(timeout=180)
    assert code == 3, coordinator.output()  # nothing could be inspected
    assert sum(len(s.requests) for s in hosts.servers) == before
    with sqlite3.connect(tmp_path / "spacebot.db") as conn:
        errors = [json.loads(d)["crawl"]["error"] for (d,) in conn.execute("select document from snapshots")]
    assert len(errors) == 2 and all("内网" in e or "本机" in e for e in errors), errors


def test_broker_problems_are_said_in_chinese(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    targets = _targets(tmp_path, ["https://example.edu.cn/space/1"])
    bad = run_cli("sweep", str(targets), "--broker", "http://127.0.0.1:6379", "--db", str(tmp_path / "a.db"))
    assert bad.code == 2 and "--broker" in bad.stderr and "redis://" in bad.stderr
    db = str(tmp_path / "a.db")
    down = run_cli("sweep", str(targets), "--broker", "redis://:hun%2Fter2@127.0.0.1:1/0", "--db", db)
    assert down.code == 2 and "无法连接 Redis" in down.stderr
    assert "ter2" not in down.stderr + down.stdout and "redis://:***@127.0.0.1:1/0" in down.stderr
    assert "Traceback" not in down.stderr
    raw = run_cli("sweep", str(targets), "--broker", "redis://:hun/ter2@127.0.0.1:1/0", "--db", db)
    assert raw.code == 2 and "%2F" in raw.stderr and "ter2" not in raw.stderr + raw.stdout
    worker = run_cli("worker", "--broker", "redis://:hunter2@127.0.0.1:1/0")
    assert worker.code == 2 and "无法连接 Redis" in worker.stderr and "hunter2" not in worker.stderr


# -- the cluster-wide gate, on its own ---------------------------------------------------


def test_gates_of_two_workers_share_the_per_host_cap(broker: str, hosts: ThreeHosts) -> None:
    import redis.asyncio

    from crawler import HttpFetcher
    from spacebot.distributed._gate import ClusterGate
    from tests.conftest import LOOPBACK

    server = hosts.servers[0]
    server.latency = 0.05
    server.max_inflight = 0

    async def run() -> list[int]:
        clients = [redis.asyncio.Redis.from_url(broker) for _ in range(2)]
        gates = [ClusterGate(c, per_host=2) for c in clients]
        fetchers = [HttpFetcher(gate=g, obey_robots=False, policy=LOOPBACK) for g in gates]
        try:
            await asyncio.gather(*(f.get(f"{server.base_url}/robots.txt?n={i}") for f in fetchers for i in range(12)))
            return [g.peak[server.base_url] for g in gates]
        finally:
            for f in fetchers:
                await f.aclose()
            for g in gates:
                await g.aclose()
            for c in clients:
                await c.aclose()

    try:
        peaks = asyncio.run(run())
    finally:
        server.latency = 0.0
    # Alone, each gate would let 2 through (4 at once); together the host saw 2 at most.
    assert server.max_inflight == 2 and min(peaks) >= 1, (server.max_inflight, peaks)


def test_a_dead_workers_slot_comes_back_after_its_lease(broker: str) -> None:
    import redis.asyncio

    from spacebot.distributed._gate import ClusterGate

    async def run() -> float:
        clients = [redis.asyncio.Redis.from_url(broker) for _ in range(2)]
        dead = ClusterGate(clients[0], per_host=1, lease_seconds=1.0)
        alive = ClusterGate(clients[1], per_host=1, lease_seconds=1.0)
        await dead.acquire("http://platform.example/a")  # taken, never given back …
        assert dead._renewer is not None
        dead._renewer.cancel()  # … and nobody renews it: the worker died
        started = time.monotonic()
        ticket = await alive.acquire("http://platform.example/b")
        waited = time.monotonic() - started
        ticket.release()
        await alive.aclose()
        for c in clients:
            await c.aclose()
        return waited

    waited = asyncio.run(run())
    assert 0.5 < waited < 2.0, waited


def test_crawl_delay_spaces_every_workers_requests(broker: str) -> None:
    import redis.asyncio

    from spacebot.distributed._gate import ClusterGate

    async def run() -> list[float]:
        clients = [redis.asyncio.Redis.from_url(broker) for _ in range(3)]
        gates = [ClusterGate(c, per_host=4, min_delay=0.3) for c in clients]
        sent: list[float] = []

        async def one(gate: ClusterGate) -> None:
            ticket = await gate.acquire("http://platform.example/x")
            sent.append(time.monotonic())
            ticket.sent()
            ticket.release()

        await asyncio.gather(*(one(g) for g in gates for _ in range(3)))
        for g in gates:
            await g.aclose()
        for c in clients:
            await c.aclose()
        return sorted(sent)

    sent = asyncio.run(run())
    gaps = [b - a for a, b in zip(sent, sent[1:], strict=False)]
    assert len(sent) == 9 and min(gaps) >= 0.3 * 0.9, gaps


# -- the self-check page with --broker --------------------------------------------------


def test_serve_with_a_broker_has_the_workers_check(tmp_path: Path, broker: str, hosts: ThreeHosts) -> None:
    """``spacebot serve --broker``: the page's checks run on a worker; the page shows their
    stages while it waits and stores the result (the same check-1 document)."""
    from tests.cluster import free_port

    url = hosts.targets[0]
    port = free_port()
    worker = start_worker(broker, tmp_path, "worker", "--allow-private")
    serve = Spacebot(
        ["serve", "--port", str(port), "--db", str(tmp_path / "serve.db"), "--broker", broker, "--allow-private"],
        tmp_path,
        "serve",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: _answers(base), 60, "the server")
        asked = httpx.post(f"{base}/api/checks", json={"url": url, "group": "小学"}, timeout=10)
        assert asked.status_code == 202, asked.text
        check = asked.json()["id"]
        stages: set[str] = set()
        deadline = time.monotonic() + 240
        while True:
            state = httpx.get(f"{base}/api/checks/{check}", timeout=10).json()
            if state.get("stage"):
                stages.add(state["stage"])
            if state["status"] in ("done", "error") or time.monotonic() > deadline:
                break
            time.sleep(0.3)
    finally:
        serve.stop()
        worker.stop()
    assert state["status"] == "done", (state, serve.output())
    assert state["result"]["target"]["url"] == url and state["result"]["verdict"] in ("pass", "fail", "review")
    assert stages & {"open", "listings", "details", "videos", "inspect"}, stages
    assert not any(secret in serve.output() + worker.output() for secret in SHOWN)
    assert "共检查 1 个空间" in worker.output()
    with sqlite3.connect(tmp_path / "serve.db") as conn:
        assert conn.execute("select count(*) from snapshots where url = ?", [url]).fetchone()[0] == 1


def _answers(base: str) -> bool:
    try:
        return httpx.get(base + "/", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_result_that_arrives_twice_is_stored_once(
    tmp_path: Path,
    broker: str,
    hosts: ThreeHosts,
    run_cli,  # type: ignore[no-untyped-def]
) -> None:
    """Two copies of one space's result on the coordinator's results queue (a worker
    that died after sending it, its space done again): one snapshot, the second dropped,
    and the coordinator exits by itself."""
    from dramatiq import Message

    from spacebot.distributed._wire import RESULT_ACTOR, VERSION, make_broker, results_queue, sweep_token
    from store._sweeps import sweep_key

    url = hosts.targets[0]
    checked = run_cli("check", url, "--json", "--allow-private", "--db", "check.db", timeout=240)
    assert checked.code in (0, 1), checked.stderr
    document = checked.json()
    targets = _targets(tmp_path, [url])
    db = tmp_path / "spacebot.db"
    token = sweep_token(str(db), 1, sweep_key([url], "quanzhou-2022"))  # the default rubric's sweep no. 1
    body = {"v": VERSION, "sweep": token, "url": url, "document": document, "worker": "elsewhere:1"}
    queue = make_broker(broker)
    for _ in range(2):
        message: Message[object] = Message(
            queue_name=results_queue(token), actor_name=RESULT_ACTOR, args=(body,), kwargs={}, options={}
        )
        queue.enqueue(message)
    coordinator = _coordinator(tmp_path, targets, broker)  # no worker at all
    code = coordinator.wait(timeout=120)
    assert code in (0, 1), coordinator.output()
    _check_database(db, [url])
    assert "elsewhere" in coordinator.output()


def test_a_cancelled_request_leaves_no_slot_taken(broker: str, redis_server: RedisServer) -> None:
    import redis.asyncio

    from spacebot.distributed._gate import ClusterGate

    async def run() -> None:
        client = redis.asyncio.Redis.from_url(broker)
        gate = ClusterGate(client, per_host=2)
        for i in range(40):  # cancelled at every point of the acquisition, over and over
            task = asyncio.create_task(gate.acquire(f"http://platform.example/{i}"))
            await asyncio.sleep(0.0005 * (i % 8))
            task.cancel()
            try:
                (await task).release()
            except asyncio.CancelledError:
                pass
        await asyncio.sleep(0.3)  # the shielded attempts finish and give back what they got
        await gate.aclose()
        await client.aclose()

    asyncio.run(run())
    left = list(redis_server.client().scan_iter(match="spacebot:slot:*"))
    assert left == [], left
