"""``puhui learn``: list the bundled courses, check a course folder, export a course as an offline
site, and do a course's labs (``puhui learn lab``: list, show, data, run)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from puhui.cli._common import JSON_HELP, console, print_json
from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.learn import (
    check_lab,
    copy_lab_data,
    course_folder,
    list_courses,
    load_course,
    missing_lab_translations,
    missing_translations,
    validate,
)
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
    loaded = None if problems else load_course(course_dir)
    missing = missing_translations(loaded) if loaded else []
    missing_labs = missing_lab_translations(loaded) if loaded else []
    if json_out:
        print_json(
            {
                "valid": not problems,
                "problems": [str(p) for p in problems],
                "missing_translations": [
                    {"lesson": lid, "language": lang} for lid, lang in missing
                ],
                "missing_lab_translations": [
                    {"lab": lid, "language": lang} for lid, lang in missing_labs
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
        for lid, lang in missing_labs:
            print(
                _(
                    "note: lab {id} is not translated into {lang} (shown in the first language)"
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


@app.command("pack")
def pack(
    course: str = typer.Argument(..., help=_("A bundled course id or a course folder.")),
    out: Path = typer.Option(
        ..., "--out", help=_("Where to write it: a folder, or a file ending in .zip.")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Pack a course as an artifact (its files and a manifest pinning each by sha256): a
    folder to publish with `puhui hub publish`, or one zip to hand to another teacher.

    Example: puhui learn pack ai-for-everyone --out afe && puhui hub publish afe --url URL
    """
    from puhui.learn.pack import pack_course

    written = pack_course(course, out)
    if json_out:
        print_json({"out": str(written), "zip": written.suffix.lower() == ".zip"})
        return
    print(_("course packed into {out}").format(out=written))


@app.command("serve")
def serve(
    courses: list[str] = typer.Argument(
        None, help=_("Courses to offer (bundled ids or folders); default: every bundled course.")
    ),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help=_("Port.")),
    host: str = typer.Option(
        "0.0.0.0",
        "--host",
        help=_("Address to listen on: 0.0.0.0 lets phones on this Wi-Fi in; 127.0.0.1 only you."),
    ),
    threads: int = typer.Option(16, "--threads", min=1, max=256, help=_("Worker threads.")),
) -> None:
    """Run a classroom server on this laptop: the courses on this machine's hub, for a room of
    phones on the same Wi-Fi (no internet needed). Learners open the address it prints (or scan
    its QR code); they need no account. Ctrl+C stops it.

    Example: puhui learn serve ai-for-everyone --port 8000
    """
    from puhui.cli import hub_cmd
    from puhui.cli._common import settings

    folders = [course_folder(c) for c in courses] if courses else list_courses()
    hub_cmd._django()
    from puhui.hub.learn.classroom import addresses, publish_courses

    items = publish_courses(folders, settings().home / "classroom")
    for a in addresses() if host in ("0.0.0.0", "") else [host]:
        url = f"http://{a}:{port}/learn/"
        console.print(_("Learners open {url}").format(url=url), markup=False)
        _print_qr(url)
    for item in items:
        console.print(f"  {item.title} — /learn/{item.org.slug}/{item.name}/", markup=False)
    hub_cmd.serve(port=port, host=host, threads=threads)


def _print_qr(url: str) -> None:
    import segno

    if sys.stdout.isatty():
        segno.make(url, error="m").terminal(compact=True)


