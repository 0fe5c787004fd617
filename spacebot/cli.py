"""The ``spacebot`` command line (typer + rich).

Exit status of ``check`` (the contract): 0 verdict pass, 1 fail or review, 2 bad usage or
input, 3 the space could not be inspected.
"""

from __future__ import annotations

import asyncio
import ctypes
import ipaddress
import json
import logging
import os
import re
import socket
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.table import Table

from crawler import (
    RECIPE_STATUS_TEXT,
    AddressPolicy,
    CrawlOptions,
    check_target_url,
    read_har_target,
    read_targets,
    shipped_recipes,
    single_url,
)
from errors import SpacebotError
from inspectors import DEFAULT_RUBRIC, available_rubrics, item_titles, load_rubric, parse_day
from reports import (
    SEVERITY_TEXT,
    STATUS_TEXT,
    VERDICT_TEXT,
    VISIBILITY_TEXT,
    changes_between,
    write_report,
)
from store import SnapshotStore

from .notify import send_notification
from .pipeline import GROUPS, CheckResult, check_space
from .sweep import SweepSettings, run_sweep

app = typer.Typer(
    help="spacebot：教师网络学习空间巡检机器人。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
rubrics_app = typer.Typer(help="查看评价标准（rubric）。", invoke_without_command=True)
app.add_typer(rubrics_app, name="rubrics")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_UNINSPECTED = 0, 1, 2, 3
_SEVERITY_STYLE = {"fail": "bold red", "warn": "yellow", "review": "cyan", "pass": "green"}


def _usage_error(message: str) -> typer.Exit:
    err.print(f"[bold red]错误：[/]{message}", highlight=False)
    return typer.Exit(EXIT_USAGE)


@app.command()
def check(
    url: str | None = typer.Argument(None, help="教师空间的网址（http:// 或 https://；用 --replay 时可省略）"),
    as_json: bool = typer.Option(False, "--json", help="在标准输出打印 spacebot/check-1 JSON（不输出其他内容）"),
    rubric: str = typer.Option(DEFAULT_RUBRIC, "--rubric", help="评价标准名称或 .toml 文件路径"),
    group: str | None = typer.Option(None, "--group", help="学段：幼儿园|小学|初中|高中"),
    allow_private: bool = typer.Option(False, "--allow-private", help="允许检查本机和内网地址（默认拒绝）"),
    allow_host: list[str] = typer.Option([], "--allow-host", help="允许访问的内网主机（host 或 host:port，可重复）"),
    allow_network: list[str] = typer.Option(
        [], "--allow-network", help="允许访问的内网网段（CIDR，如 10.8.0.0/16，可重复）"
    ),
    insecure_host: list[str] = typer.Option(
        [],
        "--insecure-host",
        help="不校验此主机的 HTTPS 证书（证书过期或自签名的本单位平台；host 或 host:port，可重复，只对所列主机生效）",
    ),
    db: str = typer.Option("spacebot.db", "--db", help="保存快照的 SQLite 数据库文件"),
    screenshots: bool = typer.Option(False, "--screenshots", help="保存空间主页的截图和网页（报告卡中显示截图）"),
    timeout: float = typer.Option(10.0, "--timeout", help="单个请求的超时秒数"),
    total_timeout: float = typer.Option(120.0, "--total-timeout", help="检查一个空间的总时限（秒）"),
    per_host: int = typer.Option(2, "--per-host", help="同一平台主机同时进行的请求数上限（网页、浏览器、视频合计）"),
    max_requests: int = typer.Option(
        3000, "--max-requests-per-space", help="每个空间最多发出的请求数（超过即记为失败并继续下一个）"
    ),
    since: str | None = typer.Option(None, "--since", help="统计时段起点 YYYY-MM-DD（默认为评价标准的活动时段）"),
    until: str | None = typer.Option(None, "--until", help="统计时段终点 YYYY-MM-DD（默认为评价标准的活动时段）"),
    har: Path | None = typer.Option(
        None, "--har", help="把这次检查的全部请求和响应（含浏览器的）记录为 HAR 文件，可用 Chrome 开发者工具打开"
    ),
    replay: Path | None = typer.Option(
        None, "--replay", help="不联网，按 HAR 文件重放一次检查（用于问题复现；结果不保存到数据库）"
    ),
) -> None:
    """检查一个教师空间：抓取内容、按评价标准判定，并保存快照。"""
    if har is not None and replay is not None:
        raise _usage_error("--har 和 --replay 不能同时使用：--har 记录一次真实的检查，--replay 重放记录的文件")
    if replay is not None:
        url = _replay_target(replay, url)
    if not url:
        raise _usage_error(
            "缺少参数 URL：请给出教师空间的网址，例如 spacebot check https://平台/space/12345"
            "（或用 --replay 重放记录的 HAR 文件）；查看用法：spacebot check --help"
        )
    if har is not None and not har.parent.exists():
        raise _usage_error(f"无法写入 HAR 文件 {har}：目录 {har.parent} 不存在")
    if group is not None and group not in GROUPS:
        raise _usage_error(f"学段 {group} 无效：--group 只能是 {'、'.join(GROUPS)} 之一")
    if timeout <= 0 or total_timeout <= 0:
        raise _usage_error("--timeout 和 --total-timeout 必须是正数（秒）")
    if per_host < 1:
        raise _usage_error("--per-host 必须是正整数（同一主机同时进行的请求数）")
    if max_requests < 1:
        raise _usage_error("--max-requests-per-space 至少为 1（每个空间最多发出的请求数）")
    policy = _policy(allow_private, allow_host, allow_network, insecure_host)
    options = CrawlOptions(
        timeout=timeout,
        total_timeout=total_timeout,
        policy=policy,
        screenshots=screenshots,
        per_host=per_host,
        max_requests=max_requests,
    )
    window = _window(since, until)
    try:
        chosen = load_rubric(rubric)
        store = SnapshotStore(db)
        result = asyncio.run(
            check_space(
                url,
                rubric=rubric,
                group=group,
                allow_private=allow_private,
                options=options,
                probe_cache=store,
                since=window[0],
                until=window[1],
                har=har,
                replay=replay,
            )
        )
        if replay is None:  # a replay reproduces a visit; it is not a new snapshot of the space
            store.save_check(
                {**result.document, "rubric": chosen.name},
                state=result.snapshot.state,
                artifacts=result.snapshot.artifacts,
            )
    except SpacebotError as exc:
        raise _usage_error(str(exc)) from None
    except Exception as exc:  # a bug, not the user's mistake: say so briefly, keep details for developers
        if os.environ.get("SPACEBOT_DEBUG"):
            raise
        err.print(
            f"[bold red]内部错误：[/]{exc.__class__.__name__}: {exc}。已保存的数据不受影响；"
            "请把网址和这条信息报告给开发者（设置环境变量 SPACEBOT_DEBUG=1 可显示详细信息）",
            highlight=False,
        )
        raise typer.Exit(EXIT_UNINSPECTED) from None
    if as_json:
        sys.stdout.write(json.dumps(result.document, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_summary(result, {item.id: item.title for item in chosen.items})
    if result.verdict == "error":
        raise typer.Exit(EXIT_UNINSPECTED)
    raise typer.Exit(EXIT_PASS if result.verdict == "pass" else EXIT_FAIL)


def _replay_target(path: Path, url: str | None) -> str:
    """The space a HAR file recorded (the given URL wins), or a clear error."""
    if not path.is_file():
        raise _usage_error(f"找不到 HAR 文件 {path}：请给出用 --har 记录的文件路径")
    try:
        recorded = read_har_target(path)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise _usage_error(f"{path} 不是有效的 HAR 文件（应为 HAR 1.2 JSON，例如用 --har 记录的文件）") from None
    if not (url or recorded):
        raise _usage_error(f"{path} 里没有记录任何请求：请重新用 --har 记录")
    return url or recorded or ""


def _print_summary(result: CheckResult, titles: dict[str, str]) -> None:
    doc = result.document
    crawl, counts, profile = doc["crawl"], doc["counts"], doc["profile"]
    out.print(f"[bold]空间[/]：{doc['target']['url']}", highlight=False)
    out.print(
        f"教师：{profile['name'] or '（未显示）'}  学校：{profile['school'] or '（未显示）'}  "
        f"学科：{profile['subject'] or '（未显示）'}",
        highlight=False,
    )
    out.print(
        f"抓取：{STATUS_TEXT.get(crawl['status'], crawl['status'])}，平台 {crawl['platform']}，"
        f"{crawl['pages']} 个页面（{crawl['via']}）",
        highlight=False,
    )
    if crawl["error"]:
        out.print(f"[red]原因：{crawl['error']}[/]", highlight=False)
    visibility = VISIBILITY_TEXT.get(doc["visibility"]["value"], doc["visibility"]["value"])
    out.print(f"可见性：{visibility}（{doc['visibility']['evidence']}）", highlight=False)
    table = Table(title="空间内容", show_header=True)
    for label in ("模块", "自定义模块", "资源", "文章", "相册", "照片", "视频", "外链"):
        table.add_column(label, justify="right")
    table.add_row(
        *(
            str(counts[k])
            for k in (
                "modules",
                "custom_modules",
                "resources",
                "articles",
                "albums",
                "photos",
                "videos",
                "outbound_links",
            )
        )
    )
    out.print(table)
    if doc["findings"]:
        findings = Table(title="评价结果", show_header=True, show_lines=False)
        findings.add_column("评价项")
        findings.add_column("结果")
        findings.add_column("说明", overflow="fold")
        for f in doc["findings"]:
            style = _SEVERITY_STYLE[f["severity"]]
            findings.add_row(
                titles.get(f["item"], f["item"]), f"[{style}]{SEVERITY_TEXT[f['severity']]}[/]", f["message"]
            )
        out.print(findings)
    style = {"pass": "bold green", "fail": "bold red", "review": "bold cyan", "error": "bold red"}[result.verdict]
    out.print(f"结论：[{style}]{VERDICT_TEXT[result.verdict]}[/]")


@app.command()
def sweep(
    targets: str = typer.Argument(
        ..., help="目标文件：推荐汇总表 .xlsx/.xls、含 url/空间网址 列的 .csv，或每行一个网址的 .txt"
    ),
    db: str = typer.Option("spacebot.db", "--db", help="保存快照的 SQLite 数据库文件"),
    screenshots: bool | None = typer.Option(
        None,
        "--screenshots/--no-screenshots",
        help="保存空间主页的截图和网页（给了 --out 时默认保存，报告卡中显示截图）",
    ),
    rubric: str = typer.Option(DEFAULT_RUBRIC, "--rubric", help="评价标准名称或 .toml 文件路径"),
    concurrency: int = typer.Option(4, "--concurrency", help="同时检查的空间数"),
    per_host: int = typer.Option(2, "--per-host", help="对同一平台主机同时发出的请求数上限"),
    max_requests: int = typer.Option(
        3000, "--max-requests-per-space", help="每个空间最多发出的请求数（超过即记为失败并继续下一个）"
    ),
    delay: float = typer.Option(
        0.0, "--delay", help="对同一主机两次请求之间的最短间隔（秒，robots.txt 的 Crawl-delay 更长时以其为准）"
    ),
    pause_after: int = typer.Option(
        5, "--pause-after-blocked", help="同一平台连续 K 次拦截（防火墙、验证码、频率限制）后暂停访问该平台"
    ),
    pause_minutes: float = typer.Option(
        10.0, "--pause-minutes", help="被拦截后暂停访问该平台的分钟数（其他平台照常检查，暂停后重试）"
    ),
    allow_private: bool = typer.Option(False, "--allow-private", help="允许检查本机和内网地址（默认拒绝）"),
    allow_host: list[str] = typer.Option([], "--allow-host", help="允许访问的内网主机（host 或 host:port，可重复）"),
    allow_network: list[str] = typer.Option(
        [], "--allow-network", help="允许访问的内网网段（CIDR，如 10.8.0.0/16，可重复）"
    ),
    insecure_host: list[str] = typer.Option(
        [],
        "--insecure-host",
        help="不校验此主机的 HTTPS 证书（证书过期或自签名的本单位平台；host 或 host:port，可重复，只对所列主机生效）",
    ),
    timeout: float = typer.Option(10.0, "--timeout", help="单个请求的超时秒数"),
    total_timeout: float = typer.Option(
        120.0, "--total-timeout", help="检查一个空间的总时限（秒），超时即记为失败并继续"
    ),
    since: str | None = typer.Option(None, "--since", help="统计时段起点 YYYY-MM-DD"),
    until: str | None = typer.Option(None, "--until", help="统计时段终点 YYYY-MM-DD"),
    notify: str | None = typer.Option(
        None, "--notify", help="巡检结束后把摘要发到此网址（企业微信/钉钉群机器人或任意 JSON 接口）"
    ),
    notify_format: str = typer.Option("auto", "--notify-format", help="通知格式：auto|wecom|dingtalk|json"),
    full: bool = typer.Option(False, "--full", help="完整重读每个列表（默认：列表第一页与上次相同则沿用上次的结果）"),
    no_recipes: bool = typer.Option(
        False, "--no-recipes", help="不使用学到的平台配方：脚本生成的页面一律用浏览器读取（对照用）"
    ),
    out_dir: str | None = typer.Option(None, "--out", help="巡检结束后把 HTML 报告写到此目录"),
    show_contacts: bool = typer.Option(False, "--show-contacts", help="在报告中显示联系方式（默认隐藏）"),
    broker: str | None = typer.Option(
        None,
        "--broker",
        envvar="SPACEBOT_BROKER",
        show_envvar=False,
        help="分布式巡检：把空间交给各台机器上的 spacebot worker 检查（redis://HOST:PORT/DB，"
        "也可用环境变量 SPACEBOT_BROKER），本机只汇总和保存结果",
    ),
) -> None:
    """巡检目标文件中的全部空间：礼貌抓取、逐个保存，中断后再次运行会从断点继续。"""
    if broker is not None:
        from .distributed import BrokerError, check_broker_url

        try:
            broker = check_broker_url(broker)
        except BrokerError as exc:
            raise _usage_error(str(exc)) from None
    if concurrency < 1 or per_host < 1:
        raise _usage_error("--concurrency 和 --per-host 至少为 1")
    if max_requests < 1:
        raise _usage_error("--max-requests-per-space 至少为 1（每个空间最多发出的请求数）")
    if pause_after < 1 or not 0 <= pause_minutes <= 24 * 60:
        raise _usage_error("--pause-after-blocked 至少为 1，--pause-minutes 应在 0 到 1440 之间")
    if notify_format not in ("auto", "wecom", "dingtalk", "json"):
        raise _usage_error("--notify-format 只能是 auto、wecom、dingtalk 或 json")
    window = _window(since, until)
    try:
        chosen = load_rubric(rubric)
        policy = _policy(allow_private, allow_host, allow_network, insecure_host)
        target_list = read_targets(targets, allow_private=allow_private, policy=policy)
        store = SnapshotStore(db)
    except SpacebotError as exc:
        raise _usage_error(str(exc)) from None
    if target_list.bad_rows:
        err.print(f"[yellow]注意：[/]{target_list.bad_rows_message()}", highlight=False)
    if target_list.notices:
        err.print(f"[yellow]注意：[/]{target_list.notices_message()}", highlight=False)
    settings = SweepSettings(
        concurrency=concurrency,
        per_host=per_host,
        min_delay=delay,
        options=CrawlOptions(
            timeout=timeout,
            total_timeout=total_timeout,
            policy=policy,
            screenshots=screenshots if screenshots is not None else out_dir is not None,
            per_host=per_host,
            max_requests=max_requests,
        ),
        since=window[0],
        until=window[1],
        incremental=not full,
        recipes=not no_recipes,
        pause_after=pause_after,
        pause_minutes=pause_minutes,
    )
    console = err  # the progress bar goes to stderr, so stdout stays a clean record of the result
    try:
        if broker is not None:
            from .distributed import run_distributed_sweep

            summary = run_distributed_sweep(
                target_list.targets,
                chosen,
                store,
                settings,
                broker_url=broker,
                db_path=db,
                source=str(targets),
                console=console,
            )
        else:
            summary = asyncio.run(
                run_sweep(target_list.targets, chosen, store, settings, source=str(targets), console=console)
            )
    except SpacebotError as exc:
        raise _usage_error(str(exc)) from None
    if summary.resumed:
        out.print(f"继续上次未完成的巡检（第 {summary.sweep_id} 次巡检）。", highlight=False)
    out.print(f"[bold]巡检完成[/]：{summary.text()}", highlight=False)
    for url, reason in summary.failures[:20]:
        out.print(f"  [red]无法检查[/] {url}：{reason}", highlight=False)
    if out_dir:
        try:
            files = write_report(
                store, out_dir, sweep_id=summary.sweep_id, show_contacts=show_contacts, rubric_titles=item_titles
            )
            out.print(f"报告已生成：{files.index}", highlight=False)
        except OSError as exc:
            err.print(f"[yellow]注意：[/]无法写入报告目录 {out_dir}：{exc.strerror or exc}", highlight=False)
    if notify:
        problem = send_notification(notify, summary, chosen.name, notify_format)
        if problem:
            err.print(f"[yellow]注意：[/]{problem}", highlight=False)
    raise typer.Exit(summary.exit_code)


@app.command()
def report(
    out_dir: str = typer.Option(
        ..., "--out", help="报告输出目录（index.html、每个空间的报告卡、findings.csv/xlsx、sweep.json）"
    ),
    db: str = typer.Option("spacebot.db", "--db", help="保存快照的 SQLite 数据库文件"),
    sweep_id: int | None = typer.Option(
        None, "--sweep", help="巡检编号（默认最近一次巡检；没有巡检时用各空间最近一次检查）"
    ),
    show_contacts: bool = typer.Option(False, "--show-contacts", help="在报告中显示联系方式（默认隐藏）"),
) -> None:
    """生成 HTML 报告（总览和每个空间的报告卡）及导出文件，可离线打开。"""
    try:
        store = SnapshotStore(db, read_only=True)
    except SpacebotError as exc:
        raise _usage_error(str(exc)) from None
    if not store.db.table("snapshots").count:
        raise _usage_error(f"数据库 {db} 中还没有检查记录：请先运行 spacebot sweep 或 spacebot check")
    try:
        files = write_report(store, out_dir, sweep_id=sweep_id, show_contacts=show_contacts, rubric_titles=item_titles)
    except LookupError:
        raise _usage_error(f"数据库 {db} 中没有第 {sweep_id} 次巡检") from None
    except OSError as exc:
        raise _usage_error(f"无法写入报告目录 {out_dir}：{exc.strerror or exc}") from None
    out.print(
        f"报告已生成：{files.index}（{len(files.cards)} 张报告卡；导出 {files.csv.name}、{files.xlsx.name}、"
        f"{files.json.name}）",
        highlight=False,
    )


@app.command()
def history(
    url: str = typer.Argument(..., help="教师空间的网址"),
    db: str = typer.Option("spacebot.db", "--db", help="保存快照的 SQLite 数据库文件"),
) -> None:
    """显示一个空间历次检查的快照，以及相邻两次之间的变化。"""
    try:
        store = SnapshotStore(db, read_only=True)
        normalized = check_target_url(single_url(url), allow_private=True)
    except SpacebotError as exc:
        raise _usage_error(str(exc)) from None
    rows = store.snapshots(normalized)
    if not rows:
        raise _usage_error(f"数据库 {db} 中没有 {normalized} 的检查记录：请先运行 spacebot check 或 spacebot sweep")
    out.print(f"[bold]{normalized}[/] 共 {len(rows)} 次检查：", highlight=False)
    previous = None
    for row in rows:
        document = store.document(row["id"])
        c = document["counts"]
        line = (
            f"{row['taken_at']}  {STATUS_TEXT.get(row['status'], row['status'])}  "
            f"{VERDICT_TEXT.get(row['verdict'], row['verdict'])}  资源 {c['resources']}  文章 {c['articles']}  "
            f"照片 {c['photos']}  视频 {c['videos']}  自定义模块 {c['custom_modules']}"
        )
        out.print(line, highlight=False)
        if previous is not None:
            changes = ["无变化"] if row["unchanged_from"] else changes_between(previous, document) or ["无变化"]
            for change in changes:
                out.print(f"    {change}", highlight=False)
        previous = document


@app.command()
def worker(
    broker: str = typer.Option(
        ...,
        "--broker",
        envvar="SPACEBOT_BROKER",
        show_envvar=False,
        help="协调端使用的 Redis 地址（redis://HOST:PORT/DB，有密码时 redis://:密码@HOST:PORT/DB；"
        "也可放在环境变量 SPACEBOT_BROKER 中，免得密码出现在进程列表里）",
    ),
    concurrency: int = typer.Option(2, "--concurrency", help="本机同时检查的空间数"),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="允许检查本机和内网地址（默认拒绝；任务消息无法放宽此限制）"
    ),
    allow_host: list[str] = typer.Option([], "--allow-host", help="允许访问的内网主机（host 或 host:port，可重复）"),
    allow_network: list[str] = typer.Option(
        [], "--allow-network", help="允许访问的内网网段（CIDR，如 10.8.0.0/16，可重复）"
    ),
    insecure_host: list[str] = typer.Option(
        [], "--insecure-host", help="不校验此主机的 HTTPS 证书（host 或 host:port，可重复，只对所列主机生效）"
    ),
) -> None:
    """分布式巡检的工作节点：从 Redis 领取空间逐个检查，把结果交回协调端（spacebot sweep --broker）。"""
    from .distributed import BrokerError, check_broker_url, run_worker

    if concurrency < 1:
        raise _usage_error("--concurrency 至少为 1")
    policy = _policy(allow_private, allow_host, allow_network, insecure_host)
    try:
        run_worker(check_broker_url(broker), concurrency, policy, err)
    except BrokerError as exc:
        raise _usage_error(str(exc)) from None


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听的地址（对内网开放时用 0.0.0.0 或本机内网地址）"),
    port: int = typer.Option(8000, "--port", help="监听的端口"),
    db: str = typer.Option("spacebot.db", "--db", help="保存检查结果的 SQLite 数据库文件"),
    broker: str | None = typer.Option(
        None,
        "--broker",
        envvar="SPACEBOT_BROKER",
        show_envvar=False,
        help="由分布式巡检的工作节点（spacebot worker）执行检查"
        "（redis://HOST:PORT/DB，也可用环境变量 SPACEBOT_BROKER）",
    ),
    allow_private: bool = typer.Option(False, "--allow-private", help="允许检查本机和内网地址（默认拒绝）"),
    allow_host: list[str] = typer.Option([], "--allow-host", help="允许检查的内网主机（host 或 host:port，可重复）"),
    allow_network: list[str] = typer.Option(
        [], "--allow-network", help="允许检查的内网网段（CIDR，如 10.8.0.0/16，可重复）"
    ),
    per_host: int = typer.Option(2, "--per-host", help="同一平台主机同时进行的请求数上限（所有检查合计）"),
    max_running: int = typer.Option(2, "--max-running", help="同时进行的检查数上限"),
    max_queue: int = typer.Option(20, "--max-queue", help="排队等待的检查数上限（满了则请用户稍后再试）"),
    rate_limit: int = typer.Option(10, "--rate-limit", help="同一客户端 IP 地址每 10 分钟最多提交的检查数"),
    access_log: bool = typer.Option(False, "--access-log", help="记录每个请求（含客户端 IP 地址；默认不记录）"),
    forwarded_allow_ips: str | None = typer.Option(
        None,
        "--forwarded-allow-ips",
        help="在反向代理之后运行时，信任这些代理地址发来的 X-Forwarded-For（逗号分隔），按真实客户端地址限流",
    ),
) -> None:
    """启动教师自查页面：教师粘贴空间网址即可看到与评审相同的报告卡（另有 JSON 接口）。"""
    if broker is not None:
        from .distributed import BrokerError, check_broker_url, check_redis

        try:
            broker = check_broker_url(broker)
            check_redis(broker)
        except BrokerError as exc:
            raise _usage_error(str(exc)) from None
    for flag, value in (("--per-host", per_host), ("--max-running", max_running), ("--max-queue", max_queue)):
        if value < 1:
            raise _usage_error(f"{flag} 必须是正整数")
    if rate_limit < 1:
        raise _usage_error("--rate-limit 必须是正整数（同一 IP 地址每 10 分钟最多提交的检查数）")
    if not 0 < port < 65536:
        raise _usage_error(f"端口 {port} 无效：请用 1–65535 之间的数")
    policy = _policy(allow_private, allow_host, allow_network)
    import uvicorn

    from .web import ServeSettings, create_app

    settings = ServeSettings(
        policy=policy,
        per_host=per_host,
        max_running=max_running,
        max_queued=max_queue,
        rate_limit=rate_limit,
        access_log=access_log,
        broker=broker,
    )
    try:
        application = create_app(db, settings)
    except SpacebotError as exc:
        raise _usage_error(str(exc)) from None
    shown = f"[{host}]" if ":" in host else host
    out.print(f"教师自查页面：http://{shown}:{port}/  （按 Ctrl+C 停止）", highlight=False)
    try:  # uvicorn only logs a port it cannot take: say it in Chinese first
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        problem = exc.strerror or exc
        raise _usage_error(f"无法在 {host}:{port} 上启动服务（{problem}）：端口可能已被占用，请换一个 --port") from None
    uvicorn.run(  # X-Forwarded-For is believed only from the proxies named
        application,
        host=host,
        port=port,
        access_log=access_log,
        log_level="warning",
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips or "",
    )


@app.command()
def platforms(
    db: str = typer.Option("spacebot.db", "--db", help="保存快照的 SQLite 数据库文件"),
    forget: str | None = typer.Option(
        None,
        "--forget",
        help="忘掉某个平台主机学到的配方（平台改版后），下次巡检重新学习；写主机名或该平台的任一网址",
    ),
) -> None:
    """列出巡检见过的平台主机：学到的平台配方（哪些页面不用浏览器）、状态，以及每个空间的请求数和浏览器渲染数。"""
    if forget is not None:
        _forget_platform(db, forget)
        return
    try:
        store = SnapshotStore(db, read_only=True)
        recipes = store.recipes()
    except SpacebotError as exc:
        raise _usage_error(str(exc)) from None
    if not recipes:
        out.print(f"数据库 {db} 中还没有平台记录：平台配方在 spacebot sweep 时学习。", highlight=False)
        return
    table = Table(title="平台与配方")
    columns = ["平台主机", "配方", "状态", "来源", "空间数", "请求/空间", "浏览器渲染/空间"]
    for column in (*columns, "采用配方后仍需浏览器", "说明"):
        table.add_column(column, overflow="fold")
    for recipe in recipes:
        n = max(recipe.spaces, 1)
        table.add_row(
            recipe.host,
            recipe.describe(),
            RECIPE_STATUS_TEXT.get(recipe.status, recipe.status),
            "随程序提供" if recipe.source == "shipped" else "巡检中学到",
            str(recipe.spaces),
            f"{recipe.requests / n:.1f}" if recipe.spaces else "—",
            f"{recipe.renders / n:.1f}" if recipe.spaces else "—",
            f"{recipe.trusted_rendered}/{recipe.trusted_spaces} 个空间" if recipe.trusted_spaces else "—",
            recipe.note,
        )
    out.print(table)
    out.print(
        "配方先在几个空间上与浏览器对照（两种读法结果相同才采用），采用后若读到的内容可疑会再对照一次；"
        "每周的 --full 巡检会重新验证所有配方。",
        highlight=False,
    )


def _forget_platform(db: str, given: str) -> None:
    text = given.strip()
    host = (urlsplit(text).netloc if "://" in text else text.split("/", 1)[0]).lower()
    try:
        store = SnapshotStore(db)
        known = [r.host for r in store.recipes()]
        if not host or not store.forget_recipe(host):
            listed = "、".join(known[:20]) or "（没有）"
            raise _usage_error(f"数据库 {db} 中没有平台主机 {host or given} 的配方；已记录的平台主机：{listed}")
    except SpacebotError as exc:
        raise _usage_error(str(exc)) from None
    shipped = any(r.host == host for r in shipped_recipes())
    after = "随程序提供的配方仍会使用" if shipped else "下次巡检时重新观察和学习"
    out.print(f"已忘掉平台主机 {host} 学到的配方：{after}。", highlight=False)


@app.command()
def prune(
    keep: int = typer.Option(..., "--keep", help="每个空间保留最近 N 次快照（另保留每月最后一次）"),
    db: str = typer.Option("spacebot.db", "--db", help="保存快照的 SQLite 数据库文件"),
) -> None:
    """清理旧快照：每个空间保留最近 N 次和每月最后一次（以及最近一次巡检的全部），然后压缩数据库。"""
    if keep < 1:
        raise _usage_error("--keep 至少为 1（每个空间至少保留最近一次快照）")
    if not Path(db).exists():
        raise _usage_error(f"找不到数据库 {db}：请检查 --db 路径")
    try:
        result = SnapshotStore(db).prune(keep)
    except SpacebotError as exc:
        raise _usage_error(str(exc)) from None
    mb = 1024 * 1024
    out.print(
        f"清理完成：删除 {result.removed} 个快照，保留 {result.kept} 个；"
        f"数据库由 {result.bytes_before / mb:.1f} MB 变为 {result.bytes_after / mb:.1f} MB。",
        highlight=False,
    )


@app.command()
def backup(
    destination: str = typer.Argument(..., help="备份文件路径（不能已存在）"),
    db: str = typer.Option("spacebot.db", "--db", help="保存快照的 SQLite 数据库文件"),
) -> None:
    """备份数据库：巡检进行中也能得到一致的副本（SQLite 在线备份）。"""
    try:
        SnapshotStore(db, read_only=True).backup(destination)
    except SpacebotError as exc:
        raise _usage_error(str(exc)) from None
    out.print(f"已备份到 {destination}（{Path(destination).stat().st_size / 1024 / 1024:.1f} MB）。", highlight=False)


def _policy(
    allow_private: bool, hosts: list[str], networks: list[str], insecure: list[str] | None = None
) -> AddressPolicy:
    for host in insecure or []:
        if not host or "/" in host or "*" in host or host.strip() != host:
            raise _usage_error(
                f"--insecure-host 的主机 {host!r} 无效：请写主机名或 主机名:端口，"
                "例如 space.example.edu.cn（每个主机写一次）"
            )
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise _usage_error(f"--allow-network 的网段 {network} 无效：请写成 CIDR，例如 10.8.0.0/16") from None
    return AddressPolicy(
        allow_private=allow_private,
        allow_hosts=tuple(h.lower() for h in hosts),
        allow_networks=tuple(networks),
        insecure_hosts=tuple(h.lower() for h in insecure or []),
    )


def _window(since: str | None, until: str | None) -> list[date | None]:
    window: list[date | None] = []
    for flag, value in (("--since", since), ("--until", until)):
        try:
            window.append(parse_day(value) if value else None)
        except ValueError:
            raise _usage_error(f"{flag} 的日期 {value} 无效：请写成 YYYY-MM-DD，例如 2022-03-10") from None
    if window[0] and window[1] and window[0] > window[1]:
        raise _usage_error("--since 不能晚于 --until")
    return window


@rubrics_app.callback()
def rubrics_list(ctx: typer.Context) -> None:
    """列出内置的评价标准。"""
    if ctx.invoked_subcommand is not None:
        return
    for name in available_rubrics():
        rubric = load_rubric(name)
        default = "（默认）" if name == DEFAULT_RUBRIC else ""
        out.print(
            f"{name}{default}  {rubric.title}  [dim]来源：{rubric.seed}，{len(rubric.items)} 个评价项[/]",
            highlight=False,
        )


@rubrics_app.command("show")
def rubrics_show(name: str = typer.Argument(..., help="评价标准名称或 .toml 文件路径")) -> None:
    """显示一个评价标准的全部评价项。"""
    try:
        rubric = load_rubric(name)
    except SpacebotError as exc:
        raise _usage_error(str(exc)) from None
    if rubric.period:
        out.print(f"活动时段：{rubric.period[0]} 至 {rubric.period[1]}（可用 --since/--until 改变）", highlight=False)
    table = Table(title=f"{rubric.name}：{rubric.title}")
    for column in ("id", "评价项", "要求", "判定方式"):
        table.add_column(column, overflow="fold")
    for item in rubric.items:
        table.add_row(item.id, item.title, item.requirement, "、".join(item.rules))
    out.print(table)


def _few_malloc_arenas() -> None:
    """glibc gives threads that allocate malloc arenas of their own (up to 8 per core) and
    hands little of them back: the video probes decode in threads, and a sweep's process
    grew by a quarter for it. Two arenas: measured on a sweep of 16 generated spaces
    (concurrency 8), the Python process's peak PSS went from 1276 MB to 988 MB, no slower."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc (musl has no arenas to limit)
        pass


def main() -> None:
    """Console-script entry point."""
    _few_malloc_arenas()
    # Internal diagnostics (with tracebacks) are for developers: SPACEBOT_DEBUG=1 shows them.
    base = logging.getLogger("spacebot")
    if os.environ.get("SPACEBOT_DEBUG"):
        logging.basicConfig(level=logging.INFO)
    else:
        base.addHandler(logging.NullHandler())
        base.propagate = False
    try:
        code = app(standalone_mode=False)
    except Exception as exc:
        # typer's (vendored) click usage errors: recognised by shape, not by import path.
        if getattr(exc, "exit_code", None) == EXIT_USAGE and hasattr(exc, "format_message"):
            ctx = getattr(exc, "ctx", None)
            command = ctx.command_path if ctx is not None else "spacebot"
            err.print(f"[bold red]错误：[/]{_usage_text(exc)}。运行 {command} --help 查看用法", highlight=False)
            sys.exit(EXIT_USAGE)
        if type(exc).__name__ == "Abort":
            err.print("已取消。")
            sys.exit(130)
        raise
    sys.exit(code if isinstance(code, int) else 0)


def _usage_text(exc: Exception) -> str:
    """Click's usage errors, in Chinese."""
    message = str(exc.format_message())  # type: ignore[attr-defined]
    patterns = (
        (r"Missing argument '([^']+)'", lambda m: f"缺少参数 {m.group(1).upper()}"),
        (r"Missing parameter: (\S+)", lambda m: f"缺少参数 {m.group(1).upper()}"),
        (r"No such option: (\S+)", lambda m: f"没有 {m.group(1)} 这个选项"),
        (
            r"No such command '([^']+)'",
            lambda m: f"没有 {m.group(1)} 这个命令（可用：check、sweep、serve、report、history、platforms、rubrics）",
        ),
        (r"Invalid value for '([^']+)'", lambda m: f"选项 {m.group(1)} 的值无效"),
        (r"Missing option '([^']+)'", lambda m: f"缺少选项 {m.group(1)}"),
        (r"Option '([^']+)' requires an argument", lambda m: f"选项 {m.group(1)} 需要一个值"),
        (r"Got unexpected extra argument", lambda m: "多余的参数"),
    )
    for pattern, render in patterns:
        match = re.search(pattern, message)
        if match:
            return render(match)
    return f"参数有误（{message}）"
