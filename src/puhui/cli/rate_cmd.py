"""``puhui rate``: people label model answers in their own language; Puhui measures how far the
labels agree and which raters to check, and turns final labels into a labelled set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from puhui.cli._common import JSON_HELP, console, print_json, settings
from puhui.errors import PuhuiError
from puhui.i18n import _

app = typer.Typer(
    help=_(
        "Rate model answers with people: make a rating task from an eval run, gather labels "
        "(in the hub, on phones, or from a CSV), see agreement per language and flagged raters, "
        "then measure scorers with `puhui eval calibrate`."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _say(text: object) -> None:
    console.print(text, emoji=False, markup=False, highlight=False, soft_wrap=True)


def _list(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(",") if x.strip()]


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


@app.command("new")
def new(
    run: Path = typer.Argument(..., help=_("An eval run folder (from `puhui eval run`).")),
    questions: str = typer.Option(
        "refusal",
        "--questions",
        help=_("What raters answer, comma-separated: refusal, harmful, correct, fluent, note."),
    ),
    languages: str = typer.Option(
        "", "--languages", help=_("Only answers in these languages (BCP-47, comma-separated).")
    ),
    overlap: int = typer.Option(
        3, "--overlap", help=_("Raters per answer (agreement needs 2 or more; 3 breaks ties).")
    ),
    gold: int = typer.Option(
        2,
        "--gold",
        help=_("Planted gold answers per kind and language, to check raters are reading."),
    ),
    limit: int = typer.Option(
        None, "--limit", help=_("At most this many answers per language (a fixed sample).")
    ),
    title: str = typer.Option(None, "--title", help=_("A title raters see.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Make a rating task from an eval run's answers (the same command again finds it).

    Example: puhui rate new runs/multijail --questions refusal --languages sw,ar --overlap 3
    """
    from puhui.rating.task import new_task

    task, created = new_task(
        settings(),
        run,
        questions=_list(questions),
        languages=_list(languages),
        overlap=overlap,
        gold=gold,
        limit=limit,
        title=title,
    )
    if json_out:
        print_json(
            {
                "id": task.id,
                "created": created,
                "title": task.title,
                "questions": list(task.questions),
                "languages": list(task.languages),
                "overlap": task.overlap,
                "items": [{"id": i.id, "lang": i.lang} for i in task.items if not i.is_gold],
                "gold_items": sum(1 for i in task.items if i.is_gold),
            }
        )
        return
    real = [i for i in task.items if not i.is_gold]
    by_lang: dict[str, int] = {}
    for i in real:
        by_lang[i.lang] = by_lang.get(i.lang, 0) + 1
    _say(
        (_("Made rating task {t}") if created else _("Rating task {t} exists")).format(t=task.id)
        + f": {task.title}"
    )
    _say(
        _("{n} answers ({langs}), {g} gold, {k} raters each; questions: {q}").format(
            n=len(real),
            langs=", ".join(f"{k} {v}" for k, v in sorted(by_lang.items())),
            g=len(task.items) - len(real),
            k=task.overlap,
            q=", ".join(task.questions),
        )
    )
    _say(
        _(
            "Next: `puhui rate publish {t}` to rate on the hub, or `puhui rate import {t} FILE.csv`"
        ).format(t=task.id)
    )


