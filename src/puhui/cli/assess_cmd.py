"""``puhui assess``: one risk assessment mapped onto many frameworks, with offline reports."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from puhui.cli._common import JSON_HELP, console, err_console, print_json
from puhui.errors import PuhuiError
from puhui.i18n import _

app = typer.Typer(
    help=_(
        "Risk assessment mapped onto NIST AI RMF, ISO/IEC 42001, the EU AI Act, TC260, UNESCO, "
        "the AU strategy and more: obligations with reasons, a risk register, per-framework "
        "coverage, and reports as self-contained HTML, PDF and OSCAL JSON."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

LANG_HELP = _("Language the report is written in: en or fr (not the languages assessed).")


def _ask_profile(out: Path) -> Path:
    """Ask the required profile fields on the terminal; write them next to the output."""
    from puhui.assess import profile as profile_mod

    schema = profile_mod.schema()["properties"]
    sectors = schema["system"]["properties"]["sector"]["enum"]
    users = schema["system"]["properties"]["users"]["items"]["enum"]

    def listed(text: str) -> list[str]:
        return [x.strip() for x in text.split(",") if x.strip()]

    err_console.print(_("No --profile given: answering the required questions (Ctrl-C to stop)."))
    name = typer.prompt(_("System name"))
    purpose = typer.prompt(_("Intended use, in a sentence"))
    sector = typer.prompt(
        _("Sector ({choices})").format(choices=", ".join(sectors)), default="other"
    )
    who = typer.prompt(
        _("Users, comma-separated ({choices})").format(choices=", ".join(users)),
        default="general-public",
    )
    langs = typer.prompt(_("Languages, BCP-47 tags, comma-separated (e.g. sw,en,ar)"))
    juris = typer.prompt(_("Jurisdictions, ISO 3166 codes or EU, comma-separated (e.g. KE,EU)"))
    chatbot = typer.confirm(_("Do people chat with it directly?"), default=True)
    model = typer.prompt(_("Model name"), default="embedded")
    gp = typer.confirm(_("Is the model a general-purpose model (an LLM)?"), default=True)
    sources = typer.prompt(_("Data sources, comma-separated"))
    personal = typer.confirm(_("Does it process personal data?"), default=False)
    data: dict[str, Any] = {
        "kind": "profile",
        "schema_version": 1,
        "system": {
            "name": name,
            "purpose": purpose,
            "sector": sector,
            "users": listed(who),
            "languages": listed(langs),
            "jurisdictions": [j.upper() for j in listed(juris)],
            "interaction": ["chatbot"] if chatbot else [],
        },
        "model": {"name": model, "general_purpose": gp},
        "data": {"sources": listed(sources), "personal_data": personal},
    }
    out.mkdir(parents=True, exist_ok=True)
    path = out.parent / f"{out.name}.profile.yaml"
    path.write_text(profile_mod.dump(data), encoding="utf-8")
    err_console.print(
        _("Profile written to {p}; edit it to add detail and run again.").format(p=path)
    )
    return path


@app.command("new")
def new(
    profile: Path = typer.Option(
        None,
        "--profile",
        "-p",
        help=_("System profile YAML (see examples/profile.yaml); omitted on a terminal: asked."),
    ),
    evidence: list[Path] = typer.Option(
        [],
        "--evidence",
        "-e",
        help=_("An eval run or corpus folder; repeat for more. Verified and pinned by hash."),
    ),
    answers: Path = typer.Option(
        None, "--answers", "-a", help=_("Checklist answers YAML (puhui assess checklist --out).")
    ),
    out: Path = typer.Option(..., "--out", "-o", help=_("Folder for the assessment.")),
    lang: str = typer.Option("en", "--lang", help=LANG_HELP),
    no_pdf: bool = typer.Option(False, "--no-pdf", help=_("Skip report.pdf (faster).")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Assess a system: obligations, evidence, findings, risk register, framework coverage;
    writes assessment.json, report.html, report.pdf and oscal.json.

    Example: puhui assess new --profile examples/profile.yaml --evidence runs/mj --out assessment
    """
    import time

    from puhui.api import assess
    from puhui.assess.messages import languages

    if lang not in languages():
        raise PuhuiError(
            _("--lang {lang!r} is not available").format(lang=lang),
            _("use one of: {langs}").format(langs=", ".join(languages())),
        )
    if profile is None:
        if not sys.stdin.isatty():
            raise PuhuiError(
                _("--profile is required when not on a terminal"),
                _("give --profile FILE (see examples/profile.yaml)"),
            )
        profile = _ask_profile(out)
    started = time.monotonic()

    def stage(name: str) -> None:
        if not json_out:
            labels = {  # printed once the inputs are checked: errors stay one line
                "oscal": _("writing oscal.json…"),
                "html": _("writing report.html…"),
                "pdf": _("writing report.pdf…"),
            }
            if name in labels:
                err_console.print(labels[name], style="dim")

    assessed = assess(
        profile, evidence, out, answers=answers, lang=lang, pdf=not no_pdf, on_stage=stage
    )
    folder, a = out, assessed.to_json()
    files = [
        str(folder / f)
        for f in ("report.html", "report.pdf", "oscal.json", "assessment.json")
        if (folder / f).exists()
    ]
    if json_out:
        print_json(
            {
                "out": str(folder),
                "files": files,
                "eu_ai_act_tier": a["obligations"]["eu_ai_act"]["tier"],
                "tc260": {
                    "classes": [c["id"] for c in a["obligations"]["tc260"]["classes"]],
                    "grade": a["obligations"]["tc260"]["grade"],
                },
                "summary": a["summary"],
                "register": [
                    {k: e[k] for k in ("area", "likelihood", "severity", "score", "level", "owner")}
                    | {"residual": e["residual"]["level"]}
                    for e in a["register"]["entries"]
                ],
                "seconds": round(time.monotonic() - started, 2),
            }
        )
        return
    eu = a["obligations"]["eu_ai_act"]
    console.print(
        _("EU AI Act tier: {tier}; TC260 application risk: {grade} ({classes})").format(
            tier=eu["tier"],
            grade=a["obligations"]["tc260"]["grade"],
            classes=", ".join(c["id"] for c in a["obligations"]["tc260"]["classes"]) or "—",
        )
    )
    table = Table(title=_("Risk register"), title_justify="left")
    for col in (_("area"), "L", "S", _("risk"), _("residual"), _("owner")):
        table.add_column(col)
    for e in a["register"]["entries"]:
        table.add_row(
            f"{e['area']} {escape(e['title'])}",
            str(e["likelihood"]),
            str(e["severity"]),
            f"{e['score']} {e['level']}",
            e["residual"]["level"],
            escape(e["owner"] or "—"),
        )
    console.print(table)
    cov = Table(title=_("Framework coverage"), title_justify="left")
    for col in (_("framework"), _("status"), _("evidenced"), _("partly"), _("not evidenced")):
        cov.add_column(col)
    for c in a["coverage"]:
        n = c["counts"]
        cov.add_row(
            c["title"], c["status"], str(n["evidenced"]), str(n["partly"]), str(n["not-evidenced"])
        )
    console.print(cov)
    console.print(a["summary"]["verdict_text"])
    for aid in a["summary"]["aids"]:
        console.print(f"  • {escape(aid)}")
    console.print(
        _("Assessment saved in {p} ({s:.1f} s): {files}").format(
            p=folder, s=time.monotonic() - started, files=", ".join(Path(f).name for f in files)
        )
    )


