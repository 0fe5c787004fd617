"""Benchmark: a report of N spaces, written and opened in chromium from file://.

Builds N synthetic snapshots (copies of a real farm space's check-1 document under N
URLs, with varied counts) in a fresh database, writes the report, and prints the time
to write it, to load the dashboard until the load event, and to sort the cohort table.

    .venv/bin/python -m benchmarks.report_render [--spaces 500]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import tempfile
import time
from pathlib import Path

from crawler import CHROMIUM_ARGS, chromium_path
from reports import write_report
from store import SnapshotStore


def _document(n: int) -> dict:  # type: ignore[type-arg]
    url = f"https://space.example.edu.cn/index.php?r=space/person/index&sid={100000 + n}"
    findings = [
        {
            "rule": "count",
            "rubric": "quanzhou-2022",
            "item": "microcourses",
            "severity": "fail" if n % 3 else "pass",
            "message": "原创精品微课：只有 3 节，要求 ≥ 5 节。",
            "required": "≥ 5 节",
            "measured": "3 节",
            "evidence": [url],
        }
    ]
    return {
        "schema": "spacebot/check-1",
        "rubric": "quanzhou-2022",
        "target": {
            "url": url,
            "teacher": f"教师{n:04d}",
            "school": f"第{n % 40}小学",
            "group": "小学",
            "subject": "数学",
        },
        "crawl": {
            "final_url": url,
            "platform": "tianyu",
            "status": "ok",
            "error": None,
            "pages": 12,
            "via": "http",
            "started_at": "2026-11-22T10:00:00+08:00",
            "finished_at": "2026-11-22T10:00:03+08:00",
        },
        "visibility": {"value": "everyone", "evidence": "可见"},
        "profile": {
            "name": f"教师{n:04d}",
            "avatar": None,
            "school": f"第{n % 40}小学",
            "subject": "数学",
            "classes": [],
            "contact": None,
            "header_image": None,
            "background": None,
        },
        "modules": [],
        "resources": [
            {
                "title": f"课件{i}",
                "url": f"{url}&r={i}",
                "category": "courseware",
                "original": True,
                "published": "2022-03-01",
                "visibility": "everyone",
                "format": "pptx",
                "size_bytes": None,
            }
            for i in range(n % 30)
        ],
        "articles": [],
        "albums": [],
        "videos": [],
        "outbound_links": [],
        "counts": {
            "modules": 0,
            "custom_modules": 0,
            "resources": n % 30,
            "articles": n % 17,
            "albums": 0,
            "photos": 0,
            "videos": 0,
            "outbound_links": 0,
        },
        "findings": copy.deepcopy(findings),
        "verdict": "fail" if n % 3 else "review",
    }


async def _open(index: Path) -> tuple[float, float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = await browser.new_page()
        started = time.perf_counter()
        await page.goto(index.as_uri(), wait_until="load")
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        await page.click("th button[data-key=resources]")
        await page.evaluate("new Promise(r => requestAnimationFrame(() => r()))")
        sorted_s = time.perf_counter() - started
        await browser.close()
    return loaded, sorted_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = SnapshotStore(Path(tmp) / "r.db")
        for n in range(args.spaces):
            store.save_check(_document(n))
        started = time.perf_counter()
        files = write_report(store, Path(tmp) / "out")
        written = time.perf_counter() - started
        loaded, sorted_s = asyncio.run(_open(files.index))
        size = files.index.stat().st_size
    print(
        f"{args.spaces} spaces: report written in {written:.2f} s; dashboard {size / 1024:.0f} KB loaded in "
        f"{loaded:.2f} s; cohort table sorted in {sorted_s:.3f} s"
    )


if __name__ == "__main__":
    main()
