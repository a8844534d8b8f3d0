"""``puhui programme``: workshops and training programmes on this machine's hub — rosters,
attendance, completion credentials, who was reached, and bundles carried to another hub."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from puhui.cli._common import JSON_HELP, console, print_json
from puhui.errors import PuhuiError
from puhui.i18n import _

app = typer.Typer(
    help=_(
        "Workshops and training programmes: rosters, attendance, completion rules, completion "
        "credentials (Open Badges 3.0) and who was reached, by gender and country, with small "
        "numbers hidden. Kept on this machine's hub (no network needed); a cohort's records "
        "travel to another hub as one signed file (`export`, `import`).\n\n"
        "Example: puhui programme new 'AI for officials' && "
        "puhui programme roster import 'AI for officials' roster.csv"
    ),
    no_args_is_help=True,
    add_completion=False,
)
cohort_app = typer.Typer(help=_("Cohorts: one workshop or class of a programme."),
                         no_args_is_help=True, add_completion=False)  # fmt: skip
roster_app = typer.Typer(help=_("Who takes part: import and export rosters (CSV or XLSX)."),
                         no_args_is_help=True, add_completion=False)  # fmt: skip
attendance_app = typer.Typer(help=_("Who came to which session."),
                             no_args_is_help=True, add_completion=False)  # fmt: skip
app.add_typer(cohort_app, name="cohort")
app.add_typer(roster_app, name="roster")
app.add_typer(attendance_app, name="attendance")

ORG_HELP = _("The organization (default: the hub's only one).")
COHORT_HELP = _("The cohort: PROGRAMME/COHORT, or its name when that is unique.")


def _hub() -> None:
    from puhui.hub.accounts import open_database

    open_database()


def _problems(e: Exception) -> None:
    """A roster or attendance file with bad rows: one line per row, exit 2."""
    for line in getattr(e, "problems", None) or [str(e)]:
        print(_("error: {message}").format(message=line), file=sys.stderr)
    print(_("nothing was imported; fix these rows and run the same command again"), file=sys.stderr)
    raise typer.Exit(2)


@app.command("new")
def new(
    name: str = typer.Argument(..., help=_("The programme's name.")),
    org: str = typer.Option("", "--org", help=ORG_HELP),
    description: str = typer.Option("", "--description", help=_("One paragraph about it.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Create a programme and its first cohort, of the same name."""
    _hub()
    from puhui.hub.programmes import service

    cohort = service.new_programme(name, org=org, description=description)
    info = {
        "org": cohort.programme.org.slug,
        "programme": cohort.programme.slug,
        "cohort": f"{cohort.programme.slug}/{cohort.slug}",
    }
    if json_out:
        print_json(info)
        return
    print(_("programme {p} created, with its first cohort {c}").format(
        p=info["programme"], c=info["cohort"]))  # fmt: skip


@app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the programmes on this hub, their cohorts and how many people each has."""
    _hub()
    from puhui.hub.programmes import service

    rows = service.summary()
    if json_out:
        print_json(rows)
        return
    table = Table(title=_("Programmes"), title_justify="left")
    for col in (_("organization"), _("programme"), _("cohort"), _("people"), _("sessions")):
        table.add_column(col)
    for r in rows:
        for c in r["cohorts"]:
            table.add_row(r["org"], r["programme"], c["cohort"], str(c["people"]),
                          str(c["sessions"]))  # fmt: skip
    console.print(table)


@cohort_app.command("new")
def cohort_new(
    programme: str = typer.Argument(..., help=_("The programme.")),
    cohort: str = typer.Argument(..., help=_("The new cohort's name.")),
    org: str = typer.Option("", "--org", help=ORG_HELP),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Add a cohort (a workshop or class) to a programme."""
    _hub()
    from puhui.hub.programmes import service

    made = service.new_cohort(programme, cohort, org=org)
    ref = f"{made.programme.slug}/{made.slug}"
    if json_out:
        print_json({"cohort": ref})
        return
    print(_("cohort {c} created").format(c=ref))


