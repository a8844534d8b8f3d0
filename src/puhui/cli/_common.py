"""What every CLI sub-app shares: consoles, JSON output, progress bars, settings, and the one
place a :class:`~puhui.errors.PuhuiError` becomes the line the user reads."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from puhui.config import Settings, load_settings
from puhui.errors import PuhuiError
from puhui.i18n import _

console = Console(highlight=False, emoji=False)
err_console = Console(stderr=True, highlight=False, emoji=False)

JSON_HELP = _("Print machine-readable JSON on stdout instead of tables.")


def settings() -> Settings:
    return load_settings()


def print_json(data: Any, *, one_line: bool = False) -> None:
    """Write ``data`` as JSON to stdout (UTF-8, non-ASCII kept), one document per call."""
    indent = None if one_line else 2
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=indent, default=str) + "\n")
    sys.stdout.flush()


def progress(*, disable: bool = False) -> Progress:
    """A progress bar with count, elapsed time and ETA, drawn on stderr (stdout stays clean)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        disable=disable,
        transient=False,
    )


# ---------------------------------------------------------------- engine parameters → flags

#: Engine parameters (named in errors in backquotes, e.g. "choose another `out` folder") that a
#: command takes as an option. ``name`` becomes ``--name`` (``_`` → ``-``) unless
#: :data:`FLAG_OF` says otherwise; backquoted words not listed here are left as they are.
PARAMETERS = frozenset(
    {
        "out", "model", "languages", "language", "limit", "judge_model", "text_field",
        "txt_unit", "pii_mode", "regions", "restart", "executor", "workers", "pipeline",
        "dedup_against", "valid_days", "status_list", "report_dir", "trusted", "key_dir",
        "pdf", "port", "replace", "suite", "format", "profile", "evidence", "answers", "lang",
        "at", "token", "org", "role", "scope", "courses", "questions", "overlap", "gold",
    }
)  # fmt: skip

#: Where a command's flag is not ``--`` + the parameter: ``{command: {parameter: flag}}``;
#: the command is its words (``"cert issue"``), ``""`` for every command.
FLAG_OF: dict[str, dict[str, str]] = {
    "": {"pdf=False": "--no-pdf", "pdf": "--no-pdf"},
    "cert issue": {"key_dir": "--key"},
    "cert revoke": {"key_dir": "--key"},
    "cert verify": {"trusted": "--trust"},
    "eval import": {"language": "--default-language"},
    "programme import": {"trusted": "--trust"},
    "programme cohort": {"courses": "--course"},
    "programme complete": {"key_dir": "--key"},
    "programme export": {"key_dir": "--key"},
    "rate export": {"license_id": "--license"},
    "share check": {"categories": "--category", "purpose": "--purpose"},
    "share policy": {"preset": "--preset", "recipients": "--recipients"},
}

_BACKQUOTED = re.compile(r"`([a-z][a-z0-9_]*)(?:=([^`]*))?`")


def command_of(argv: Sequence[str]) -> str:
    """The command's words in ``argv`` (``["cert", "issue", "a", "--key", "k"]`` →
    ``"cert issue"``): the leading words that name a command, at most two."""
    words: list[str] = []
    for arg in argv:
        if arg.startswith("-") or len(words) == 2:
            break
        words.append(arg)
    if len(words) == 2 and words[0] in ("demo", "inspect"):
        words = words[:1]
    return " ".join(words)


def flag_text(text: str, command: str) -> str:
    """``text`` with each backquoted engine parameter replaced by the command's flag:
    `out` → --out, `valid_days` → --valid-days, `pdf=False` → --no-pdf,
    `executor='local'` → --executor local."""
    own = {**FLAG_OF[""], **FLAG_OF.get(command, {})}

    def flag(m: re.Match[str]) -> str:
        name, value = m.group(1), m.group(2)
        whole = m.group(0)[1:-1]
        if whole in own:
            return own[whole]
        if name not in PARAMETERS:
            return m.group(0)
        option = own.get(name) or "--" + name.replace("_", "-")
        if value is None:
            return option
        if value == "True":
            return option
        if value == "False":
            return "--no-" + option[2:]
        return f"{option} {value.strip(chr(39) + chr(34))}"

    return _BACKQUOTED.sub(flag, text)


def error_line(error: PuhuiError, argv: Sequence[str]) -> str:
    """The one line ``puhui`` prints for ``error``, with the command's flags for the engine's
    parameter names."""
    return _("error: {message}").format(message=flag_text(str(error), command_of(argv)))
