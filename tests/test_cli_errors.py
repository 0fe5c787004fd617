"""Bad input and unreachable spaces: clear Chinese messages, the contract's exit codes,
no traceback, and nothing on stdout but JSON."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from tests.farm import Farm


def _assert_clean_error(result, code: int) -> None:  # type: ignore[no-untyped-def]
    assert result.code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stderr), result.stderr


@pytest.mark.parametrize("url", ["ftp://x", "javascript:alert(1)", "file:///etc/passwd", "x", ""])
def test_non_http_urls_are_refused(url: str, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--json", url)
    _assert_clean_error(result, 2)
    assert result.stdout == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/space",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
    ],
)
def test_private_targets_are_refused_without_allow_private(url: str, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--json", url)
    _assert_clean_error(result, 2)
    assert "--allow-private" in result.stderr


def test_unreachable_space_exits_3_within_the_timeout(run_cli) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_cli("check", "--json", "--allow-private", f"http://127.0.0.1:{port}/space/1")
    assert result.code == 3
    document = result.json()
    assert document["crawl"]["status"] == "unreachable"
    assert document["verdict"] == "error"
    assert "无法连接" in document["crawl"]["error"]
    assert result.seconds < 10


def test_a_server_that_never_answers_times_out(run_cli) -> None:  # type: ignore[no-untyped-def]
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)  # read nothing, answer nothing

    threading.Thread(target=accept, daemon=True).start()
    try:
        started = time.monotonic()
        result = run_cli(
            "check", "--json", "--allow-private", "--timeout", "2", f"http://127.0.0.1:{server.getsockname()[1]}/"
        )
        assert result.code == 3
        assert "超时" in result.json()["crawl"]["error"]
        assert time.monotonic() - started < 12
    finally:
        server.close()
        for conn in held:
            conn.close()


def test_missing_space_exits_3(farm: Farm, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--json", "--allow-private", farm.space("tianyu:99999").url)
    assert result.code == 3
    assert result.json()["crawl"]["status"] == "not_found"


def test_login_wall_fails_visibility(farm: Farm, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--json", "--allow-private", farm.space("spa:u1003").url)
    document = result.json()
    assert result.code == 1 and document["verdict"] == "fail"
    [finding] = [f for f in document["findings"] if f["item"] == "visibility"]
    assert finding["severity"] == "fail" and "所有人可见" in finding["message"]


def test_readable_summary_without_json(farm: Farm, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--allow-private", farm.space("tianyu-gbk:20001").url)
    assert result.code == 1
    assert "黄志强" in result.stdout and "结论" in result.stdout and "空间访问权限" in result.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (["--group", "大学"], "学段"),
        (["--rubric", "no-such-rubric"], "没有名为"),
        (["--rubric", "missing.toml"], "找不到"),
    ],
)
def test_bad_options_exit_2(args: list[str], words: str, farm: Farm, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--allow-private", *args, farm.space("tianyu:10001").url)
    _assert_clean_error(result, 2)
    assert words in result.stderr


def test_broken_rubric_file_names_the_file(tmp_path: Path, farm: Farm, run_cli) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "mine.toml"
    broken.write_text('name = "mine"\n[[items]\nid = "x"\n', encoding="utf-8")
    result = run_cli("check", "--allow-private", "--rubric", str(broken), farm.space("tianyu:10001").url)
    _assert_clean_error(result, 2)
    assert "mine.toml" in result.stderr and "第 2 行" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_semantic_rubric_errors_name_the_line(tmp_path: Path, farm: Farm, run_cli) -> None:  # type: ignore[no-untyped-def]
    rubric = tmp_path / "mine.toml"
    rubric.write_text(
        'name = "mine"\n\n[[items]]\nid = "a"\ntitle = "甲"\nrule = "count"\ncollection = "albums"\n'
        'min = 1\n\n[[items]]\nid = "b"\ntitle = "乙"\nrule = "guess"\n',
        encoding="utf-8",
    )
    result = run_cli("check", "--allow-private", "--rubric", str(rubric), farm.space("tianyu:10001").url)
    _assert_clean_error(result, 2)
    assert "mine.toml 第 10 行" in result.stderr and "guess" in result.stderr


@pytest.mark.parametrize(
    "args, words",
    [(["--since", "2022-13-01"], "YYYY-MM-DD"), (["--since", "2022-06-01", "--until", "2022-01-01"], "不能晚于")],
)
def test_bad_windows_exit_2(args: list[str], words: str, farm: Farm, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--allow-private", *args, farm.space("tianyu:10001").url)
    _assert_clean_error(result, 2)
    assert words in result.stderr


def test_unwritable_database_is_a_clear_error(tmp_path: Path, farm: Farm, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--allow-private", "--db", str(tmp_path), farm.space("tianyu:10001").url)
    _assert_clean_error(result, 2)
    assert "目录" in result.stderr


def test_snapshots_accumulate_in_the_database(tmp_path: Path, farm: Farm, run_cli) -> None:  # type: ignore[no-untyped-def]
    import sqlite_utils

    from store._database import MIGRATIONS

    db_path = tmp_path / "history.db"
    url = farm.space("dragdrop:sunli").url
    for _ in range(2):
        assert run_cli("check", "--json", "--allow-private", "--db", str(db_path), url).code == 1
    db = sqlite_utils.Database(db_path)
    assert db["snapshots"].count == 2
    assert db["targets"].count == 1
    assert db["findings"].count > 0
    assert [r["name"] for r in db["migrations"].rows] == [name for name, _ in MIGRATIONS]


@pytest.mark.parametrize(
    "args, words",
    [
        (["check"], "缺少参数 URL"),
        (["check", "--nope", "http://x"], "没有 --nope 这个选项"),
        (["nosuch"], "没有 nosuch 这个命令"),
        (["check", "--timeout", "abc", "http://x"], "选项 --timeout 的值无效"),
        (["sweep"], "缺少参数 TARGETS"),
        (["report"], "缺少选项 --out"),
    ],
)
def test_usage_errors_are_chinese_one_liners(args: list[str], words: str, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(*args)
    _assert_clean_error(result, 2)
    assert words in result.stderr and "--help" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
