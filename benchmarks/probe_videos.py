"""Benchmark: probing farm videos without downloading them.

For each video on the farm's media host it prints the file size, the bytes the probe
read, their ratio, and the seconds per probe; the baseline is a plain full download of
the same file with httpx, run in the same process. Run from the repository root:

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
    console = Console(width=140)
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


if __name__ == "__main__":
    main()