@app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the rating tasks in this Puhui home."""
    from puhui.rating.task import list_tasks, read_labels

    s = settings()
    rows: list[dict[str, Any]] = [
        {
            "id": t.id,
            "title": t.title,
            "languages": list(t.languages),
            "items": sum(1 for i in t.items if not i.is_gold),
            "labels": len(read_labels(s, t)),
            "created": t.created,
        }
        for t in list_tasks(s)
    ]
    if json_out:
        print_json({"tasks": rows})
        return
    if not rows:
        _say(_("No rating tasks yet. Make one with `puhui rate new RUN_DIR`."))
    for r in rows:
        _say(
            f"{r['id']}  {r['title']}  ({', '.join(r['languages'])}; "
            + _("{n} answers, {k} labels").format(n=r["items"], k=r["labels"])
            + ")"
        )


@app.command("show")
def show(
    task_id: str = typer.Argument(..., metavar="TASK", help=_("A rating task id.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Show a task's items (ids, languages) and how many labels each has."""
    from puhui.rating.task import current_labels, load_task, read_labels

    s = settings()
    task = load_task(s, task_id)
    now = current_labels(read_labels(s, task))
    count: dict[str, set[str]] = {}
    for item, rater, _q in now:
        count.setdefault(item, set()).add(rater)
    items = [
        {"id": i.id, "lang": i.lang, "raters": len(count.get(i.id, ())), "gold": i.is_gold}
        for i in task.items
    ]
    if json_out:
        print_json({"id": task.id, "title": task.title, "run": task.run, "items": items})
        return
    _say(f"{task.id}: {task.title}")
    for it in items:
        mark = " (gold)" if it["gold"] else ""
        _say(f"  {it['id']}  {it['lang']}  " + _("{n} raters").format(n=it["raters"]) + mark)


