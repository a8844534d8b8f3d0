"""``puhui config``: show the settings, their values and where each value came from."""

from __future__ import annotations

import typer
from rich.table import Table

from puhui.cli._common import JSON_HELP, console, print_json, settings
from puhui.config import SETTINGS, shown
from puhui.i18n import _

app = typer.Typer(
    help=_(
        "Show Puhui's settings. Set them with environment variables or $PUHUI_HOME/config.toml."
    ),
    no_args_is_help=True,
    add_completion=False,
)


@app.command("show")
def show(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Print every setting: value, source (default, file or env), variable and meaning."""
    s = settings()
    rows = [
        {
            "name": d.name,
            "value": shown(d, getattr(s, d.name)),
            "source": s.sources[d.name],
            "env": d.env,
            "type": d.type.__name__,
            "default": d.default,
            "doc": d.doc,
        }
        for d in SETTINGS
    ]
    if json_out:
        print_json({"config_file": s.config_file, "settings": rows})
        return
    table = Table(title=_("Puhui settings"), title_justify="left")
    for col in (_("name"), _("value"), _("source"), _("variable"), _("meaning")):
        table.add_column(col, overflow="fold")
    for r in rows:
        value = _("(not set)") if r["value"] is None else str(r["value"])
        table.add_row(r["name"], value, r["source"], r["env"], r["doc"])
    console.print(table)
    console.print(
        _("config file: {f}").format(f=s.config_file or _("none (create $PUHUI_HOME/config.toml)"))
    )
