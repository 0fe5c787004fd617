"""A full disk and a read-only database: a clear message, and nothing already stored is lost.

These use real tmpfs mounts (root, as on CI); where mounting is not permitted they are
skipped with the reason.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.farm import Farm


@pytest.fixture
def tiny_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)  # lazy: never left behind


def test_full_disk_then_read_only(tiny_disk: Path, farm: Farm, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    db = tiny_disk / "s.db"
    url = farm.space("dragdrop:sunli").url
    first = run_cli("check", "--json", "--allow-private", "--db", str(db), url)
    assert first.code == 1, first.stderr
    results = [run_cli("check", "--json", "--allow-private", "--screenshots", "--db", str(db), url) for _ in range(4)]
    full = [r for r in results if r.code == 2]
    assert full, "the 256 KB disk never filled up"
    assert "磁盘已满" in full[0].stderr and "已保存的数据不受影响" in full[0].stderr
    assert all("Traceback" not in r.stderr for r in results)
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    read_only = run_cli("check", "--json", "--allow-private", "--db", str(db), url)
    assert read_only.code == 2 and "只读" in read_only.stderr, read_only.stderr
    # What was stored before is intact and still readable, also for reports and history.
    report = run_cli("report", "--db", str(db), "--out", str(tmp_path / "out"))
    assert report.code == 0, report.stderr
    history = run_cli("history", "--db", str(db), url)
    assert history.code == 0 and "次检查" in history.stdout
    uri = db.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    try:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        assert conn.execute("select count(*) from snapshots").fetchone()[0] >= 1
    finally:
        conn.close()
