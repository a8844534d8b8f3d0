from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from puhui import __version__
from puhui.cli import app

from conftest import Run


def _paths(cmd: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            paths += _paths(sub, (*prefix, name))
    return paths


COMMANDS = _paths(typer.main.get_command(app))


def test_every_area_has_a_sub_app() -> None:
    tops = {p[0] for p in COMMANDS if p}
    assert {"models", "corpus", "eval", "assess", "keys", "cert", "hub", "inspect"} <= tops
    assert {("models", c) for c in ("list", "serve", "chat", "add", "remove")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "puhui")
def test_help_everywhere(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    # every command explains itself: a help line beyond the usage
    assert len([line for line in result.output.splitlines() if line.strip()]) > 3


def test_version(puhui: Run) -> None:
    proc = puhui("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"puhui {__version__}"


def test_usage_error_is_short(puhui: Run) -> None:
    proc = puhui("models", "serve", "--port", "notaport")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "Invalid value for '--port'" in proc.stderr
