"""The ``puhui`` command: one Typer sub-app per area; each command parses, calls an engine, prints.

User mistakes surface as :class:`~puhui.errors.PuhuiError` and print as one line on stderr.
"""

from __future__ import annotations

import sys

import typer

from puhui._version import __version__
from puhui.cli import (
    assess_cmd,
    cert_cmd,
    config_cmd,
    corpus,
    demo,
    eval_cmd,
    eval_import,
    hub_cmd,
    inspect_cmd,
    keys_cmd,
    learn_cmd,
    models,
    programme_cmd,
    rate_cmd,
    share_cmd,
)
from puhui.cli._common import error_line
from puhui.errors import PuhuiError
from puhui.i18n import _

app = typer.Typer(
    name="puhui",
    help=_(
        "Puhui (普惠): build local-language AI capacity offline — corpora, evaluations, "
        "risk assessments, certificates and a hub. Every command has --help; data commands "
        "take --json. State lives in $PUHUI_HOME (default ~/.puhui)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        print(f"puhui {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help=_("Print the version and exit.")
    ),
) -> None:
    """Puhui: offline tools for AI capacity building."""


app.add_typer(models.app, name="models")
app.add_typer(corpus.app, name="corpus")
eval_cmd.app.command("import")(eval_import.import_)  # after list, run, export, show, compare
app.add_typer(eval_cmd.app, name="eval")
app.add_typer(learn_cmd.app, name="learn")
app.add_typer(assess_cmd.app, name="assess")
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(cert_cmd.app, name="cert")
app.add_typer(config_cmd.app, name="config")
app.add_typer(hub_cmd.app, name="hub")
app.add_typer(programme_cmd.app, name="programme")
app.add_typer(share_cmd.app, name="share")
app.add_typer(rate_cmd.app, name="rate")
app.command("inspect")(inspect_cmd.inspect)
app.command("demo")(demo.demo)


def main() -> None:
    """Entry point of the ``puhui`` console script."""
    try:
        app(prog_name="puhui")
    except PuhuiError as e:
        print(error_line(e, sys.argv[1:]), file=sys.stderr, flush=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        sys.exit(130)
