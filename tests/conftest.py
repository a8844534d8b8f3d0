"""Shared fixtures: an isolated PUHUI_HOME, a CLI runner (in process; a process of its own where
a command needs one), free ports.

Also deselects the tests marked ``shared_data`` when ../shared/data is absent (a fresh clone).
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
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

# Rich sizes its consoles when puhui.cli is first imported: as wide as in a `puhui` process below.
os.environ["COLUMNS"] = "200"

#: Commands that need a process of their own: the hub sets Django up once per process (for one
#: PUHUI_HOME), `models serve` and the demo run servers until they are stopped. So does a call
#: whose ``env`` sets anything but PUHUI_* settings (see ``puhui``).
OWN_PROCESS = (("hub",), ("models", "serve"), ("demo",))


def run_process(*args: str, env: dict[str, str] | None = None, timeout: float = 180):
    """``python -m puhui ARGS`` in a subprocess (stdin empty, 200 columns)."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "puhui", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def run_in_process(*args: str, env: dict[str, str] | None = None, timeout: float = 180):
    """What :func:`run_process` returns, without starting Python: ``puhui.cli.main`` runs here
    with ``sys.argv``, the environment, stdin (empty), stdout and stderr swapped for the call.
    Its exit status and its one-line errors are the console script's own; an uncaught exception
    becomes a traceback on stderr and status 1, as in a process. ``timeout`` is not enforced."""
    from puhui.cli import main

    saved_env, saved_argv, saved_stdin = dict(os.environ), sys.argv, sys.stdin
    out, err = io.StringIO(), io.StringIO()
    os.environ.update({"COLUMNS": "200", **(env or {})})
    sys.argv, sys.stdin = ["puhui", *args], io.StringIO("")
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main()
            except SystemExit as e:
                if isinstance(e.code, int) or e.code is None:
                    code = e.code or 0
                else:
                    print(e.code, file=sys.stderr)
                    code = 1
            except BaseException:
                traceback.print_exc()
                code = 1
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        sys.argv, sys.stdin = saved_argv, saved_stdin
    return subprocess.CompletedProcess(["puhui", *args], code, out.getvalue(), err.getvalue())


@pytest.fixture
def puhui(home: Path, request: pytest.FixtureRequest) -> Run:
    """Run the real ``puhui`` command with the isolated home: in process (fast), or in a
    subprocess for the commands in :data:`OWN_PROCESS` and in tests marked ``slow`` (they start
    servers, pools or Ray, which are better kept out of the test process). ``puhui_process``
    always starts one."""
    if request.node.get_closest_marker("slow"):
        return run_process

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 180):
        words = tuple(a for a in args if not a.startswith("-"))
        # a variable other than Puhui's settings (PYTHONPATH for plugins, a locale) acts when
        # Python starts
        starts = any(not k.startswith("PUHUI_") and k != "COLUMNS" for k in env or {})
        if starts or any(words[: len(cmd)] == cmd for cmd in OWN_PROCESS):
            return run_process(*args, env=env, timeout=timeout)
        return run_in_process(*args, env=env, timeout=timeout)

    return run


@pytest.fixture
def puhui_process(home: Path) -> Run:
    """Run the real ``puhui`` command in a subprocess with the isolated home (the smoke layer)."""
    return run_process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_hub(url: str, proc: subprocess.Popen[str]) -> None:
    """Wait (60 s at most) until the `puhui hub serve` started as ``proc`` answers at ``url``."""
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"hub serve exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            if httpx.get(url + "/api/v1/version", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("hub serve did not answer within 60 s")


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
