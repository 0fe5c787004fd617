"""``make demo``: start the demo platform farm and check every space with the real CLI.

Each space is checked by ``spacebot check --json`` in its own process, exactly as a user
would run it; the table sums up the results, then one complete space is shown in full.

``python -m tests.farm.demo --serve [--port 8000]`` (``make serve-demo``) starts the farm
and the self-check page (``spacebot serve``) on it, until Ctrl+C.
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
    console.print(
        "\n[bold]教师自查页面[/]：运行 [bold]make serve-demo[/]，在浏览器打开 http://127.0.0.1:8000/ 检查演示平台上的空间。"
    )
    return 0


def serve(port: int) -> int:
    """The farm and ``spacebot serve`` on it (the farm is on loopback: --allow-private)."""
    console = Console()
    out_dir = Path("demo-output")
    out_dir.mkdir(exist_ok=True)
    with Farm() as farm:
        console.print("[bold]演示平台已启动[/]。把下面任一空间网址粘贴到自查页面：")
        for fs in farm.spaces:
            console.print(f"  {fs.url}", highlight=False, soft_wrap=True)
        command = [sys.executable, "-m", "spacebot", "serve", "--allow-private", "--port", str(port)]
        try:
            return subprocess.run([*command, "--db", str(out_dir / "spacebot.db")]).returncode
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    if "--serve" in sys.argv:
        port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 8000
        sys.exit(serve(port))
    sys.exit(main())
