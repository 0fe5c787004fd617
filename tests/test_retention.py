"""``spacebot prune`` and ``spacebot backup`` on a real SQLite file: a quarter of nightly
snapshots of a few spaces is cut to the last N plus one a month, nothing a kept snapshot
shows is lost, reports still open; a backup taken while a writer is busy is consistent."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from crawler import Target
from inspectors import inspect_snapshot, load_rubric
from reports import check_document
from store import SnapshotStore
from tests.snapshots import good

RUBRIC = load_rubric("quanzhou-2022")


def _document(url: str, day: date, resources: int) -> dict[str, Any]:
    base = good()
    snapshot = replace(base, target=Target(url=url, teacher="林晓梅"), resources=base.resources[:resources])
    findings, verdict = inspect_snapshot(snapshot, RUBRIC, "小学")
    document = check_document(snapshot, findings, verdict)
    stamp = f"{day.isoformat()}T01:30:00+00:00"
    document["crawl"] = {**document["crawl"], "started_at": stamp, "finished_at": stamp}
    return {**document, "rubric": RUBRIC.name}


def _nightly(db: Path, spaces: int = 3, days: int = 92) -> list[str]:
    """Nightly snapshots from 2022-03-01; each space changes every ten days."""
    store = SnapshotStore(db)
    urls = [f"http://127.0.0.1:9/space/{n}" for n in range(spaces)]
    first = date(2022, 3, 1)
    for offset in range(days):
        day = first + timedelta(days=offset)
        for n, url in enumerate(urls):
            resources = 3 + (offset // 10 + n) % 5
            store.save_check(_document(url, day, resources), artifacts={"home.png": f"{url}{offset // 10}".encode()})
    return urls


def _documents(db: Path) -> dict[int, dict[str, Any]]:
    store = SnapshotStore(db, read_only=True)
    ids = [r[0] for r in store.db.execute("select id from snapshots")]
    return {i: store.document(i) for i in ids}


def test_prune_keeps_the_last_n_and_one_a_month(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "s.db"
    urls = _nightly(db)
    before = _documents(db)
    size_before = db.stat().st_size
    result = run_cli("prune", "--keep", "3", "--db", str(db))
    assert result.code == 0, result.stderr
    assert "清理完成" in result.stdout
    after = _documents(db)
    with sqlite3.connect(db) as conn:
        kept = conn.execute("select url, substr(taken_at, 1, 10) from snapshots order by url, taken_at").fetchall()
        orphans = conn.execute(
            "select count(*) from blobs where sha256 not in (select sha256 from snapshot_blobs)"
        ).fetchone()[0]
        findings = conn.execute(
            "select count(*) from snapshots s where document is not null "
            "and not exists (select 1 from findings f where f.snapshot_id = s.id)"
        ).fetchone()[0]
    for url in urls:
        days = [d for u, d in kept if u == url]
        # The last three nights, and the newest of March, April and May.
        assert days == ["2022-03-31", "2022-04-30", "2022-05-29", "2022-05-30", "2022-05-31"], days
    assert set(after) < set(before)
    assert all(after[i] == before[i] for i in after)  # every kept snapshot shows what it showed
    assert orphans == 0 and findings == 0
    assert db.stat().st_size < size_before
    history = run_cli("history", urls[0], "--db", str(db))
    assert history.code == 0 and "共 5 次检查" in history.stdout
    report = run_cli("report", "--out", str(tmp_path / "r"), "--db", str(db))
    assert report.code == 0, report.stderr
    again = run_cli("prune", "--keep", "3", "--db", str(db))
    assert "删除 0 个快照" in again.stdout


def test_bad_retention_input_is_refused(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "s.db"
    _nightly(db, spaces=1, days=3)
    for args, words in (
        (("prune", "--keep", "0", "--db", str(db)), "--keep 至少为 1"),
        (("prune", "--keep", "2", "--db", str(tmp_path / "none.db")), "找不到数据库"),
        (("backup", str(db), "--db", str(db)), "已存在"),
        (("backup", str(tmp_path / "no" / "b.db"), "--db", str(db)), "不存在"),
    ):
        result = run_cli(*args)
        assert result.code == 2 and words in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len(_documents(db)) == 3  # nothing stored was lost


def test_backup_while_a_sweep_writes(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "s.db"
    _nightly(db, spaces=2, days=5)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:  # another connection keeps committing, as a sweep does
        store = SnapshotStore(db)
        day = date(2022, 6, 1)
        while not stop.is_set():
            n = len(written)
            written.append(store.save_check(_document(f"http://127.0.0.1:9/busy/{n}", day, 3 + n % 4)))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:  # the writer is busy before the backup starts …
            threading.Event().wait(0.05)
        result = run_cli("backup", str(tmp_path / "copy.db"), "--db", str(db))
        during = len(written)
        threading.Event().wait(0.3)
        assert len(written) > during  # … and after it ended
    finally:
        stop.set()
        thread.join()
    assert result.code == 0, result.stderr
    assert not (tmp_path / "copy.db.part").exists()
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("pragma integrity_check").fetchone()[0] == "ok"
        rows = copy.execute("select id, document, unchanged_from from snapshots").fetchall()
        # Consistent: every snapshot is whole, with its findings, and every "unchanged" row's original is there.
        ids = {r[0] for r in rows}
        assert all(r[2] in ids for r in rows if r[1] is None)
        for snapshot_id, document, _ in rows:
            if document is not None:
                stored = copy.execute("select count(*) from findings where snapshot_id = ?", [snapshot_id]).fetchone()
                assert stored[0] == len(json.loads(document)["findings"])
    assert 10 + 5 <= len(ids) <= 10 + during
