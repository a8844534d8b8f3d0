"""``puhui eval import``: turn an Inspect log or lm-eval results file into a read-only run.

It shows the imported run the way ``puhui eval show`` does, so it imports
:mod:`puhui.cli.eval_cmd` (one direction only); :mod:`puhui.cli` adds the command to
``puhui eval``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from puhui.cli._common import JSON_HELP, console, print_json
from puhui.cli.eval_cmd import json_summary, show_summary
from puhui.i18n import _


def import_(
    source: Path = typer.Argument(
        ...,
        help=_(
            "An Inspect log (.eval or .json) or an lm-evaluation-harness results_*.json "
            "(its samples_<task>_*.jsonl beside it are read too, when present)."
        ),
        show_default=False,
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help=_("New, empty run folder to write."), show_default=False
    ),
    fmt: str = typer.Option(
        None,
        "--format",
        "-f",
        help=_("inspect or lm-eval (default: detected from the file)."),
        show_default=False,
    ),
    language: str = typer.Option(
        None,
        "--default-language",
        help=_(
            "BCP-47 tag for samples whose language the source does not say (Inspect samples "
            "without metadata language/lang/locale, lm-eval tasks without a code in the name). "
            "Default: und."
        ),
        show_default=False,
    ),
    suite: str = typer.Option(
        None,
        "--suite",
        help=_(
            "Suite name for the imported tasks (keys become SUITE/TASK), e.g. to line them up "
            "with a native run in `puhui eval compare`."
        ),
        show_default=False,
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Import results made by another tool as a read-only Puhui run.

    Reads an [bold]Inspect[/] log (.eval or .json) or [bold]lm-evaluation-harness[/]
    results (results_*.json, plus samples_*.jsonl from --log_samples) and writes a
    run folder that `puhui eval show`, `puhui eval compare` and `puhui inspect`
    read like a native run. Nothing is re-run: values, sample counts and model
    are what the source recorded; its sha256 is kept in plan.json and manifest.

    Language: each Inspect sample's metadata (language, lang, locale); the code
    ending an lm-eval task name (xnli_sw, belebele_swh_Latn); else --default-language;
    else und. 95% CIs: bootstrapped as in native runs when the source has
    per-sample scores; else value ± 1.96 × the tool's stderr (normal-stderr).

    The run is read-only: `puhui eval run` will not resume into it.

    Examples:

      puhui eval import logs/mgsm.eval --out runs/mgsm-inspect

      puhui eval import out/m/results_2025-05-01T10-00-00.json --out runs/xnli

      puhui eval import cap.json --out runs/cap --default-language sw --suite mini
    """
    from puhui.evals.imports import import_run

    summary = import_run(source, out, fmt=fmt, language=language, suite=suite)
    if json_out:
        print_json(json_summary(out, summary))
        return
    imp = summary["imported"]
    console.print(
        _("Imported {tool} {version} results for model {model}.").format(
            tool=imp["tool"], version=imp["tool_version"] or "", model=summary["model"]["name"]
        )
    )
    show_summary(summary)
    console.print(
        _("Run saved in {p} (read-only); see it again with `puhui eval show {p}`.").format(p=out)
    )
