"""The report of who a programme reached: one page (inline SVG bars, the table of cells), served
by the hub, printed to PDF for funders and written to files by ``puhui demo`` — all from the
same :class:`~puhui.programmes.reach.Reach`, so the page, the PDF and the CSV agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from puhui.artifacts import atomic_write_bytes, atomic_write_text
from puhui.hub.programmes import service
from puhui.hub.programmes.models import Programme

BAR_WIDTH = 240


def bars(cells: list[dict[str, Any]], group: str) -> dict[str, Any]:
    """An inline SVG bar chart (enrolled, with completed inside) of one-way ``cells``; a hidden
    count draws no bar and is written as it is shown ("<5")."""
    counts = [c["enrolled"] for c in cells if isinstance(c["enrolled"], int)]
    top = max(counts, default=1) or 1
    rows = []
    for i, c in enumerate(cells):
        shown = isinstance(c["enrolled"], int)
        done = c["completed"] if isinstance(c["completed"], int) else None
        rows.append(
            {
                "y": 6 + i * 26,
                "label": c.get(group) or "—",
                "enrolled": c["enrolled"],
                "completed": c["completed"],
                "w": round(BAR_WIDTH * c["enrolled"] / top) if shown else 0,
                "wc": round(BAR_WIDTH * done / top) if shown and done is not None else 0,
            }
        )
    return {"rows": rows, "height": 12 + 26 * len(rows), "width": BAR_WIDTH + 190}


def context(programme: Programme) -> dict[str, Any]:
    """What the reach page shows: the gender × country cells, the total, and one chart per
    dimension (the table's margins, suppressed with it)."""
    table = service.reach_of(programme, by=("gender", "country"))
    return {
        "programme": programme,
        "cells": table.cells(),
        "total": table.total(),
        "gender_chart": bars(table.margin("gender"), "gender"),
        "country_chart": bars(table.margin("country"), "country"),
        "k": table.k,
        "csv": table.to_csv(),
    }


def html(programme: Programme, request: HttpRequest | None = None) -> str:
    """The page, for printing (no links to other pages)."""
    return render_to_string(
        "programmes/reach.html", {**context(programme), "print": True}, request=request
    )


def pdf(page: str) -> bytes:
    """``page`` as PDF (WeasyPrint; nothing is fetched)."""
    from weasyprint import HTML

    data: bytes = HTML(string=page, base_url=None).write_pdf()
    return data


def write(programme: Programme, out: Path) -> dict[str, Path]:
    """Write ``reach.html``, ``reach.pdf`` and ``reach.csv`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    page = html(programme)
    paths = {"html": out / "reach.html", "pdf": out / "reach.pdf", "csv": out / "reach.csv"}
    atomic_write_text(paths["html"], page)
    atomic_write_bytes(paths["pdf"], pdf(page))
    atomic_write_text(paths["csv"], service.reach_of(programme).to_csv())
    return paths
