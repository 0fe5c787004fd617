"""The process tree below a PID, from Linux /proc (benchmarks and crash tests)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["descendants"]


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, grandchildren, …)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            out.append(child)
            stack.append(child)
    return out
