"""Crash recovery: chromium killed in the middle of a sweep is started again and the
space it was rendering is done again; nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.proctree import descendants
from tests.conftest import ROOT
from tests.farm import Farm
from tests.farm.compare import diff


def _chromium_under(pid: int) -> list[int]:
    found = []
    for child in descendants(pid):
        try:
            if b"chromium" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except OSError:
            continue
    return found


def test_killed_browser_is_relaunched_and_the_space_redone(farm: Farm, tmp_path: Path) -> None:
    keys = ["spa:u1001", "spa:u1002", "spa:u1003"]
    targets = tmp_path / "t.txt"
    targets.write_text("\n".join(farm.space(k).url for k in keys) + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spacebot",
            "sweep",
            str(targets),
            "--db",
            str(db),
            "--allow-private",
            "--concurrency",
            "1",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not killed:
        time.sleep(0.2)
        for pid in _chromium_under(process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass
    assert killed, "chromium never started"
    stdout, stderr = process.communicate(timeout=180)
    assert "Traceback" not in stderr
    with sqlite3.connect(db) as conn:
        rows = {url: json.loads(doc) for url, doc in conn.execute("select url, document from snapshots")}
        assert conn.execute("select count(*) from sweep_items").fetchone() == (3,)
    for key in keys:
        problems = diff(farm.expected(farm.space(key)), rows[farm.space(key).url], probes=False)
        assert problems == [], (key, problems)
