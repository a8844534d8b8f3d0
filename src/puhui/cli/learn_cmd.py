"""``puhui learn``: list the bundled courses, check a course folder, export a course as an offline
site."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from puhui.cli._common import JSON_HELP, console, print_json
from puhui.i18n import _
from puhui.learn import list_courses, load_course, missing_translations, validate
from puhui.learn.export import export_site

app = typer.Typer(
    help=_(
        "AI-literacy courses: list the bundled courses, check a course folder, export a course "
        "as an offline site."
    ),
    no_args_is_help=True,
    add_completion=False,
)


@app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the bundled courses: id, title, languages, lessons and labs."""
    rows: list[dict[str, Any]] = []
    for folder in list_courses():
        course = load_course(folder)
        rows.append(
            {
                "id": course.id,
                "title": course.text(course.title, course.first_language),
                "languages": list(course.languages),
                "lessons": len(course.lesson_refs),
                "labs": len(course.labs),
            }
        )
    if json_out:
        print_json(rows)
        return
    table = Table(title=_("Courses"), title_justify="left")
    for col in (_("id"), _("title"), _("languages"), _("lessons"), _("labs")):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["id"], r["title"], " ".join(r["languages"]), str(r["lessons"]), str(r["labs"])
        )
    console.print(table)


@app.command("validate")
def validate_(
    course_dir: Path = typer.Argument(..., help=_("The course folder (it holds course.yaml).")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Check a course folder: one line per problem (file:line: field: what — what to do), exit
    2 when there are any; lessons not yet translated are listed as notes."""
    problems = validate(course_dir)
    missing = [] if problems else missing_translations(load_course(course_dir))
    if json_out:
        print_json(
            {
                "valid": not problems,
                "problems": [str(p) for p in problems],
                "missing_translations": [
                    {"lesson": lid, "language": lang} for lid, lang in missing
                ],
            }
        )
    else:
        for p in problems:
            print(_("error: {message}").format(message=p), file=sys.stderr)
        for lid, lang in missing:
            print(
                _(
                    "note: lesson {id} is not translated into {lang} (shown in the first language)"
                ).format(id=lid, lang=lang),
                file=sys.stderr,
            )
        if not problems:
            print(_("{d}: valid course").format(d=course_dir))
    if problems:
        raise typer.Exit(2)


@app.command("export")
def export(
    course: str = typer.Argument(..., help=_("A bundled course id or a course folder.")),
    out: Path = typer.Option(..., "--out", help=_("The folder to write the site to.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write the course as a static offline site (HTML, no server, quizzes checked in the
    page): open OUT/index.html from a USB stick."""
    site = export_site(course, out)
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
    if json_out:
        print_json({"out": str(site), "index": str(site / "index.html"), "pages": len(pages)})
        return
    print(
        _("{n} pages written to {out}; open {index}").format(
            n=len(pages), out=site, index=site / "index.html"
        )
    )
