"""``spacebot sweep``: target files, politeness, resuming after kill -9, history, notify."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from openpyxl import Workbook

from crawler import read_targets
from errors import TargetError
from tests.conftest import LOOPBACK, ROOT
from tests.farm import Farm
from tests.farm.bulk import start_bulk, write_targets


def _stored(db: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("select url, count(*) from sweep_items group by url").fetchall()


# -- target files -----------------------------------------------------------------------------
def test_xlsx_summary_table_header_found_below_title_rows(tmp_path: Path, farm: Farm) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["优秀教师网络空间征集活动区级推荐汇总表"])
    sheet.append(["填报单位：鲤城区实验小学", None, None, "填报时间：2022年9月20日"])
    sheet.append(["序号", "县（市、区）", "组 别", "学科", "姓 名", "所在学校", "空间网址", "邮箱", "手机号码", "备注"])
    sheet.append(
        [
            1,
            "鲤城区",
            "小学",
            "数学",
            "林晓梅",
            "鲤城区实验小学",
            farm.space("tianyu:10001").url,
            "a@b.cn",
            "13800000000",
            "",
        ]
    )
    sheet.append([2, "鲤城区", "初中", "英语", "刘洋", "思源实验学校", farm.space("spa:u1001").url, "", "", ""])
    sheet.append([3, "鲤城区", "小学", "语文", "无网址", "某校", None, "", "", ""])
    path = tmp_path / "推荐汇总表.xlsx"
    book.save(path)
    result = read_targets(path, allow_private=True)
    assert [(t.teacher, t.group, t.subject, t.school) for t in result.targets] == [
        ("林晓梅", "小学", "数学", "鲤城区实验小学"),
        ("刘洋", "初中", "英语", "思源实验学校"),
    ]
    assert [(b.row, b.reason) for b in result.bad_rows] == [(6, "没有空间网址")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_in_utf8_or_gbk_with_bad_rows(encoding: str, tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    path.write_text(
        "姓名,学校,空间网址\n张三,一小,http://127.0.0.1:9/a\n李四,二小,javascript:alert(1)\n"
        "王五,三小,\n赵六,四小,http://127.0.0.1:9/a\n钱七,五小,127.0.0.1:9/b\n",
        encoding=encoding,
    )
    result = read_targets(path, allow_private=True)
    assert [t.teacher for t in result.targets] == ["张三", "钱七"]
    assert [b.row for b in result.bad_rows] == [3, 4, 5]
    message = result.bad_rows_message()
    assert "第 3 行" in message and "第 4 行：没有空间网址" in message and "与第 2 行重复" in message


@pytest.mark.parametrize(
    "content, words",
    [
        (None, "找不到目标文件"),
        ("名字,学校\n张三,一小\n", "找不到“url”或“空间网址”列"),
        ("", "空文件"),
    ],
)
def test_unusable_target_files(content: str | None, words: str, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(TargetError, match=words):
        read_targets(path)


def test_bad_target_file_exits_2(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("sweep", str(tmp_path / "missing.xlsx"), "--db", str(tmp_path / "s.db"))
    assert result.code == 2 and "找不到目标文件" in result.stderr and "Traceback" not in result.stderr


# -- politeness ---------------------------------------------------------------------------------
def test_per_host_limit_is_never_exceeded(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    server, app = start_bulk(24)
    server.latency = 0.03
    try:
        targets = tmp_path / "t.txt"
        write_targets(server, app, targets)
        result = run_cli(
            "sweep",
            str(targets),
            "--db",
            str(tmp_path / "s.db"),
            "--allow-private",
            "--concurrency",
            "8",
            "--per-host",
            "3",
        )
        assert result.code == 1, result.stderr  # the generated spaces fail the default rubric
        assert server.max_inflight == 3  # reached, never exceeded
        assert len(_stored(tmp_path / "s.db")) == 24
    finally:
        server.stop()


def test_robots_disallow_is_honoured(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    server, app = start_bulk(4, robots_disallow=("700001",))
    try:
        targets = tmp_path / "t.txt"
        urls = write_targets(server, app, targets)
        run_cli("sweep", str(targets), "--db", str(tmp_path / "s.db"), "--allow-private")
        assert not any("sid=700001" in path for path in server.requests)  # never fetched
        with sqlite3.connect(tmp_path / "s.db") as conn:
            status = dict(conn.execute("select url, status from sweep_items").fetchall())
        assert status[urls[1]] == "blocked" and status[urls[0]] == "ok"
    finally:
        server.stop()


def test_429_retry_after_is_waited(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    server, app = start_bulk(2, throttle_first=("700000",), retry_after=2)
    try:
        targets = tmp_path / "t.txt"
        urls = write_targets(server, app, targets)
        run_cli("sweep", str(targets), "--db", str(tmp_path / "s.db"), "--allow-private")
        homes = [p for p in server.requests if p.endswith("space/person/index&sid=700000")]
        assert len(homes) == 2  # the 429, then the retry
        with sqlite3.connect(tmp_path / "s.db") as conn:
            status = dict(conn.execute("select url, status from sweep_items").fetchall())
        assert status[urls[0]] == "ok"
        assert app.throttled  # the 429 was really sent
    finally:
        server.stop()


def test_429_retry_timing(tmp_path: Path) -> None:
    import asyncio

    from crawler import HttpFetcher

    server, app = start_bulk(1, throttle_first=("700000",), retry_after=1)
    try:
        url = server.base_url + app.home_path("700000")

        async def fetch() -> tuple[int, float]:
            fetcher = HttpFetcher(timeout=5, policy=LOOPBACK)
            started = time.monotonic()
            page = await fetcher.get(url)
            await fetcher.aclose()
            return page.status, time.monotonic() - started

        status, seconds = asyncio.run(fetch())
        assert status == 200 and seconds >= 1.0
    finally:
        server.stop()


# -- crash and resume ---------------------------------------------------------------------------
def test_kill_9_then_resume_stores_every_space_once(tmp_path: Path) -> None:
    server, app = start_bulk(40)
    server.latency = 0.05
    db = tmp_path / "s.db"
    targets = tmp_path / "t.txt"
    urls = write_targets(server, app, targets)
    command = [
        sys.executable,
        "-m",
        "spacebot",
        "sweep",
        str(targets),
        "--db",
        str(db),
        "--allow-private",
        "--per-host",
        "2",
        "--concurrency",
        "2",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if db.exists():
                try:
                    if 5 <= len(_stored(db)) < 40:
                        break
                except sqlite3.OperationalError:
                    pass  # tables not created yet
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        before = len(_stored(db))
        assert 0 < before < 40
        rerun = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
        assert "继续上次未完成的巡检" in rerun.stdout, rerun.stdout + rerun.stderr
        stored = _stored(db)
        assert sorted(u for u, _ in stored) == sorted(urls)
        assert all(n == 1 for _, n in stored)
        with sqlite3.connect(db) as conn:
            assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
            assert conn.execute("select count(*) from sweeps").fetchone() == (1,)
            assert conn.execute("select count(*) from snapshots").fetchone() == (40,)
            scores = [r[0] for r in conn.execute("select cohort_score from sweep_items")]
        assert all(5.0 <= s <= 40.0 for s in scores) and max(scores) == 40.0 and min(scores) == 5.0
    finally:
        server.stop()


def test_ctrl_c_while_videos_are_probed_ends_the_sweep(tmp_path: Path) -> None:
    """Ctrl+C while video probes wait for their host's turn (a delay between
    requests): the sweep stops at once, as it says, and no probe thread keeps it alive."""
    from tests.farm.mixed import start_mixed

    server, app = start_mixed()
    targets = tmp_path / "t.txt"
    targets.write_text("\n".join(u for u in app.urls(server.base_url) if "/s/" not in u) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "spacebot", "sweep", str(targets), "--db", str(tmp_path / "s.db")]
    command += ["--allow-private", "--per-host", "2", "--concurrency", "4", "--delay", "0.4"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        videos = ("/upload/video/", "/media/")
        while time.monotonic() < deadline and sum(p.startswith(videos) for _, p in server.started) < 1:
            time.sleep(0.1)
        assert sum(p.startswith(videos) for _, p in server.started) >= 1  # probes are under way
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise AssertionError("the sweep was still running 20 s after Ctrl+C") from None
        assert process.returncode != 0
        assert process.stderr is not None and "Traceback" not in process.stderr.read().decode()
    finally:
        server.stop()


# -- re-sweeps and history ----------------------------------------------------------------------
def test_unchanged_spaces_are_recorded_without_a_copy_and_history_shows_changes(
    tmp_path: Path,
    run_cli,  # type: ignore[no-untyped-def]
) -> None:
    from dataclasses import replace

    from tests.farm.spec import ArticleSpec

    server, app = start_bulk(3)
    try:
        targets = tmp_path / "t.txt"
        urls = write_targets(server, app, targets)
        db = str(tmp_path / "s.db")
        run_cli("sweep", str(targets), "--db", db, "--allow-private")
        run_cli("sweep", str(targets), "--db", db, "--allow-private")
        space = app.spaces["700000"]
        app.spaces["700000"] = replace(
            space, articles=space.articles + (ArticleSpec("new1", "教育叙事：新学期的第一课", True, "2022-09-01"),)
        )
        run_cli("sweep", str(targets), "--db", db, "--allow-private")
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "select url, sweep_id, document is null, unchanged_from is not null from snapshots order by id"
            ).fetchall()
        second = [r for r in rows if r[1] == 2]
        assert all(r[2] and r[3] for r in second)  # identical: no copy, a pointer
        third = {r[0]: r for r in rows if r[1] == 3}
        assert third[urls[0]][2:] == (0, 0) and third[urls[1]][2:] == (1, 1)
        history = run_cli("history", "--db", db, urls[0])
        assert history.code == 0
        assert "共 3 次检查" in history.stdout and "无变化" in history.stdout
        assert "新增文章 1 个：教育叙事：新学期的第一课" in history.stdout
        assert "文章 2 → 3" in history.stdout
    finally:
        server.stop()


@pytest.mark.parametrize("validators", ["etag", "last-modified"])
def test_pages_with_validators_are_asked_for_conditionally(
    validators: str,
    tmp_path: Path,
    run_cli,  # type: ignore[no-untyped-def]
) -> None:
    from dataclasses import replace

    from tests.farm.spec import ArticleSpec

    server, app = start_bulk(3)
    server.validators = validators
    try:
        targets = tmp_path / "t.txt"
        urls = write_targets(server, app, targets)
        db = str(tmp_path / "s.db")
        assert "无法检查 0" in run_cli("sweep", str(targets), "--db", db, "--allow-private").stdout
        assert server.conditional == 0
        first = len(server.requests)
        assert "无法检查 0" in run_cli("sweep", str(targets), "--db", db, "--allow-private").stdout
        second = server.requests[first:]
        pages = [p for p in second if p != "/robots.txt"]
        # Every page of the re-sweep was asked for conditionally and none was sent again.
        assert server.conditional == len(pages) and server.not_modified == len(pages), (pages, server.not_modified)
        space = app.spaces["700000"]
        added = ArticleSpec("new1", "教育叙事：新学期的第一课", True, "2022-09-01")
        app.spaces["700000"] = replace(space, articles=(added, *space.articles))
        before = server.not_modified
        assert "无法检查 0" in run_cli("sweep", str(targets), "--db", db, "--allow-private").stdout
        assert server.not_modified > before  # the two spaces that did not change
        with sqlite3.connect(db) as conn:
            rows = conn.execute("select url, sweep_id, document is null from snapshots order by id").fetchall()
        assert [r[2] for r in rows if r[1] == 2] == [1, 1, 1]  # identical to the first sweep
        third = {r[0]: r[2] for r in rows if r[1] == 3}
        assert third == {urls[0]: 0, urls[1]: 1, urls[2]: 1}
        history = run_cli("history", "--db", db, urls[0])
        assert "新增文章 1 个：教育叙事：新学期的第一课" in history.stdout
    finally:
        server.stop()


def test_history_of_an_unknown_space(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("history", "--db", str(tmp_path / "s.db"), "http://127.0.0.1:9/none")
    assert result.code == 2 and "找不到数据库" in result.stderr


# -- notify and exit codes ----------------------------------------------------------------------
class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []  # type: ignore[type-arg]

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append({"path": self.path, "json": json.loads(body)})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    "fmt, check",
    [
        ("wecom", lambda j: j["msgtype"] == "markdown" and "合格" in j["markdown"]["content"]),
        ("dingtalk", lambda j: j["msgtype"] == "markdown" and "巡检完成" in j["markdown"]["title"]),
        ("json", lambda j: j["schema"] == "spacebot/sweep-summary-1" and j["total"] == 2),
    ],
)
def test_notify_posts_the_summary(fmt: str, check, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    hook = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    server, app = start_bulk(2)
    try:
        _Hook.received.clear()
        targets = tmp_path / "t.txt"
        write_targets(server, app, targets)
        run_cli(
            "sweep",
            str(targets),
            "--db",
            str(tmp_path / "s.db"),
            "--allow-private",
            "--notify",
            f"http://127.0.0.1:{hook.server_address[1]}/robot",
            "--notify-format",
            fmt,
        )
        [message] = _Hook.received
        assert check(message["json"]), message
    finally:
        hook.shutdown()
        server.stop()


def test_nothing_inspectable_exits_3(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    targets = tmp_path / "t.txt"
    targets.write_text(f"http://127.0.0.1:{port}/a\nhttp://127.0.0.1:{port}/b\n", encoding="utf-8")
    result = run_cli("sweep", str(targets), "--db", str(tmp_path / "s.db"), "--allow-private")
    assert result.code == 3
    assert "无法检查 2" in result.stdout


def test_an_unchanged_re_sweep_reads_a_fraction_of_the_pages(farm: Farm, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    keys = ["tianyu:10001", "tianyu-gbk:20001", "dragdrop:zhanglei", "dragdrop:sunli", "spa:u1001"]
    targets = tmp_path / "t.txt"
    targets.write_text("\n".join(farm.space(k).url for k in keys) + "\n", encoding="utf-8")
    db = str(tmp_path / "s.db")

    def requests(media: bool = False) -> int:  # page requests, or video requests
        return sum(
            1 for s in farm.servers.values() for path in s.requests if path.endswith((".mp4", ".m3u8", ".ts")) == media
        )

    before, media_before = requests(), requests(media=True)
    run_cli("sweep", str(targets), "--db", db, "--allow-private")
    first = requests() - before
    assert requests(media=True) > media_before  # tianyu:10001's micro-courses were probed
    before, media_before = requests(), requests(media=True)
    run_cli("sweep", str(targets), "--db", db, "--allow-private")
    second = requests() - before
    assert requests(media=True) == media_before  # their probes were kept with the unchanged listing
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select sweep_id, document is null from snapshots order by id").fetchall()
    assert [r[1] for r in rows if r[0] == 2] == [1] * len(keys)  # every space recorded as unchanged
    assert second <= 0.5 * first, (first, second)
    before = requests()
    run_cli("sweep", str(targets), "--db", db, "--allow-private", "--full")
    assert requests() - before >= 0.95 * first  # --full reads every page again


def test_a_collection_the_home_page_vouches_for_is_not_read_again(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """A module box that declares its count and shows its newest items with dates vouches
    for the collection: while both are unchanged, a re-sweep does not open its listing."""
    from dataclasses import replace

    from tests.farm.spec import ArticleSpec

    server, app = start_bulk(3)
    try:
        targets = tmp_path / "t.txt"
        urls = write_targets(server, app, targets)
        db = str(tmp_path / "s.db")
        run_cli("sweep", str(targets), "--db", db, "--allow-private")
        blog = [p for p in server.requests if "blog%2Findex" in p]
        assert len(blog) == 3  # the first sweep read each article listing
        first = len(server.requests)
        run_cli("sweep", str(targets), "--db", db, "--allow-private")
        assert not [p for p in server.requests[first:] if "blog%2Findex" in p]
        space = app.spaces["700000"]
        added = ArticleSpec("new1", "教育叙事：新学期的第一课", True, "2022-09-01")
        app.spaces["700000"] = replace(space, articles=(added, *space.articles))
        second = len(server.requests)
        run_cli("sweep", str(targets), "--db", db, "--allow-private")
        assert [p for p in server.requests[second:] if "blog%2Findex" in p] == [
            "/index.php?r=space%2Fperson%2Fblog%2Findex&sid=700000"
        ]
        assert "新增文章 1 个：教育叙事：新学期的第一课" in run_cli("history", "--db", db, urls[0]).stdout
    finally:
        server.stop()
