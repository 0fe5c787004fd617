"""Every CLI command has help text and is documented in the README."""

from __future__ import annotations

from pathlib import Path

import typer.main

from spacebot.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix: str = "spacebot"):  # type: ignore[no-untyped-def]
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if hasattr(command, "commands"):
            yield from _commands(command, f"{prefix} {name}")


def test_every_command_has_help_and_is_in_the_readme() -> None:
    commands = list(_commands(typer.main.get_command(app)))
    assert {name for name, _ in commands} >= {"spacebot check", "spacebot rubrics", "spacebot rubrics show"}
    for name, command in commands:
        assert (command.help or "").strip(), f"{name} has no help text"
        assert name in README, f"{name} is not documented in README.md"