@app.command("import")
def import_(
    task_id: str = typer.Argument(..., metavar="TASK", help=_("A rating task id.")),
    file: Path = typer.Argument(..., help=_("CSV with columns item,rater,question,value.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Add labels from a CSV file (rows already present are skipped; one bad row stops all).

    Example: puhui rate import t-1a2b3c4d5e labels.csv
    """
    from puhui.rating.task import import_labels

    result = import_labels(settings(), task_id, file)
    if json_out:
        print_json({"task": task_id, **result})
        return
    _say(
        _("{a} labels added from {p} ({u} already there)").format(
            a=result["added"], p=file, u=result["unchanged"]
        )
    )


@app.command("stats")
def stats(
    task_id: str = typer.Argument(..., metavar="TASK", help=_("A rating task id.")),
    bootstrap: int = typer.Option(
        1000, "--bootstrap", help=_("Bootstrap resamples for the intervals.")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Agreement per language (Krippendorff's alpha with a 95% interval, Fleiss' kappa),
    final labels decided or tied, and each rater's agreement with the others and with gold.

    Example: puhui rate stats t-1a2b3c4d5e --json
    """
    from puhui.rating.stats import task_stats
    from puhui.rating.task import load_task, read_labels

    s = settings()
    task = load_task(s, task_id)
    result = task_stats(task, read_labels(s, task), n_boot=bootstrap)
    if json_out:
        print_json(result)
        return
    _say(f"{task.id}: {task.title} — " + _("{n} labels").format(n=result["labels"]))
    for q in [q for q in task.questions if q != "note"]:
        _say("")
        _say(_("Question: {q}").format(q=q))
        _say(_("  language  items  alpha  95% CI        decided  tied  waiting"))
        for lang, row in result["languages"].items():
            r = row["questions"][q]
            ci = f"{_fmt(r['ci_low'])}–{_fmt(r['ci_high'])}"
            f = r["final"]
            _say(
                f"  {lang:<9} {r['n']:>5}  {_fmt(r['alpha']):>5}  {ci:<12}  "
                f"{f['decided']:>7}  {f['tied']:>4}  {f['waiting']:>7}"
            )
    _say("")
    _say(_("Raters (agreement with the others' majority; with gold items):"))
    for r in result["raters"]:
        flag = "  " + _("FLAGGED: {why}").format(why=r["reason"]) if r["flagged"] else ""
        agree, gold = _fmt(r["agreement"]), _fmt(r["gold_accuracy"])
        _say(f"  {r['rater']:<20} n={r['n']:<4} {agree}  {gold}{flag}")


@app.command("export")
def export(
    task_id: str = typer.Argument(..., metavar="TASK", help=_("A rating task id.")),
    out: Path = typer.Option(..., "--out", "-o", help=_("A new folder for the labelled set.")),
    license_: str = typer.Option(
        ...,
        "--license",
        help=_("The licence you give the labels (SPDX id, e.g. CC-BY-4.0, CC0-1.0)."),
    ),
    name: str = typer.Option(None, "--name", help=_("The labelled set's name.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write the final labels as a labelled set: labels.jsonl, croissant.json, LICENSE, README,
    sealed with a manifest (publish it with `puhui hub publish`). Rater ids are left out.

    Example: puhui rate export t-1a2b3c4d5e --out sets/refusal-sw-ar --license CC-BY-4.0
    """
    from puhui.rating.export import export_labels

    manifest = export_labels(settings(), task_id, out, license_id=license_, name=name)
    params: dict[str, Any] = dict(manifest.provenance.get("parameters") or {})
    if json_out:
        print_json({"out": str(out), "id": manifest.id, **params})
        return
    _say(
        _("Wrote {n} labelled answers to {p} ({lic})").format(
            n=params.get("items"), p=out, lic=params.get("license")
        )
    )


def _hub(url: str | None, token: str | None) -> tuple[str, str]:
    s = settings()
    target = url or s.hub_url or f"http://127.0.0.1:{s.hub_port}"
    tok = token or s.hub_token
    if not tok:
        raise PuhuiError(
            _("no token given"),
            _("pass --token or set PUHUI_HUB_TOKEN (make one with `puhui hub token new`)"),
        )
    return target, tok


_URL = typer.Option(None, "--url", envvar="PUHUI_HUB_URL", help=_("The hub (default: local)."))
_TOKEN = typer.Option(
    None, "--token", envvar="PUHUI_HUB_TOKEN", help=_("API token with publish scope.")
)


@app.command("publish")
def publish(
    task_id: str = typer.Argument(..., metavar="TASK", help=_("A rating task id.")),
    url: str = _URL,
    token: str = _TOKEN,
    org: str = typer.Option("", "--org", help=_("The organization that runs the rating.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Put a rating task on a hub, where invited raters label it on their phones.

    Example: puhui rate publish t-1a2b3c4d5e --url http://127.0.0.1:8421 --org knbs
    """
    from puhui.hub import client
    from puhui.rating.task import load_task

    target, tok = _hub(url, token)
    task = load_task(settings(), task_id)
    result = client.rating_publish(target, tok, org, task.to_json())
    if json_out:
        print_json(result)
        return
    _say(_("Rating task {t} is on the hub: {u}").format(t=task.id, u=result.get("url")))
    _say(_("Invite raters: `puhui rate invite {t} --languages sw`").format(t=task.id))


@app.command("invite")
def invite(
    task_id: str = typer.Argument(..., metavar="TASK", help=_("A rating task id.")),
    languages: str = typer.Option(
        ..., "--languages", help=_("Languages this rater reads (BCP-47, comma-separated).")
    ),
    days: int = typer.Option(14, "--days", help=_("Days the link stays valid.")),
    url: str = _URL,
    token: str = _TOKEN,
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Make a one-time link that signs a rater up for a published task in their languages."""
    from puhui.hub import client

    target, tok = _hub(url, token)
    result = client.rating_invite(target, tok, task_id, _list(languages), days)
    if json_out:
        print_json(result)
        return
    _say(_("Send this link to one rater (valid until {d}):").format(d=result.get("expires")))
    _say(result.get("url"))


@app.command("pull")
def pull(
    task_id: str = typer.Argument(..., metavar="TASK", help=_("A rating task id.")),
    url: str = _URL,
    token: str = _TOKEN,
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Fetch the labels raters gave on the hub into this task (raters under pseudonyms)."""
    from puhui.hub import client
    from puhui.rating.task import merge_labels

    target, tok = _hub(url, token)
    labels = client.rating_labels(target, tok, task_id)
    result = merge_labels(settings(), task_id, labels, source="hub")
    if json_out:
        print_json({"task": task_id, **result})
        return
    _say(
        _("{a} new labels from the hub ({u} already here)").format(
            a=result["added"], u=result["unchanged"]
        )
    )
