"""Benchmark: sweeping N generated spaces on loopback, against a naive baseline and a floor.

Everything runs in one invocation, each part in its own process where it matters:
- the farm: N server-rendered 天喻-style spaces in a separate process, with a small
  per-request latency standing in for the network. The default ``campaign`` shape is a
  space the size the campaign rubrics ask for (20–60 resources with 5–8 micro-course
  videos, 12–40 articles, 3–5 albums, 2–4 custom modules; listings of 2–6 pages); the
  ``small`` shape (the tests' spaces: a few items, one page per listing, no video) has
  nothing a re-sweep could skip, so there it costs as much as the first sweep;
- spacebot: ``spacebot sweep`` as a user runs it, its peak memory sampled as PSS summed
  over its whole process tree (RSS double-counts chromium's shared pages);
- the floor: every request that sweep made (video Range requests with their Range),
  made again with httpx at the same per-host concurrency and nothing else done;
- the content floor (generated farms): the OCR of every title card the sweep read, one
  card after another as its one OCR engine reads them, timed on a sample of cards read
  alone in this process; a rubric that judges the lessons' content makes a sweep of many
  micro-courses bound by it, not by its requests;
- the naive baseline: one chromium page at a time, every page of a sample of spaces
  rendered and waited for until the network is idle;
- the unchanged re-sweep: the same command again, time and requests as a fraction.

``--farm layout_api`` or ``--farm spa`` sweeps instead N spaces of one platform drawn by
the randomized generator (``benchmarks/generated_farm.py``), a layout the crawler was not
written against: ``layout_api`` mixes, on one host, pages read over HTTP, pages that need
the browser (lists grown from a JSON API) and micro-course videos; ``spa`` is a
single-page app. There the table shows what the learned platform recipe does: browser
renders per space in the first sweep (learning and verifying) and in the re-sweep (the
recipe trusted) against a re-sweep with ``--no-recipes``, whether both re-sweeps stored
the same snapshots, and the most requests the host saw in flight at once.
``--declared-counts`` draws instead the first such platform whose module boxes declare
their collections' counts, where an unchanged re-sweep need not open the listings.
``--lessons K`` keeps at most K micro-course videos per generated space (the other video
resources left out): the OCR rubric's sweep at N = 2000 with fewer title cards to read.

    .venv/bin/python -m benchmarks.sweep [--sizes 200,2000] [--shape campaign|small] [--naive-sample 20]
    .venv/bin/python -m benchmarks.sweep --farm layout_api --sizes 200 [--rubric wuhan-2022] [--declared-counts]
        [--lessons K]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from benchmarks.proctree import descendants

ROOT = Path(__file__).resolve().parent.parent


def _pss_tree(pid: int) -> tuple[int, int]:
    """PSS in bytes of a process and all its descendants (Linux /proc), and the part of it
    that is the browser's: chromium's processes and Playwright's driver."""
    total = browser = 0
    for current in [pid, *descendants(pid)]:
        try:
            command = Path(f"/proc/{current}/cmdline").read_bytes()
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                    total += pss
                    if b"chrom" in command or b"playwright" in command:
                        browser += pss
                    break
        except OSError:
            continue
    return total, browser


def _stats(base: str, paths: bool = False) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(f"{base}/__stats{'?paths=1' if paths else ''}") as response:
        return json.loads(response.read())


def _run_sweep(
    targets: Path, db: Path, concurrency: int, per_host: int, *extra: str
) -> tuple[float, tuple[int, int], dict[str, float]]:
    """Seconds, peak PSS (with the browser's part of it at that moment) and the summary's
    means per space of one ``spacebot sweep`` run."""
    command = [
        sys.executable,
        "-m",
        "spacebot",
        "sweep",
        str(targets),
        "--db",
        str(db),
        "--allow-private",
        "--concurrency",
        str(concurrency),
        "--per-host",
        str(per_host),
        *extra,
    ]
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
        )
        peak = (0, 0)
        while process.poll() is None:
            peak = max(peak, _pss_tree(process.pid))
            # Reading smaps_rollup of chromium's processes costs the kernel a page-table
            # walk each: sampled every 0.1 s it took 60 % of a core from the sweep measured.
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        output.seek(0)
        summary = output.read()
    means = {}
    for key, pattern in (("requests", r"请求 ([\d.]+) 次"), ("renders", r"浏览器渲染 ([\d.]+) 次")):
        match = re.search(pattern, summary)
        if match:
            means[key] = float(match.group(1))
    return seconds, peak, means


