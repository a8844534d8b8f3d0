"""Shared fixtures: an isolated PUHUI_HOME, a CLI runner, free ports.

Also deselects the tests marked ``shared_data`` when ../shared/data is absent (a fresh clone).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from realdata import SHARED_DATA

_DESELECTED = pytest.StashKey[int]()

#: The environment variables that only the tests, benchmarks and scripts read, never Puhui
#: (whose own are declared in puhui.config.SETTINGS). tests/test_config_declared.py fails on a
#: PUHUI_ name in tests/, bench/ or scripts/ that is in neither place.
TEST_VARIABLES: dict[str, str] = {
    "PUHUI_TEST_POSTGRES_URL": "PostgreSQL for the hub tests; set by scripts/with-postgres "
    "(`make test`); unset, the tests marked postgres skip saying why",
    "PUHUI_SCREENSHOTS": "folder for the hub browser tests' screenshots (default: a temporary one)",
    "PUHUI_TEST_KEY": "an API key a model-server test registers as an endpoint's api_key_env",
    "PUHUI_TEST_UNSET_KEY": "an api_key_env a registry test leaves unset on purpose",
    "PUHUI_BENCH_PG_URL": "PostgreSQL of bench/hub_load.py --db postgres",
    "PUHUI_SHARED_DATA": "the team's full data sets for bench/refusal_eval.py "
    "(default ../shared/data beside the repository)",
}


def pytest_report_header(config: pytest.Config) -> str:
    if SHARED_DATA.is_dir():
        return f"shared data: {SHARED_DATA}"
    return f"shared data: {SHARED_DATA} absent; tests marked shared_data are deselected"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (never skip) the tests that need all of ../shared/data when it is absent.

    Everything else runs on the subsets shipped in tests/data; README.md ("Tests") lists the
    deselected tests and why they need the full data.
    """
    if SHARED_DATA.is_dir():
        return
    need = [item for item in items if item.get_closest_marker("shared_data")]
    if need:
        config.hook.pytest_deselected(items=need)
        items[:] = [item for item in items if not item.get_closest_marker("shared_data")]
    config.stash[_DESELECTED] = len(need)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    n = config.stash.get(_DESELECTED, 0)
    if n:
        terminalreporter.write_line(
            f"{n} deselected: marked shared_data, they need the full data sets in {SHARED_DATA}"
            " (absent); see README.md, Tests"
        )


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
