"""The command as users start it: ``python -m puhui`` in a process of its own.

The other CLI tests run ``puhui.cli.main`` in the test process (tests/conftest.py, ``puhui``);
these check that the real entry point gives the same output, exit status and one-line errors.
"""

from __future__ import annotations

import json
from pathlib import Path

from puhui._version import __version__
from puhui.artifacts import write_manifest

from conftest import Run, assert_one_line_error, run_in_process


def test_version_and_help(puhui_process: Run) -> None:
    proc = puhui_process("--version")
    assert proc.returncode == 0 and __version__ in proc.stdout
    proc = puhui_process("--help")
    assert proc.returncode == 0 and "inspect" in proc.stdout and "eval" in proc.stdout


def test_an_error_is_one_line_and_the_same_in_process(puhui_process: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    proc = puhui_process("inspect", str(missing))
    assert_one_line_error(proc, str(missing))
    same = run_in_process("inspect", str(missing))
    assert (same.returncode, same.stdout, same.stderr) == (
        proc.returncode,
        proc.stdout,
        proc.stderr,
    )


def test_inspect_json_is_the_same_in_process(puhui_process: Run, tmp_path: Path) -> None:
    art = tmp_path / "art"
    art.mkdir()
    (art / "a.txt").write_text("hello\n", encoding="utf-8")
    write_manifest(art, kind="corpus", parameters={}, inputs=[])
    proc = puhui_process("inspect", str(art), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["kind"] == "corpus"
    same = run_in_process("inspect", str(art), "--json")
    assert (same.returncode, same.stdout) == (proc.returncode, proc.stdout)


def test_config_show_is_the_same_in_process(puhui_process: Run) -> None:
    env = {"PUHUI_THREADS": "3"}
    proc = puhui_process("config", "show", env=env)
    assert proc.returncode == 0 and "PUHUI_THREADS" in proc.stdout
    same = run_in_process("config", "show", env=env)
    assert (same.returncode, same.stdout, same.stderr) == (
        proc.returncode,
        proc.stdout,
        proc.stderr,
    )
