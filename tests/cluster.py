"""What the distributed sweep's tests and benchmark start: their own redis-server (a free
port, a temporary directory, never the system one), worker processes (``python -m spacebot
worker``, as a bureau runs them), and a farm of three platform hosts on 127.0.0.2, .3
and .4 (all loopback), each serving 天喻 pages, a single-page app and videos."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from tests.farm.mixed import MixedApp
from tests.farm.server import FarmServer

ROOT = Path(__file__).resolve().parent.parent
HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A private redis-server: ``start()``, ``stop()``, ``restart()`` (same port; without
    ``appendonly`` everything it held is gone, as after a crash of an unpersisted Redis)."""

    def __init__(self, *, appendonly: bool = False, password: str | None = None) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="spacebot-redis-"))
        self.appendonly = appendonly
        self.password = password
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{quote(self.password, safe='')}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir), "--save", ""]
        args += ["--appendonly", "yes" if self.appendonly else "no", "--daemonize", "no", "--loglevel", "warning"]
        if self.password:
            args += ["--requirepass", self.password]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Spacebot:
    """A ``python -m spacebot …`` process with its output in a file (read while it runs)."""

    def __init__(self, args: list[str], cwd: Path, name: str) -> None:
        self.log = cwd / f"{name}.log"
        self._out: IO[bytes] = self.log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "spacebot", *args],
            cwd=cwd,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
        )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._out.flush()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()
        self._out.close()


def start_worker(broker: str, cwd: Path, name: str, *extra: str, concurrency: int = 1) -> Spacebot:
    args = ["worker", "--broker", broker, "--concurrency", str(concurrency), *extra]
    return Spacebot(args, cwd, name)


class ThreeHosts:
    """The same mixed platform on three loopback hosts; ``targets`` lists every open space."""

    def __init__(self, latency: float = 0.0, app: Any = None) -> None:
        from tests.farm import MEDIA_DIR
        from tests.farm.videos import ensure_videos

        self.app = app or MixedApp(ensure_videos(MEDIA_DIR))
        self.servers = [FarmServer(self.app, host=host) for host in HOSTS]
        for server in self.servers:
            server.latency = latency

    @property
    def targets(self) -> list[str]:
        return [url for server in self.servers for url in self.app.urls(server.base_url)]

    def peaks(self) -> list[int]:
        return [server.max_inflight for server in self.servers]

    def __enter__(self) -> ThreeHosts:
        for server in self.servers:
            server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self.servers:
            server.stop()
