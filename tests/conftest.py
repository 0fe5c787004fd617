"""Shared fixtures: the platform farm (real HTTP servers on 127.0.0.1) and a CLI runner
that starts ``python -m spacebot`` in its own process, as a user would."""

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

from crawler import AddressPolicy, chromium_path
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
