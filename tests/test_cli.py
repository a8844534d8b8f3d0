from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from puhui._version import __version__
from puhui.cli import app
from puhui.cli._common import command_of, flag_text

from conftest import Run, assert_one_line_error


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


# ---------------------------------------------------------------- engine parameters → flags

ENGINES = Path(__file__).parents[1] / "src" / "puhui"
#: Engine texts that may still name a flag: results a certificate check reports (shown by the
#: hub too), reasons recorded in a corpus's quarantine (part of the corpus's files), and hints
#: that suggest a command.
FLAG_TEXTS_KEPT = {
    "add it with `puhui models add {name} --endpoint URL --model ID` or --gguf FILE",
    "give a profile YAML (see examples/profile.yaml), or omit --profile to answer ",
    "not checked: no report folder given (--report-dir)",
    "not checked: any did:key issuer accepted (pin one with --trust)",
    "not checked: no status list given (--status-list)",
    "no {w!r} field (fields: {f}); choose one with --text-field",
    "no text column (columns: {c}); choose one with --text-field",
}


def test_engine_texts_name_parameters_not_flags() -> None:
    """A translatable engine text names a parameter in backquotes (`out`), never a flag
    (--out); a whole command in backquotes (`puhui keys new --out KEYDIR`) is fine."""
    found = []
    for area in (
        *("evals", "corpus", "assess", "certify", "models", "lang", "artifacts.py", "config.py"),
        *("api.py", "demo.py", "hub/local.py", "hub/accounts.py", "hub/__init__.py"),
    ):
        root = ENGINES / area
        for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
            for text in re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"', path.read_text("utf-8")):
                bare = re.sub(r"`puhui [^`]*`", "", text)
                if re.search(r"(?<![\w-])--[a-z]", bare) and text not in FLAG_TEXTS_KEPT:
                    found.append(f"{path.relative_to(ENGINES)}: {text}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("text", "command", "shown"),
    [
        ("use a new `out` folder", "eval run", "use a new --out folder"),
        ("`valid_days` must be at least 1", "cert issue", "--valid-days must be at least 1"),
        ("no key in `key_dir`", "cert issue", "no key in --key"),
        ("pass `judge_model=NAME`", "eval run", "pass --judge-model NAME"),
        ("`language` 'x y' is not a tag", "eval import", "--default-language 'x y' is not a tag"),
        ("or use `executor='local'`", "corpus build", "or use --executor local"),
        ("or add `restart=True`", "corpus build", "or add --restart"),
        ("or pass `pdf=False`", "assess new", "or pass --no-pdf"),
        (
            "run `make install` or `puhui eval list`",
            "eval run",
            "run `make install` or `puhui eval list`",
        ),
        ("scorer `judge` is unknown", "eval run", "scorer `judge` is unknown"),
    ],
)
def test_the_cli_shows_flags_for_parameters(text: str, command: str, shown: str) -> None:
    assert flag_text(text, command) == shown


def test_an_engine_error_prints_the_commands_flag(puhui: Run, tmp_path: Path) -> None:
    from puhui.errors import PuhuiError
    from puhui.evals.export import export_suite

    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x\n")
    with pytest.raises(PuhuiError, match="`out`"):  # the engine names its parameter
        export_suite("sib200", tmp_path / "full")
    proc = puhui("eval", "export", "sib200", "--out", str(tmp_path / "full"))
    line = assert_one_line_error(proc, f"--out {tmp_path / 'full'} exists")
    assert "`out`" not in line
    assert command_of(["cert", "issue", "a", "--key", "k"]) == "cert issue"
    assert command_of(["demo", "--json"]) == "demo"
