"""Shared fixtures: an isolated PUHUI_HOME, a CLI runner, free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh PUHUI_HOME for every test (never the user's ~/.puhui); other PUHUI_* cleared."""
    for key in list(os.environ):
        if key.startswith("PUHUI_"):
            monkeypatch.delenv(key)
    h = tmp_path / "home"
    monkeypatch.setenv("PUHUI_HOME", str(h))
    return h


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def puhui(home: Path) -> Run:
    """Run the real ``puhui`` command in a subprocess with the isolated home."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 180):
        full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "puhui", *args],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The command failed with exactly one line on stderr, starting 'error:', with no traceback."""
    assert proc.returncode != 0, proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("error: "), line
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in line, line
    return line
