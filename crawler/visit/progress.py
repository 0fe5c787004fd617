"""Where a visit is, for whoever watches it (the self-check page's progress list).

A caller sets ``STAGE`` to a callback for the duration of one check; the visit and the
pipeline call :func:`stage` as they move on. Without a watcher nothing happens.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

__all__ = ["STAGE", "STAGES", "stage"]

# The stages of one check, in order (key → what a teacher reads).
STAGES = {
    "open": "打开空间",
    "listings": "读取资源、文章和相册列表",
    "details": "读取资源和文章页面",
    "videos": "检测视频",
    "inspect": "按评价标准判定",
}

STAGE: ContextVar[Callable[[str], None] | None] = ContextVar("spacebot_stage", default=None)


def stage(key: str) -> None:
    """Tell the watcher (if any) that the check has reached ``key`` (one of ``STAGES``)."""
    watcher = STAGE.get()
    if watcher is not None:
        watcher(key)