@cohort_app.command("rule")
def cohort_rule(
    cohort: str = typer.Argument(..., help=COHORT_HELP),
    attendance: str = typer.Option(
        "", "--attendance", help=_("Share of sessions to attend, e.g. 80% or 0.8.")
    ),
    quizzes: float = typer.Option(None, "--quizzes", help=_("Best quiz score needed, percent.")),
    lab: list[str] = typer.Option([], "--lab", help=_("A lab that must be passed (repeat).")),
    project: bool = typer.Option(False, "--project", help=_("A final project must be accepted.")),
    course: list[str] = typer.Option(
        [],
        "--course",
        help=_(
            "A course of the hub's learn pages, ORG/NAME, whose quizzes and labs count (repeat)."
        ),
    ),
    org: str = typer.Option("", "--org", help=ORG_HELP),
) -> None:
    """Set when a participant has completed the cohort (default: attended 2/3 of sessions).
    Quiz scores and labs are read from the linked courses for participants whose hub account
    has their e-mail address.

    Example: puhui programme cohort rule workshop --attendance 80% --quizzes 70
    --lab redact-a-corpus --course acme/testing-ai"""
    _hub()
    from puhui.hub.programmes import service

    found = service.find_cohort(cohort, org=org)
    if course:
        service.link_courses(found, list(course))
    doc: dict[str, Any] = {"labs": list(lab), "project": project}
    doc["attendance"] = attendance or None
    doc["quizzes"] = quizzes
    rule = service.set_rule(found, doc)
    print(_("rule of {c}: {r}").format(c=found.slug, r=service._criteria(rule)))


