"""Turns between the two kinds of work that each take hundreds of megabytes: chromium while
it is up (with Playwright's driver, 450–750 MB) and the video probes that decode a lesson
and read its title card by OCR (the OCR engine, its detector's working memory of some
165 MB for a card, the decoded frames). A sweep whose rubric reads the cards runs them in
turns, so its peak memory is the larger of the two, not their sum.

Either side may have any number of holders at once. A side that waits gets the next turn:
no new holder of the side in turn starts, and the turn changes once its holders are done.
Chromium holds the browser's turn from its start until it is closed; it is closed soon
after its last page when the probes wait for their turn (see ``BrowserSession``). Neither
side waits on the other while it holds its turn, so the turns cannot lock each other out.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["BROWSER", "PROBES", "Turns", "turn_from_thread"]

BROWSER = "browser"
PROBES = "probes"


class Turns:
    """Two sides, ``BROWSER`` and ``PROBES``, never holding a turn at the same time."""

    def __init__(self) -> None:
        self._side: str | None = None  # the side in turn, None when nobody holds one
        self._holders = 0
        self._waiting: Counter[str] = Counter()
        self._last: str | None = None  # the side that held the last turn
        self._changed: asyncio.Condition | None = None  # made in the running loop
        self.changes = 0  # times the turn passed from one side to the other

    def wanted_by(self, side: str) -> bool:
        """Whether ``side`` waits for its turn."""
        return self._waiting[side] > 0

    @property
    def side(self) -> str | None:
        return self._side

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    def _may_start(self, side: str) -> bool:
        if self._side is None:
            return True
        other = PROBES if side == BROWSER else BROWSER
        return self._side == side and not self._waiting[other]

    async def acquire(self, side: str) -> None:
        changed = self._condition()
        async with changed:
            self._waiting[side] += 1
            try:
                await changed.wait_for(lambda: self._may_start(side))
            finally:
                self._waiting[side] -= 1
                changed.notify_all()  # one waiter fewer: the side in turn may take new holders again
            if self._last is not None and self._last != side:
                self.changes += 1
            self._side = self._last = side
            self._holders += 1

    async def release(self, side: str) -> None:
        changed = self._condition()
        async with changed:
            if self._side != side or self._holders <= 0:
                raise RuntimeError(f"{side} released a turn it does not hold")
            self._holders -= 1
            if self._holders == 0:
                self._side = None
            changed.notify_all()


@contextmanager
def turn_from_thread(turns: Turns, side: str, loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """``side``'s turn held by a worker thread (a video probe), taken and given back on the
    event loop that owns ``turns``. Raises ``RuntimeError`` if that loop stops meanwhile:
    nothing would hand the turn over, and the thread must not keep the process alive."""
    waiting = asyncio.run_coroutine_threadsafe(turns.acquire(side), loop)
    while True:
        try:
            waiting.result(timeout=1.0)
            break
        except concurrent.futures.TimeoutError:
            if loop.is_closed() or not loop.is_running():
                waiting.cancel()
                raise RuntimeError("the event loop has stopped") from None
    try:
        yield
    finally:
        if not loop.is_closed():
            asyncio.run_coroutine_threadsafe(turns.release(side), loop)