async def _floor(base: str, log: list[list[str]], per_host: int) -> float:
    """The same requests (method, path, Range) again, with nothing done with the answers."""
    limit = asyncio.Semaphore(per_host)
    async with httpx.AsyncClient(timeout=30) as client:

        async def get(method: str, path: str, byte_range: str) -> None:
            async with limit:
                await client.request(method, base + path, headers={"Range": byte_range} if byte_range else None)

        started = time.perf_counter()
        await asyncio.gather(*(get(*entry) for entry in log))
        return time.perf_counter() - started


async def _naive(base: str, paths_by_space: dict[str, list[str]]) -> float:
    """One chromium page at a time, every page of each space rendered until network-idle."""
    from playwright.async_api import async_playwright

    from crawler import CHROMIUM_ARGS, chromium_path

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = await browser.new_page()
        started = time.perf_counter()
        for paths in paths_by_space.values():
            for path in paths:
                await page.goto(base + path, wait_until="networkidle")
        seconds = time.perf_counter() - started
        await browser.close()
    return seconds


def _serve(n: int, latency: float, shape: str) -> tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.farm.bulk", str(n), str(latency), shape],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def _space_pages(log: list[list[str]]) -> dict[str, list[str]]:
    """The HTML pages each space needed (home, listings, detail pages), grouped by sid, in request order."""
    out: dict[str, list[str]] = {}
    for _, path, _ in log:
        if "sid=" in path and "GetModuleHtml" not in path and "r=widget" not in path:
            sid = path.split("sid=", 1)[1].split("&", 1)[0]
            out.setdefault(sid, []).append(path)
    return out


def _serve_generated(
    kind: str, n: int, latency: float, counts: bool, lessons: int | None
) -> tuple[subprocess.Popen, dict]:  # type: ignore[type-arg]
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.generated_farm", "--kind", kind, "--spaces", str(n)]
        + ["--latency", str(latency)]
        + (["--declared-counts"] if counts else [])
        + (["--lessons", str(lessons)] if lessons is not None else []),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def _identical(db: Path, urls: list[str]) -> int:
    """Spaces whose latest snapshot is stored as unchanged since the one before (the same
    content, read another way)."""
    with sqlite3.connect(db) as conn:
        same = 0
        for url in urls:
            rows = conn.execute("select unchanged_from from snapshots where url = ? order by id desc limit 1", [url])
            row = rows.fetchone()
            same += bool(row and row[0])
        return same


def _peak_ratio(console: Console, peaks: list[tuple[int, int]]) -> None:
    if len(peaks) > 1 and min(peaks)[1] > 0:
        console.print(f"peak PSS, largest N against smallest: {max(peaks)[1] / min(peaks)[1]:.2f}×")


def _rendered(db: Path) -> tuple[int, int]:
    """Spaces whose first snapshot needed the browser, and where the last of them came in
    the order the spaces were stored (1-based; 0 when none did)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select url, json_extract(document, '$.crawl.renders') from snapshots order by id")
        first: dict[str, int] = {}
        for url, renders in rows:
            first.setdefault(url, renders or 0)
    positions = [i for i, renders in enumerate(first.values(), 1) if renders]
    return len(positions), (positions[-1] if positions else 0)


def _trusted(db: Path) -> tuple[int, int]:
    """Spaces visited by a trusted recipe, and how many of them still needed the browser."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select data from platform_recipes").fetchall()
    recipes = [json.loads(document) for (document,) in rows]
    return sum(r.get("trusted_rendered", 0) for r in recipes), sum(r.get("trusted_spaces", 0) for r in recipes)


