"""Shared fixtures: the platform farm (real HTTP servers on 127.0.0.1), a CLI runner that
starts ``python -m spacebot`` in its own process, as a user would, and pytest-playwright's
browser fixtures on Debian's chromium.

pytest-playwright's ``playwright``, ``browser_type``, ``launch_browser`` and ``browser``
are session-wide; its sync API keeps an event loop marked running on the main thread
while it lives, and every later test that calls ``asyncio.run`` would fail. They are
redefined here per module (a module's tests share one chromium, stopped after them);
``page``, ``context`` and ``new_context`` are the plugin's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler import CHROMIUM_ARGS, AddressPolicy, chromium_path
from tests.farm import Farm

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = AddressPolicy(allow_private=True)  # the farm lives on 127.0.0.1: tests open the guard for it


def pytest_sessionstart(session: pytest.Session) -> None:
    if not os.path.exists(chromium_path()):
        raise pytest.UsageError(f"chromium not found at {chromium_path()}: run `make test` (it installs it)")


@pytest.fixture(scope="session")
def farm() -> Iterator[Farm]:
    with Farm() as running:
        yield running


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str
    seconds: float

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


@pytest.fixture
def run_cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    def run(*args: str, timeout: float = 120) -> CliResult:
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "spacebot", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)

    return run


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's chromium (``playwright install`` cannot download browsers here)."""
    return {"executable_path": chromium_path(), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def browser_context_args() -> dict[str, Any]:
    return {"locale": "zh-CN", "viewport": {"width": 1400, "height": 900}}


@pytest.fixture(scope="module")
def browser_type(playwright: Any) -> Any:
    return playwright.chromium


@pytest.fixture(scope="module")
def launch_browser(browser_type_launch_args: dict[str, Any], browser_type: Any) -> Any:
    return lambda **kwargs: browser_type.launch(**{**browser_type_launch_args, **kwargs})


@pytest.fixture(scope="module")
def browser(launch_browser: Any) -> Iterator[Any]:
    opened = launch_browser()
    yield opened
    opened.close()
