"""Turns between chromium and the probes that read title cards (pure logic)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from crawler import TURN_BROWSER, TURN_PROBES, Turns, turn_from_thread


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_a_waiting_side_gets_the_next_turn_and_the_side_in_turn_takes_no_new_holder() -> None:
    async def run() -> list[str]:
        turns = Turns()
        log: list[str] = []
        await turns.acquire(TURN_PROBES)
        await turns.acquire(TURN_PROBES)  # probes run side by side

        async def browser() -> None:
            await turns.acquire(TURN_BROWSER)
            log.append("browser in")
            await _settle()  # a probe let in now would log in between
            log.append("browser out")
            await turns.release(TURN_BROWSER)

        async def late_probe() -> None:
            await turns.acquire(TURN_PROBES)
            log.append("late probe")
            await turns.release(TURN_PROBES)

        waiting_browser = asyncio.ensure_future(browser())
        await _settle()
        late = asyncio.ensure_future(late_probe())  # the browser waits: this probe does not start
        await _settle()
        log.append("first probe done")
        await turns.release(TURN_PROBES)
        await _settle()
        log.append("second probe done")
        await turns.release(TURN_PROBES)
        await asyncio.gather(waiting_browser, late)
        assert turns.side is None and turns.changes == 2
        return log

    assert asyncio.run(run()) == [
        "first probe done",
        "second probe done",
        "browser in",
        "browser out",
        "late probe",
    ]


def test_a_waiter_that_gives_up_does_not_hold_the_side_in_turn_back() -> None:
    async def run() -> None:
        turns = Turns()
        await turns.acquire(TURN_BROWSER)
        waiting = asyncio.ensure_future(turns.acquire(TURN_PROBES))
        await _settle()
        assert turns.wanted_by(TURN_PROBES)
        waiting.cancel()
        await _settle()
        assert not turns.wanted_by(TURN_PROBES)
        await asyncio.wait_for(turns.acquire(TURN_BROWSER), 1)  # a second chromium may start

    asyncio.run(run())


def test_releasing_a_turn_not_held_is_an_error() -> None:
    async def run() -> None:
        turns = Turns()
        await turns.acquire(TURN_BROWSER)
        await turns.release(TURN_PROBES)

    with pytest.raises(RuntimeError):
        asyncio.run(run())


def test_a_probe_thread_waits_for_its_turn_and_gives_it_back() -> None:
    async def run() -> list[str]:
        turns = Turns()
        loop = asyncio.get_running_loop()
        log: list[str] = []
        await turns.acquire(TURN_BROWSER)

        def probe() -> None:
            with turn_from_thread(turns, TURN_PROBES, loop):
                log.append(f"probe in {turns.side}")

        thread = asyncio.ensure_future(asyncio.to_thread(probe))
        await asyncio.sleep(0.2)
        log.append("chromium closed")
        await turns.release(TURN_BROWSER)
        await thread
        await asyncio.wait_for(turns.acquire(TURN_BROWSER), 2)  # given back
        return log

    assert asyncio.run(run()) == ["chromium closed", "probe in probes"]


def test_a_probe_thread_waiting_for_a_turn_gives_up_when_the_loop_stops() -> None:
    """A sweep ended (Ctrl+C) while a probe waited: the thread must not keep the process alive."""
    loop = asyncio.new_event_loop()
    turns = Turns()
    runner = threading.Thread(target=loop.run_forever)
    runner.start()
    asyncio.run_coroutine_threadsafe(turns.acquire(TURN_BROWSER), loop).result(2)
    outcome: list[str] = []

    def probe() -> None:
        try:
            with turn_from_thread(turns, TURN_PROBES, loop):
                outcome.append("ran")
        except RuntimeError:
            outcome.append("gave up")

    waiting = threading.Thread(target=probe)
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive()  # still waiting while chromium holds the turn
    loop.call_soon_threadsafe(loop.stop)
    runner.join(2)
    waiting.join(5)
    loop.close()
    assert not waiting.is_alive() and outcome == ["gave up"]