def _cards(db: Path) -> list[str]:
    """The videos whose title card the first sweep read by OCR (one per URL)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "select distinct json_extract(v.value, '$.url') from snapshots, json_each(document, '$.videos') v"
            " where json_extract(v.value, '$.probe.title_card_text') is not null"
        )
        return [url for (url,) in rows]


def _content_floor(cards: list[str], sample: int) -> tuple[float, float]:
    """(seconds, seconds per card): the OCR of every card the sweep read, one card after
    another as the engine reads them (one engine, one at a time), at the OCR seconds of a
    card measured on a sample probed alone here, with nothing else running."""
    from crawler import AddressPolicy
    from inspectors import probe_video

    if not cards:
        return 0.0, 0.0
    policy = AddressPolicy(allow_private=True)
    probe_video(cards[0], 60, policy=policy)  # loads the OCR engine, not counted
    step = max(1, len(cards) // sample)
    seconds = []
    for url in cards[::step][:sample]:
        costs: dict[str, tuple[int, float]] = {}
        probe_video(url, 60, policy=policy, costs=costs)
        if "ocr" in costs:
            seconds.append(costs["ocr"][1])
    per_card = sorted(seconds)[len(seconds) // 2] if seconds else 0.0
    return per_card * len(cards), per_card


def generated(args: argparse.Namespace, console: Console) -> None:
    """The sweep on one generated platform: what the learned recipe saves, measured."""
    table = Table(
        title=f"spacebot sweep on a generated {args.farm} platform"
        + (" whose boxes declare their counts" if args.declared_counts else "")
        + (f", at most {args.lessons} micro-course(s) a space" if args.lessons is not None else "")
        + f", one host, rubric {args.rubric} (loopback, one run)"
    )
    for column in (
        "N",
        "first s",
        "floor s",
        "first / floor",
        "content floor s (cards × s)",
        "first / larger floor",
        "req/space",
        "renders/space first",
        "spaces rendered first (last #)",
        "… once trusted",
        "renders/space re-sweep",
        "… --no-recipes",
        "same snapshots",
        "re-sweep time",
        "re-sweep req/space",
        "peak in flight",
        "peak PSS",
    ):
        table.add_column(column, justify="right")
    peaks = []
    for n in (int(x) for x in args.sizes.split(",")):
        farm, served = _serve_generated(args.farm, n, args.latency, args.declared_counts, args.lessons)
        base, urls = served["base"], served["urls"]
        try:
            with tempfile.TemporaryDirectory() as tmp:
                targets = Path(tmp) / "targets.txt"
                targets.write_text("".join(u + "\n" for u in urls))
                db = Path(tmp) / "bench.db"
                rubric = ("--rubric", args.rubric)
                seconds, peak, first = _run_sweep(targets, db, args.concurrency, args.per_host, *rubric)
                stats = _stats(base, paths=True)
                rendered, last_rendered = _rendered(db)
                trusted_rendered, trusted = _trusted(db)
                again_seconds, _, again = _run_sweep(targets, db, args.concurrency, args.per_host, *rubric)
                again_requests = _stats(base)["requests"] - stats["requests"]
                same_with = _identical(db, urls)
                _, _, usual = _run_sweep(targets, db, args.concurrency, args.per_host, *rubric, "--no-recipes")
                same_without = _identical(db, urls)
                peak_inflight = _stats(base)["max_inflight"]
                floor = asyncio.run(_floor(base, stats["log"], args.per_host))
                cards = _cards(db)
                content_floor, per_card = _content_floor(cards, args.card_sample)
                peaks.append((n, peak[0]))
                table.add_row(
                    str(n),
                    f"{seconds:.1f}",
                    f"{floor:.1f}",
                    f"{seconds / floor:.2f}×",
                    f"{content_floor:.1f} ({len(cards)} × {per_card:.2f})",
                    f"{seconds / max(floor, content_floor):.2f}×",
                    f"{first.get('requests', float('nan')):.1f}",
                    f"{first.get('renders', float('nan')):.2f}",
                    f"{rendered} (#{last_rendered})",
                    f"{trusted_rendered}/{trusted} ({trusted_rendered / max(trusted, 1):.1%})",
                    f"{again.get('renders', float('nan')):.2f}",
                    f"{usual.get('renders', float('nan')):.2f}",
                    f"{same_with}/{n}, {same_without}/{n}",
                    f"{again_seconds / seconds:.1%}",
                    f"{again_requests / n:.1f}",
                    f"{peak_inflight} (cap {args.per_host})",
                    f"{peak[0] / 1024**2:.0f} MB (browser {peak[1] / 1024**2:.0f})",
                )
        finally:
            farm.kill()
    console.print(table)
    _peak_ratio(console, peaks)
    console.print(
        "first s: the first sweep, learning the host's recipe and verifying it side by side on its first "
        "spaces; the floor makes the same requests with httpx and nothing else. content floor: the OCR of the "
        "title cards the first sweep read (a rubric that judges the lessons' content reads every card), one "
        "after another as the one OCR engine reads them, at the median seconds of a card read alone here "
        "(--card-sample cards); first / larger floor: the first sweep against the larger of the two floors, "
        "what a sweep that reads the cards with one OCR engine cannot beat. spaces rendered first: spaces "
        "of the first sweep that needed the browser, and where the last of them was in the order the spaces "
        "were stored; … once trusted: of the spaces the first sweep visited by the trusted recipe, those "
        "where some page still needed the browser. same snapshots: spaces whose "
        "snapshot of the re-sweep with the recipe, then of the re-sweep with --no-recipes, was stored as "
        "unchanged (identical content). peak in flight: the most requests the platform host had at once. "
        "peak PSS: the sweep's whole process tree at its largest, and chromium's and Playwright's driver's "
        "part of it at that moment."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--farm", choices=("bulk", "layout_api", "spa"), default="bulk", help="the farm swept")
    parser.add_argument("--sizes", default="200,2000", help="numbers of spaces, comma-separated")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.005, help="seconds the farm adds to every answer")
    parser.add_argument("--naive-sample", type=int, default=20, help="spaces the naive baseline renders")
    parser.add_argument("--shape", choices=("campaign", "small"), default="campaign", help="the generated spaces")
    parser.add_argument(
        "--rubric",
        default="quanzhou-2022",
        help="the rubric of the generated platform's sweeps (wuhan-2022: no OCR, sound or light)",
    )
    parser.add_argument(
        "--card-sample", type=int, default=20, help="title cards read alone to time one card's OCR (content floor)"
    )
    parser.add_argument(
        "--declared-counts",
        action="store_true",
        help="a generated platform whose module boxes declare their collections' counts (what a re-sweep can skip)",
    )
    parser.add_argument(
        "--lessons",
        type=int,
        help="generated farms: at most this many micro-course videos per space, the other video resources "
        "left out (fewer title cards to read: the OCR rubric at N = 2000 within an hour)",
    )
    args = parser.parse_args()
    if args.lessons is not None and args.lessons < 1:
        parser.error("--lessons must be at least 1")
    console = Console(width=200)
    if args.farm != "bulk":
        generated(args, console)
        return
    table = Table(title=f"spacebot sweep on server-rendered spaces, {args.shape} shape (loopback, one run)")
    for column in (
        "N",
        "spacebot spaces/s",
        "requests/space",
        "naive spaces/s",
        "× naive",
        "floor s",
        "sweep s",
        "sweep / floor",
        "peak PSS",
        "re-sweep time",
        "re-sweep requests",
    ):
        table.add_column(column, justify="right")
    peaks = []
    for n in (int(x) for x in args.sizes.split(",")):
        farm, base = _serve(n, args.latency, args.shape)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                targets = Path(tmp) / "targets.txt"
                sids = [str(700000 + i) for i in range(n)]
                targets.write_text("".join(f"{base}/index.php?r=space/person/index&sid={s}\n" for s in sids))
                db = Path(tmp) / "bench.db"
                seconds, peak, _ = _run_sweep(targets, db, args.concurrency, args.per_host)
                first = _stats(base, paths=True)
                requests = first["requests"]
                again_seconds, _, _ = _run_sweep(targets, db, args.concurrency, args.per_host)
                again_requests = _stats(base)["requests"] - requests
                floor = asyncio.run(_floor(base, first["log"], args.per_host))
                pages = _space_pages(first["log"])
                sample = dict(list(pages.items())[: args.naive_sample])
                naive_seconds = asyncio.run(_naive(base, sample))
                naive_rate = len(sample) / naive_seconds
                rate = n / seconds
                peaks.append((n, peak[0]))
                table.add_row(
                    str(n),
                    f"{rate:.1f}",
                    f"{requests / n:.1f}",
                    f"{naive_rate:.2f}",
                    f"{rate / naive_rate:.1f}×",
                    f"{floor:.1f}",
                    f"{seconds:.1f}",
                    f"{seconds / floor:.2f}×",
                    f"{peak[0] / 1024**2:.0f} MB (browser {peak[1] / 1024**2:.0f})",
                    f"{again_seconds / seconds:.1%}",
                    f"{again_requests / requests:.1%}",
                )
        finally:
            farm.kill()
    console.print(table)
    _peak_ratio(console, peaks)
    console.print(
        "sweep s includes starting Python and the database; the floor only makes the same requests "
        "(video Range requests included). "
        "The naive baseline renders the same pages of a sample of spaces, one at a time."
    )


if __name__ == "__main__":
    threading.excepthook = lambda _args: None
    main()
