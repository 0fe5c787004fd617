"""Benchmark: probing farm videos without downloading them.

For each video on the farm's media host it prints the file size, the bytes the probe
read, their ratio, and the seconds per probe; the baseline is a plain full download of
the same file with httpx, run in the same process. A second table gives, for each
micro-course lesson (tests/farm/lessons.py, a 1.2 GB one among them), the bytes and
seconds of each part of the probe: opening the container, the title-card scan, the OCR
of the card, the sound and the light. Run from the repository root:

    .venv/bin/python -m benchmarks.probe_videos [--repeat N]
"""

from __future__ import annotations

import argparse
import time

import httpx
from rich.console import Console
from rich.table import Table

from crawler import AddressPolicy
from inspectors import probe_video
from tests.farm import Farm
from tests.farm.videos import BIG_SIZE

LOOPBACK = AddressPolicy(allow_private=True)  # the farm is on 127.0.0.1
VIDEOS = ["compliant.mp4", "late_long.mp4", "card8.mp4", "ratio43.mp4", "fps30.mp4", "big.mp4"]


def _download(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    size = 0
    with httpx.Client(timeout=60) as client, client.stream("GET", url) as response:
        for chunk in response.iter_bytes(1024 * 1024):
            size += len(chunk)
    return size, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="probes per video (the median is shown)")
    parser.add_argument(
        "--mbit", type=float, default=20.0, help="bandwidth for the projected columns (loopback hides transfer time)"
    )
    args = parser.parse_args()
    console = Console(width=170)
    table = Table(title="probe_video: bytes read and time, against downloading the whole file")
    projected = f"at {args.mbit:g} Mbit/s"
    for column in (
        "video",
        "size",
        "probe read",
        "read / size",
        "s / probe",
        "download s",
        "probe / download",
        f"probe s {projected}",
        f"download s {projected}",
    ):
        table.add_column(column, justify="right")
    total_read = total_size = 0
    with Farm() as farm:
        base = farm.servers["media"].base_url
        for name in VIDEOS:
            url = f"{base}/v/{name}"
            runs = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                probe = probe_video(url, policy=LOOPBACK)
                runs.append((time.perf_counter() - started, probe))
            runs.sort(key=lambda run: run[0])
            seconds, probe = runs[len(runs) // 2]
            size = probe.size_bytes or 0
            read = probe.bytes_read or 0
            if name == "big.mp4":  # 1.2 GB of padding: not worth downloading to prove the point
                download = "(skipped)"
                ratio = "-"
            else:
                _, download_s = _download(url)
                download = f"{download_s:.3f}"
                ratio = f"{seconds / download_s:.2f}×"
            total_read += read
            total_size += size if name != "big.mp4" else BIG_SIZE
            rate = args.mbit * 1e6 / 8  # bytes per second
            table.add_row(
                name,
                f"{size / 1024**2:.1f} MB",
                f"{read / 1024**2:.2f} MB",
                f"{read / size:.2%}",
                f"{seconds:.3f}",
                download,
                ratio,
                f"{seconds + read / rate:.2f}",
                f"{size / rate:.1f}",
            )
    console.print(table)
    console.print(
        f"all videos: read {total_read / 1024**2:.1f} MB of {total_size / 1024**2:.1f} MB "
        f"({total_read / total_size:.3%})"
    )
    console.print(
        f"projected columns: measured probe time + bytes read at {args.mbit:g} Mbit/s, against the "
        "whole file at that rate (a model of a school's link, not a measurement)"
    )
    _content_table(console, args.repeat)
    _ocr_memory(console)


_MEMORY_CHILD = """
import json, sys
from pathlib import Path

def status(key):
    lines = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in lines if line.startswith(key))

from crawler import AddressPolicy
from inspectors import probe_video
from inspectors._card import _engine

out = {"imported": status("VmRSS")}
_engine()
out["engine"] = status("VmHWM")
probe = probe_video(sys.argv[1], policy=AddressPolicy(allow_private=True))
out["card"], out["after"], out["read"] = status("VmHWM"), status("VmRSS"), bool(probe.title_card_text)
print(json.dumps(out))
"""


def _ocr_memory(console: Console) -> None:
    """What the OCR costs in memory: a process of its own loads the engine, then probes the
    1080p lesson (its card read by OCR); resident memory (VmRSS, VmHWM) at each step."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.farm.lessons import BIG_LESSON

    root = Path(__file__).resolve().parent.parent
    with Farm() as farm:
        url = farm.lesson_url(BIG_LESSON)
        child = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD, url],
            capture_output=True,
            text=True,
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            check=True,
        )
    kb = json.loads(child.stdout.strip().splitlines()[-1])
    assert kb["read"], "the 1080p lesson's card was not read"
    console.print(
        f"OCR memory (a process of its own, {BIG_LESSON}, 1920×1080): loading the engine "
        f"+{(kb['engine'] - kb['imported']) / 1024:.0f} MB; probing the lesson, its card read by OCR, "
        f"peak +{(kb['card'] - kb['engine']) / 1024:.0f} MB over that, "
        f"+{(kb['after'] - kb['engine']) / 1024:.0f} MB still held after it"
    )


_PARTS = ("opening", "title_card", "ocr", "sound", "light")


def _content_table(console: Console, repeat: int) -> None:
    """Bytes and seconds of each part of the probe, per lesson (median run by total time)."""
    from tests.farm.lessons import LESSON_FACTS

    table = Table(title="micro-course content checks: MB read / seconds, per part of the probe")
    for column in ("lesson", "size", *_PARTS, "card+sound+light MB", "total s", "read / size"):
        table.add_column(column, justify="right")
    worst_bytes = worst_seconds = 0.0
    with Farm() as farm:
        for name in LESSON_FACTS:
            url = farm.lesson_url(name)
            probe_video(url, policy=LOOPBACK)  # the OCR models and SciPy load once, outside the runs
            runs = []
            for _ in range(repeat):
                costs: dict[str, tuple[int, float]] = {}
                started = time.perf_counter()
                probe = probe_video(url, policy=LOOPBACK, costs=costs)
                runs.append((time.perf_counter() - started, costs, probe))
            runs.sort(key=lambda run: run[0])
            seconds, costs, probe = runs[len(runs) // 2]
            content = sum(costs[part][0] for part in ("ocr", "sound", "light"))
            worst_bytes, worst_seconds = max(worst_bytes, content), max(worst_seconds, seconds)
            table.add_row(
                name,
                f"{(probe.size_bytes or 0) / 1024**2:.1f} MB",
                *(f"{costs[p][0] / 1024**2:.2f} / {costs[p][1]:.2f}" for p in _PARTS),
                f"{content / 1024**2:.2f}",
                f"{seconds:.2f}",
                f"{(probe.bytes_read or 0) / (probe.size_bytes or 1):.3%}",
            )
    console.print(table)
    console.print(
        f"card text, sound and light: at most {worst_bytes / 1024**2:.1f} MB read per lesson (budget 16 MB); "
        f"whole probe at most {worst_seconds:.2f} s per lesson (budget 5 s; loopback, so transfer time is not in it)"
    )


if __name__ == "__main__":
    main()
