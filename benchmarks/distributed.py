"""Benchmark: the distributed sweep against itself and against the local sweep.

On a farm of three platform hosts (127.0.0.2, .3 and .4, each a generated 天喻-style
platform of N spaces in a separate process, every answer delayed by ``--latency``), with
a private redis-server, it runs in one invocation:
- the local sweep: ``spacebot sweep --concurrency 1``;
- 1 worker: ``spacebot worker --concurrency 1`` and ``spacebot sweep --broker``;
- 3 workers, each ``--concurrency 1``, and the same coordinator.
Each is a first sweep (a new database), at ``--per-host 2``. It prints the time, the
throughput, the ratios the distributed issue asks for (3 workers against 1; 1 worker
against the local sweep) and the most requests each host saw in flight at once.

The default ``small`` spaces (a few resources and articles, no video) make the sweep
wait on the network, which is what more workers share; with ``--shape campaign`` (12-
minute 1080p videos whose title cards are read by OCR) the sweep waits on the CPU, and
three workers on one 2-core machine share the same two cores.

    .venv/bin/python -m benchmarks.distributed [--spaces 30] [--latency 0.05] [--shape small|campaign]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tests.cluster import HOSTS, RedisServer, Spacebot, start_worker

ROOT = Path(__file__).resolve().parent.parent


def _serve(spaces: int, latency: float, shape: str) -> None:
    """The farm process: three hosts, their base URLs on stdout, until killed."""
    from tests.farm.bulk import BulkApp
    from tests.farm.server import FarmServer

    for host in HOSTS:
        app = BulkApp(spaces, shape=shape)
        server = FarmServer(app, host=host).start()
        app.server = server
        server.latency = latency
        urls = [server.base_url + app.home_path(s.sid) for s in app.spaces.values()]
        print(json.dumps({"base": server.base_url, "urls": urls}), flush=True)
    while True:
        time.sleep(3600)


class Farm:
    def __init__(self, spaces: int, latency: float, shape: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.distributed", "--serve", str(spaces), str(latency), shape],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None
        hosts = [json.loads(self.proc.stdout.readline()) for _ in HOSTS]
        self.bases = [h["base"] for h in hosts]
        self.urls = [u for h in hosts for u in h["urls"]]

    def peaks(self) -> list[int]:
        out = []
        for base in self.bases:
            with urllib.request.urlopen(f"{base}/__stats", timeout=10) as answer:
                out.append(int(json.loads(answer.read())["max_inflight"]))
        return out

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _sweep(work: Path, name: str, targets: Path, *extra: str) -> float:
    args = ["sweep", str(targets), "--db", str(work / f"{name}.db"), "--allow-private", "--per-host", "2", *extra]
    started = time.monotonic()
    run = Spacebot(args, work, name)
    code = run.wait(timeout=3600)
    seconds = time.monotonic() - started
    run.stop()
    if code not in (0, 1):
        raise SystemExit(f"{name} exited {code}:\n{run.output()[-3000:]}")
    return seconds


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (spacebot, its chromium, the farm)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _workers_ready(redis: RedisServer, n: int) -> None:
    client = redis.client()
    deadline = time.monotonic() + 120
    while len(list(client.scan_iter(match="spacebot:worker:*"))) < n:
        if time.monotonic() > deadline:
            raise SystemExit("workers did not start")
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spaces", type=int, default=30, help="spaces per host")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every answer")
    parser.add_argument("--shape", choices=("small", "campaign"), default="small")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(int(args.serve[0]), float(args.serve[1]), args.serve[2])
        return
    console = Console(width=120)
    rows = []
    with tempfile.TemporaryDirectory(prefix="spacebot-distributed-") as tmp, RedisServer() as redis:
        work = Path(tmp)
        for name, workers in (("本地巡检", 0), ("1 个工作节点", 1), ("3 个工作节点", 3)):
            farm = Farm(args.spaces, args.latency, args.shape)
            targets = work / "targets.txt"
            targets.write_text("\n".join(farm.urls) + "\n", encoding="utf-8")
            running = []
            cpu = _children_cpu()
            try:
                if workers == 0:
                    seconds = _sweep(work, "local", targets, "--concurrency", "1")
                else:
                    redis.client().flushall()
                    running = [
                        start_worker(redis.url, work, f"w{workers}-{i}", "--allow-private") for i in range(workers)
                    ]
                    _workers_ready(redis, workers)
                    seconds = _sweep(work, f"dist{workers}", targets, "--broker", redis.url)
                peaks = farm.peaks()
            finally:
                for worker in running:
                    worker.stop()
                farm.stop()
            cpu = _children_cpu() - cpu
            rows.append((name, len(farm.urls), seconds, peaks, cpu))
            line = f"{name}: {len(farm.urls)} 个空间 {seconds:.1f} 秒，CPU {cpu:.0f} 秒，各主机最多同时 {peaks} 个请求"
            console.print(line)
    title = f"分布式巡检（3 个平台主机，每个 {args.spaces} 个空间，延迟 {args.latency * 1000:.0f} ms，--per-host 2）"
    table = Table(title=title)
    for column in ("", "空间", "用时（秒）", "空间/秒", "CPU（秒，含平台）", "各主机同时请求峰值"):
        table.add_column(column)
    for name, n, seconds, peaks, cpu in rows:
        table.add_row(name, str(n), f"{seconds:.1f}", f"{n / seconds:.2f}", f"{cpu:.0f}", " / ".join(map(str, peaks)))
    console.print(table)
    local, one, three = (n / s for _, n, s, _, _ in rows)
    console.print(f"3 个工作节点的吞吐量 / 1 个工作节点：{three / one:.2f}×（目标 ≥ 2.5×）")
    console.print(f"1 个工作节点 / 本地巡检（同为并发 1）：{one / local:.2f}×（目标 0.85–1.15）")


if __name__ == "__main__":
    main()