gift_app = typer.Typer(
    help=_(
        "Move quizzes to and from Moodle's GIFT format.\n\n"
        "Example: puhui learn gift export ai-for-everyone 01-what-is-ai --lang sw --out q.gift"
    ),
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(gift_app, name="gift")


@gift_app.command("export")
def gift_export(
    course: str = typer.Argument(..., help=_("A bundled course id or a course folder.")),
    lesson: str = typer.Argument(..., help=_("The lesson whose quiz to write.")),
    lang: str = typer.Option("", "--lang", help=_("Language (default: the course's first).")),
    out: Path = typer.Option(None, "--out", help=_("The GIFT file to write (default: print).")),
) -> None:
    """Write a lesson's quiz as GIFT, to import into Moodle (Question bank → Import → GIFT)."""
    from puhui.artifacts import atomic_write_text
    from puhui.learn import to_gift

    loaded = load_course(course_folder(course))
    shown = loaded.quiz(lesson, lang or loaded.first_language)
    if shown is None:
        raise PuhuiError(
            _("lesson {l} of {c} has no quiz").format(l=lesson, c=loaded.id),
            _("choose a lesson with a quiz"),
        )
    text = to_gift(shown.item)
    if out is None:
        sys.stdout.write(text)
        return
    atomic_write_text(out, text)
    print(_("quiz written to {out} ({lang})").format(out=out, lang=shown.lang))


@gift_app.command("import")
def gift_import(
    gift_file: Path = typer.Argument(..., help=_("A GIFT file (e.g. exported from Moodle).")),
    out: Path = typer.Option(
        ..., "--out", help=_("The quiz file to write: quizzes/<lesson>.<lang>.yaml of a course.")
    ),
) -> None:
    """Read a GIFT quiz into a Puhui quiz file (YAML); questions Puhui cannot represent are
    refused with the line they start on."""
    import yaml

    from puhui.artifacts import atomic_write_text
    from puhui.learn import from_gift
    from puhui.learn.course import quiz_to_dict
    from puhui.learn.reading import TEXT_MAX, TooLarge, read_text

    try:
        text = read_text(gift_file, TEXT_MAX)
    except (OSError, TooLarge, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise PuhuiError(
            f"{gift_file}: {reason}", _("give a GIFT text file (UTF-8, under 1 MiB)")
        ) from None
    quiz = from_gift(text, str(gift_file))
    doc = yaml.safe_dump(quiz_to_dict(quiz), allow_unicode=True, sort_keys=False, width=100)
    atomic_write_text(out, doc)
    print(_("{n} questions written to {out}").format(n=len(quiz.questions), out=out))


lab_app = typer.Typer(
    help=_(
        "Labs: hands-on exercises with Puhui on bundled data. Read a lab's steps (`show`), copy "
        "its data (`data`), do the steps, then hand in what you made (`run`): an automatic "
        "check says what is right and what is not.\n\n"
        "Example: puhui learn lab run testing-ai redact-a-corpus my-corpus --answer 9"
    ),
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(lab_app, name="lab")

COURSE_HELP = _("A bundled course id (`puhui learn list`) or a course folder.")


@lab_app.command("list")
def lab_list(
    course: str = typer.Argument(..., help=COURSE_HELP),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List a course's labs: id, title, minutes, what you hand in and what you answer."""
    loaded = load_course(course_folder(course))
    rows: list[dict[str, Any]] = [
        {
            "id": lab.id,
            "title": loaded.lab(lab.id, loaded.first_language).item.title,
            "minutes": lab.minutes,
            "check": lab.check,
            "hand_in": lab.hand_in,
            "answer": lab.answer,
            "data": lab.data is not None,
            "languages": sorted(lab.instructions),
        }
        for lab in loaded.labs
    ]
    if json_out:
        print_json(rows)
        return
    if not rows:
        print(_("{c}: no labs").format(c=loaded.id))
        return
    table = Table(title=_("Labs of {c}").format(c=loaded.id), title_justify="left")
    for col in (_("id"), _("title"), _("minutes"), _("hand in"), _("answer")):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["id"], r["title"], str(r["minutes"]), r["hand_in"], r["answer"])
    console.print(table)


@lab_app.command("show")
def lab_show(
    course: str = typer.Argument(..., help=COURSE_HELP),
    lab: str = typer.Argument(..., help=_("The lab's id (`puhui learn lab list COURSE`).")),
    lang: str = typer.Option(
        "", "--lang", help=_("Language of the instructions (default: the course's first).")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Print a lab's instructions (Markdown) and the question you answer; a note says when
    they are not translated into --lang yet."""
    loaded = load_course(course_folder(course))
    shown = loaded.lab(lab, lang or loaded.first_language)
    text = shown.item
    if json_out:
        print_json(
            {
                "lab": lab,
                "lang": shown.lang,
                "note": shown.note,
                "title": text.title,
                "review": text.review,
                "question": text.question,
                "body": text.body,
            }
        )
        return
    if shown.note:
        print(_("note: {n}").format(n=shown.note), file=sys.stderr)
    print(f"# {text.title}\n")
    print(text.body.strip())
    if text.question:
        print("\n" + _("Question: {q}").format(q=text.question))


@lab_app.command("data")
def lab_data(
    course: str = typer.Argument(..., help=COURSE_HELP),
    lab: str = typer.Argument(..., help=_("The lab's id (`puhui learn lab list COURSE`).")),
    out: Path = typer.Option(..., "--out", help=_("A new or empty folder to copy the data to.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Copy the data a lab starts from into a new folder; work on the copy."""
    loaded = load_course(course_folder(course))
    dest = copy_lab_data(loaded, lab, out)
    files = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    if json_out:
        print_json({"out": str(dest), "files": files})
        return
    print(_("{n} files copied to {out}").format(n=len(files), out=dest))


@lab_app.command("run")
def lab_run(
    course: str = typer.Argument(..., help=COURSE_HELP),
    lab: str = typer.Argument(..., help=_("The lab's id (`puhui learn lab list COURSE`).")),
    handed_in: Path = typer.Argument(
        ..., help=_("What you made: the folder (or a .zip of it) the lab asks for.")
    ),
    answer: str | None = typer.Option(
        None, "--answer", help=_("Your answer to the lab's question (a number, yes or no).")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Check what you handed in: one line per point (✓ right, ✗ not yet), then PASSED or
    FAILED. Exit 0 passed, 1 failed, 2 when the input cannot be used."""
    loaded = load_course(course_folder(course))
    try:
        result = check_lab(loaded, lab, handed_in, answer)
    except PuhuiError as e:
        e.exit_code = 2
        raise
    if json_out:
        print_json(result.to_json())
    else:
        for f in result.findings:
            print(f"{'✓' if f.ok else '✗'} {f.what}")
        print(_("PASSED") if result.passed else _("FAILED"))
    if not result.passed:
        raise typer.Exit(1)
