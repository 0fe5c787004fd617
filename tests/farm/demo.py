"""``make demo``: start the demo platform farm and check every space with the real CLI.

Each space is checked by ``spacebot check --json`` in its own process, exactly as a user
would run it; the table sums up the results, then one complete space is shown in full.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from reports import STATUS_TEXT, VERDICT_TEXT, VISIBILITY_TEXT

from . import Farm


def main() -> int:
    console = Console()
    if not console.is_terminal:  # logs and pipes: do not squeeze the table into 80 columns
        console = Console(width=160)
    out_dir = Path("demo-output")
    out_dir.mkdir(exist_ok=True)
    db = out_dir / "spacebot.db"
    with Farm() as farm:
        console.print(
            f"[bold]演示平台已启动[/]：{len(farm.spaces)} 个教师空间，分布在 "
            f"{len({fs.family for fs in farm.spaces})} 个模拟平台上（天喻框架 UTF-8 与 GBK、SPA、拖拽式模块空间）。"
        )
        table = Table(title="spacebot check：演示平台上每个空间的检查结果")
        for column in (
            "空间",
            "教师",
            "抓取状态",
            "可见性",
            "模块/自定义",
            "资源",
            "文章",
            "照片",
            "视频",
            "外链",
            "结论",
            "退出码",
            "用时",
        ):
            table.add_column(column)
        for fs in farm.spaces:
            started = time.monotonic()
            proc = subprocess.run(
                [sys.executable, "-m", "spacebot", "check", "--json", "--allow-private", "--db", str(db), fs.url],
                capture_output=True,
                text=True,
                timeout=120,
            )
            elapsed = time.monotonic() - started
            if not proc.stdout.strip():
                table.add_row(
                    fs.key,
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    proc.stderr.strip()[:40],
                    str(proc.returncode),
                    f"{elapsed:.1f}s",
                )
                continue
            doc = json.loads(proc.stdout)
            c = doc["counts"]
            table.add_row(
                fs.key,
                doc["profile"]["name"] or "-",
                STATUS_TEXT[doc["crawl"]["status"]],
                VISIBILITY_TEXT[doc["visibility"]["value"]],
                f"{c['modules']}/{c['custom_modules']}",
                str(c["resources"]),
                str(c["articles"]),
                str(c["photos"]),
                str(c["videos"]),
                str(c["outbound_links"]),
                VERDICT_TEXT[doc["verdict"]],
                str(proc.returncode),
                f"{elapsed:.1f}s",
            )
        console.print(table)
        complete = farm.space("tianyu:10001")
        console.print(f"\n[bold]完整示例[/]：spacebot check --allow-private {complete.url}\n")
        subprocess.run([sys.executable, "-m", "spacebot", "check", "--allow-private", "--db", str(db), complete.url])
    console.print(f"\n快照已保存在 {db}（SQLite，可用 Datasette 或 sqlite3 浏览）。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
