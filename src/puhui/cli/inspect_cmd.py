"""``puhui inspect PATH``: validate an artifact, recompute its hashes, print its provenance."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from puhui.artifacts import check
from puhui.cli._common import JSON_HELP, console, print_json
from puhui.i18n import _


def inspect(
    path: Path = typer.Argument(..., help=_("An artifact folder, or its manifest.json.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Check an artifact: validate its manifest, recompute every file's sha256, show provenance.

    Exits 0 when the artifact is intact; 1 with a one-line reason when it is malformed or any
    file was changed, removed or added.
    """
    m = check(path)
    if json_out:
        print_json({"valid": True, "path": str(m.root), **m.data})
        return
    total = sum(int(f["bytes"]) for f in m.files)
    prov = m.provenance
    console.print(_("[green]✓ valid[/] {kind} [bold]{id}[/]").format(kind=m.kind, id=m.id))
    info = Table.grid(padding=(0, 2))
    info.add_row(_("created"), str(m.data["created"]))
    info.add_row(
        _("content"),
        _("{n} files, {b:,} bytes, sha256 {h}").format(n=len(m.files), b=total, h=m.content_sha256),
    )
    info.add_row(_("made by"), f"puhui {prov['version']}")
    if prov.get("command"):
        info.add_row(_("command"), str(prov["command"]))
    for key, value in sorted(prov["parameters"].items()):
        info.add_row(_("parameter"), f"{key} = {value}")
    for ref in prov["inputs"]:
        label = f"{ref['name']}  sha256 {ref['sha256'][:16]}…"
        if ref.get("id"):
            label += f"  ({ref['id']})"
        info.add_row(_("input"), label)
    console.print(info)
