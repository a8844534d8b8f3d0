"""What every CLI sub-app shares: consoles, JSON output, progress bars, settings."""

from __future__ import annotations

import json
import sys
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