@app.command("frameworks")
def frameworks(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the frameworks assessments map onto, with item and mapping counts."""
    from puhui.assess import taxonomy

    tax = taxonomy.load()
    rows: list[dict[str, Any]] = []
    for fw in tax.frameworks:
        rows.append(
            {
                "id": fw.id,
                "title": fw.short,
                "version": fw.version,
                "items": len(fw.items),
                "verified": sum(1 for i in fw.items if i.verified),
                "mappings": sum(1 for m in tax.mappings if m.framework == fw.id),
            }
        )
    if json_out:
        print_json(rows)
        return
    table = Table()
    for col in ("id", _("framework"), _("version"), _("items"), _("verified"), _("mappings")):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r["id"]),
            str(r["title"]),
            str(r["version"]),
            str(r["items"]),
            str(r["verified"]),
            str(r["mappings"]),
        )
    console.print(table)


@app.command("crosswalk")
def crosswalk(
    fmt: str = typer.Option("oscal", "--format", help=_("oscal (mapping collection) or tsv.")),
    framework: str = typer.Option(None, "--framework", help=_("Only this framework.")),
    catalog: bool = typer.Option(
        False, "--catalog", help=_("With --format oscal: the catalog instead of the mapping.")
    ),
    out: Path = typer.Option(..., "--out", "-o", help=_("File to write.")),
) -> None:
    """Export the risk-area crosswalk (OSCAL 1.2 mapping collection or catalog, or TSV)."""
    import json

    from puhui.artifacts import atomic_write_text
    from puhui.assess import taxonomy

    tax = taxonomy.load()
    if framework:
        tax.framework(framework)
    if fmt == "tsv":
        if framework:
            raise PuhuiError(
                _("--framework works with --format oscal only"), _("drop --framework for TSV")
            )
        text = taxonomy.to_tsv(tax)
    elif fmt == "oscal":
        doc = (
            taxonomy.to_oscal_catalog(tax, framework)
            if catalog
            else taxonomy.to_oscal_mapping(tax, framework)
        )
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    else:
        raise PuhuiError(
            _("--format {f!r} is not known").format(f=fmt), _("use --format oscal or --format tsv")
        )
    atomic_write_text(out, text)
    console.print(_("Wrote {p}").format(p=out))


@app.command("checklist")
def checklist(
    lang: str = typer.Option("en", "--lang", help=LANG_HELP),
    out: Path = typer.Option(
        None, "--out", "-o", help=_("Write a blank answers file to fill in (YAML).")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Show the process checklist, or write a blank answers file for `assess new --answers`."""
    from puhui.assess import taxonomy
    from puhui.assess.messages import languages

    if lang not in languages():
        raise PuhuiError(
            _("--lang {lang!r} is not available").format(lang=lang),
            _("use one of: {langs}").format(langs=", ".join(languages())),
        )
    tax = taxonomy.load()
    items = [(c, it) for c in tax.checklists for it in c.items]
    if out is not None:
        lines = [
            "# Checklist answers for `puhui assess new --answers`.",
            "# value: yes | partial | no | not-applicable",
            "# evidence: [{href: PATH-or-URL, title: ...}]",
            "# Paths are relative to this file and are pinned by sha256 in the assessment.",
            "kind: answers",
            "schema_version: 1",
            "answers:",
        ]
        for c, it in items:
            title = c.titles.get(lang) or c.title
            q = " ".join(it.question_in(lang).split())
            lines.append(f"  # [{title}] {q} ({it.evidence})")
            lines.append(f"  - item: {it.id}")
            lines.append('    value: "no"')
            lines.append('    note: ""')
            lines.append("    evidence: []")
        text = "\n".join(lines) + "\n"
        yaml.safe_load(text)  # must parse
        from puhui.artifacts import atomic_write_text

        atomic_write_text(out, text)
        console.print(_("Wrote {p}: {n} questions to answer").format(p=out, n=len(items)))
        return
    if json_out:
        print_json(
            [
                {
                    "checklist": c.id,
                    "item": it.id,
                    "question": it.question_in(lang),
                    "help": it.help_in(lang),
                    "areas": list(it.areas),
                    "evidences": [f"{f}:{i}" for f, i in it.evidences],
                    "evidence": it.evidence,
                }
                for c, it in items
            ]
        )
        return
    table = Table()
    for col in ("id", _("question"), _("areas"), _("evidence")):
        table.add_column(col)
    for _c, it in items:
        table.add_row(it.id, escape(it.question_in(lang)), ", ".join(it.areas), it.evidence)
    console.print(table)