@roster_app.command("import")
def roster_import(
    cohort: str = typer.Argument(..., help=COHORT_HELP),
    roster: Path = typer.Argument(
        ...,
        help=_(
            "CSV or XLSX with columns name, email, phone, country, organisation, role, sector, "
            "gender, age_band, consent, guardian_consent (only name and consent are required)."
        ),
    ),
    role: str = typer.Option("participant", "--role", help=_("participant or facilitator")),
    org: str = typer.Option("", "--org", help=ORG_HELP),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Import a roster into a cohort: every row is checked first; if any is bad, each bad row
    is named (row number and reason) and nothing is imported. Importing again updates people
    (found by e-mail or phone), never duplicates them."""
    _hub()
    from puhui.hub.programmes import service
    from puhui.programmes.roster import RosterError

    found = service.find_cohort(cohort, org=org)
    try:
        result = service.import_roster(found, roster, role=role)
    except RosterError as e:
        _problems(e)
    info = {"added": result.added, "updated": result.updated, "unchanged": result.unchanged,
            "enrolled": result.enrolled}  # fmt: skip
    if json_out:
        print_json(info)
        return
    text = _("{a} people added, {u} updated, {s} unchanged; {e} newly enrolled in {c}")
    print(text.format(a=result.added, u=result.updated, s=result.unchanged, e=result.enrolled,
                      c=found.slug))  # fmt: skip


@roster_app.command("export")
def roster_export(
    cohort: str = typer.Argument(..., help=COHORT_HELP),
    out: Path = typer.Option(..., "--out", help=_("The CSV file to write.")),
    org: str = typer.Option("", "--org", help=ORG_HELP),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write a cohort's roster as CSV, in the shape `roster import` reads."""
    _hub()
    from puhui.hub.programmes import service

    n = service.export_roster(service.find_cohort(cohort, org=org), out)
    if json_out:
        print_json({"out": str(out), "people": n})
        return
    print(_("{n} people written to {out}").format(n=n, out=out))


@attendance_app.command("import")
def attendance_import(
    cohort: str = typer.Argument(..., help=COHORT_HELP),
    attendance: Path = typer.Argument(
        ...,
        help=_("CSV or XLSX with columns email (or a phone number), session, present (yes/no)."),
    ),
    org: str = typer.Option("", "--org", help=ORG_HELP),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Record attendance from a file; a session named for the first time is created."""
    _hub()
    from puhui.hub.programmes import service
    from puhui.programmes.roster import RosterError

    found = service.find_cohort(cohort, org=org)
    try:
        result = service.import_attendance(found, attendance)
    except RosterError as e:
        _problems(e)
    info = {"added": result.added, "updated": result.updated,
            "sessions_created": result.sessions_created}  # fmt: skip
    if json_out:
        print_json(info)
        return
    print(_("{n} marks recorded ({u} changed); new sessions: {s}").format(
        n=result.added, u=result.updated, s=", ".join(result.sessions_created) or "-"))  # fmt: skip


@app.command("status")
def status(
    cohort: str = typer.Argument(..., help=COHORT_HELP),
    org: str = typer.Option("", "--org", help=ORG_HELP),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Who has completed the cohort under its rule, and why the others have not yet."""
    _hub()
    from puhui.hub.programmes import service

    rows = [
        {"name": e.person.name, "attended": r.attended, "sessions": r.sessions,
         "complete": o.complete, "reasons": list(o.reasons)}
        for e, o, r in service.outcomes(service.find_cohort(cohort, org=org))
    ]  # fmt: skip
    if json_out:
        print_json(rows)
        return
    table = Table(title=_("Completion"), title_justify="left")
    for col in (_("name"), _("attended"), _("complete"), _("why not")):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["name"], f"{r['attended']}/{r['sessions']}",
                      _("yes") if r["complete"] else _("no"), "; ".join(r["reasons"]))  # fmt: skip
    console.print(table)


@app.command("complete")
def complete(
    cohort: str = typer.Argument(..., help=COHORT_HELP),
    key: Path = typer.Option(..., "--key", help=_("The organization's signing key folder.")),
    out: Path = typer.Option(..., "--out", help=_("Folder for the credentials (one JSON each).")),
    valid_days: int = typer.Option(None, "--valid-days", min=1, help=_("Expire after N days.")),
    org: str = typer.Option("", "--org", help=ORG_HELP),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Award a completion credential (Open Badges 3.0, signed with KEY) to every participant
    who completed the cohort, and write each to OUT; `puhui cert verify FILE` checks one
    offline. Running it again awards nobody twice."""
    _hub()
    from puhui.hub.programmes import service

    result = service.complete(service.find_cohort(cohort, org=org), key, out, valid_days=valid_days)
    info = {
        "credentials": [str(p) for p in result.written],
        "new": result.new,
        "incomplete": [{"name": n, "reasons": list(r)} for n, r in result.incomplete],
    }
    if json_out:
        print_json(info)
        return
    print(_("{n} credentials in {out} ({new} new); {k} participants have not completed yet").format(
        n=len(result.written), out=out, new=result.new, k=len(result.incomplete)))  # fmt: skip


@app.command("project")
def project(
    cohort: str = typer.Argument(..., help=COHORT_HELP),
    who: str = typer.Argument(..., help=_("The participant's e-mail, phone or exact name.")),
    reject: bool = typer.Option(False, "--not", help=_("Mark it not accepted (again).")),
    org: str = typer.Option("", "--org", help=ORG_HELP),
) -> None:
    """Record that a participant's final project was accepted (for a rule with --project)."""
    _hub()
    from puhui.hub.programmes import service

    e = service.accept_project(service.find_cohort(cohort, org=org), who, not reject)
    print(_("final project of {n}: {s}").format(
        n=e.person.name, s=_("accepted") if e.project_accepted else _("not accepted")))  # fmt: skip


@app.command("revoke")
def revoke(
    cohort: str = typer.Argument(..., help=COHORT_HELP),
    who: str = typer.Argument(..., help=_("The participant's e-mail, phone or exact name.")),
    key: Path = typer.Option(..., "--key", help=_("The key folder that signed the credential.")),
    reason: str = typer.Option(None, "--reason", help=_("Why (kept in the status list's log).")),
    org: str = typer.Option("", "--org", help=ORG_HELP),
) -> None:
    """Revoke a participant's completion credential: verifiers holding the issuer's status list
    (`puhui cert verify FILE --status-list KEY/status-list.json`) see it revoked; it is never
    issued to them again by `complete`."""
    _hub()
    from puhui.hub.programmes import service

    award = service.revoke(service.find_cohort(cohort, org=org), who, key, reason=reason)
    print(_("revoked {id}").format(id=award.credential_id))


@app.command("stats")
def stats(
    programme: str = typer.Argument(..., help=_("The programme.")),
    by: str = typer.Option(
        "gender,country",
        "--by",
        help=_("One or two of gender, country, role, age_band, comma-separated."),
    ),
    csv_out: Path = typer.Option(None, "--csv", help=_("Also write the table as CSV here.")),
    org: str = typer.Option("", "--org", help=ORG_HELP),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Who was reached: enrolled, attended, completed and completion rate by gender and country
    (or other groups); counts under 5 show as "<5", and other cells are hidden with them so
    totals cannot give them away."""
    _hub()
    from puhui.artifacts import atomic_write_text
    from puhui.hub.programmes import service

    groups = tuple(g.strip() for g in by.split(",") if g.strip())
    allowed = ("gender", "country", "role", "age_band")
    if len(groups) != 2 or any(g not in allowed for g in groups):
        raise PuhuiError(_("--by {b}: two of {a}").format(b=by, a=", ".join(allowed)))
    reach = service.reach_of(service.find_programme(programme, org=org), by=groups)
    cells = reach.cells()
    if csv_out is not None:
        atomic_write_text(csv_out, reach.to_csv())
    if json_out:
        print_json({"cells": cells})
        return
    table = Table(title=_("Who was reached"), title_justify="left")
    columns = [*groups, "enrolled", "attended", "completed", "completion_rate"]
    for col in columns:
        table.add_column(col, justify="right" if col not in groups else "left")
    for c in cells:
        rate = c.get("completion_rate")
        table.add_row(*[str(c.get(g, "")) for g in groups],
                      str(c["enrolled"]), str(c["attended"]), str(c["completed"]),
                      "—" if rate is None else f"{rate:.0%}")  # fmt: skip
    console.print(table)


@app.command("export")
def export(
    cohort: str = typer.Argument(..., help=COHORT_HELP),
    key: Path = typer.Option(..., "--key", help=_("The organization's signing key folder.")),
    out: Path = typer.Option(..., "--out", help=_("The bundle file to write (.json).")),
    org: str = typer.Option("", "--org", help=ORG_HELP),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write a cohort's records (roster, sessions, attendance, credentials) as one signed file
    to carry to another hub; people under 18 are left out."""
    _hub()
    from puhui.hub.programmes import service

    doc = service.export_bundle(service.find_cohort(cohort, org=org), key, out)
    if json_out:
        counts = {k: len(doc[k]) for k in ("people", "sessions", "marks")}
        print_json({"out": str(out), **counts, "withheld_minors": doc["withheld_minors"]})
        return
    print(_("{n} people, {s} sessions, {m} marks written to {out} ({w} under 18 left out)").format(
        n=len(doc["people"]), s=len(doc["sessions"]), m=len(doc["marks"]), out=out,
        w=doc["withheld_minors"]))  # fmt: skip


@app.command("import")
def import_(
    bundle: Path = typer.Argument(..., help=_("A bundle written by `puhui programme export`.")),
    trust: list[str] = typer.Option(
        ...,
        "--trust",
        help=_(
            "The exporting organization's key: did:key:…, a public.json or a key folder (repeat)."
        ),
    ),
    org: str = typer.Option("", "--org", help=_("Import into this organization.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Import a bundle from another hub. Its signature must verify and its signer be trusted;
    importing it twice changes nothing; people are never duplicated; a record this hub already
    holds with other values is reported as a conflict and kept as it is."""
    _hub()
    from puhui.certify import keys
    from puhui.hub.programmes import service

    trusted = [keys.trusted_did(t) for t in trust]
    result = service.import_bundle(bundle, trusted, org=org)
    info = {"created": result.created, "conflicts": result.conflicts, "signer": result.signer}
    if json_out:
        print_json(info)
        return
    made = ", ".join(f"{k} {v}" for k, v in sorted(result.created.items())) or _("nothing new")
    print(_("imported from {s}: {made}").format(s=result.signer, made=made))
    for c in result.conflicts:
        print(_("conflict: {c}").format(c=c))
