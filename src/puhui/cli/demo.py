"""``puhui demo``: the main job on bundled data, end to end and offline.

1. Build and audit a corpus from the bundled messy multilingual demo folder (14 languages,
   planted duplicates, personal data, junk and broken files).
2. Start the embedded model, ask it three questions (English, French, Swahili), print the
   answers with tokens/s, and save them as a verifiable artifact.
3. Evaluate it quickly on bundled suites — topic classification (sib200), harmful prompts in
   several languages (multijail) and over-refusal (xstest) — and print the per-language table
   with 95% confidence intervals.
4. Train the demo classifier on the Adult census data and print its fairness by sex and race
   (selection rate, TPR, FPR per group with CIs; demographic parity and equalized odds).
5.–7. Assess the demo system, certify it and publish everything to a local hub
   (:mod:`puhui.cli.demo_assess`).

Each capability extends it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import TaskID
from rich.table import Table

from puhui.artifacts import atomic_write_text, check, input_ref, write_manifest
from puhui.cli._common import JSON_HELP, console, err_console, print_json, progress, settings
from puhui.i18n import _
from puhui.models import get_model, open_model

QUESTIONS = (
    ("en", "What do plants need to grow?"),
    ("fr", "Qu'est-ce que l'intelligence artificielle ?"),
    ("sw", "Kwa nini elimu ni muhimu?"),
)
SYSTEM = "You are a helpful assistant. Answer briefly, in the language of the question."
MAX_TOKENS = 64


def demo(
    model: str = typer.Option(None, "--model", "-m", help=_("Model to ask (default: embedded).")),
    out: Path = typer.Option(
        None, "--out", help=_("Folder for the demo's artifact (default: $PUHUI_HOME/demo).")
    ),
    hub: bool = typer.Option(
        True,
        "--hub/--no-hub",
        help=_("Publish the results to a local hub left running in the background."),
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Run Puhui's main job on bundled data, offline: build and audit a demo corpus; ask the
    embedded model three questions; evaluate it per language and a classifier per group; assess
    the demo system against eight frameworks (HTML/PDF report, OSCAL); sign a certificate; and
    publish it all to a local hub."""
    s = settings()
    spec = get_model(s, model or "embedded")
    base = out or s.home / "demo"
    corpus = _demo_corpus(base / "corpus", json_out)
    out = base / "answers"
    rows = []
    with progress(disable=json_out) as bar:
        task = bar.add_task(_("Starting {name}").format(name=spec.name), total=len(QUESTIONS))
        with open_model(spec.name, s) as chat_model:
            for lang, question in QUESTIONS:
                bar.update(task, description=_("Asking ({lang})").format(lang=lang))
                answer = chat_model.chat(
                    [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
                    max_tokens=MAX_TOKENS,
                )
                rows.append({"language": lang, "question": question, **answer.as_dict()})
                bar.advance(task)
        bar.update(task, description=_("Done"))

    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(
        out / "answers.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    )
    inputs = [input_ref(spec.gguf, name=f"model:{spec.name}")] if spec.gguf else []
    write_manifest(
        out,
        "demo",
        parameters={"model": spec.name, "max_tokens": MAX_TOKENS, "temperature": 0.0},
        inputs=inputs,
        command="puhui demo",
    )
    manifest = check(out)

    if json_out:
        evals = _demo_evals(base / "runs", spec.name, json_out)
        evals["adult"] = _demo_fairness(base / "runs", json_out)
        assessed, published = _demo_finish(base, spec.name, hub, json_out)
        print_json(
            {
                "corpus": corpus,
                "evals": evals,
                "assessment": assessed,
                "hub": published,
                "model": spec.name,
                "artifact": str(out),
                "id": manifest.id,
                "answers": rows,
            }
        )
        return
    table = Table(title=_("Answers from {name}").format(name=spec.name), title_justify="left")
    for col in (_("lang"), _("question"), _("answer"), _("tokens"), _("tok/s")):
        table.add_column(col, overflow="fold")
    for r in rows:
        speed = r["tokens_per_second"]
        table.add_row(
            r["language"],
            escape(r["question"]),
            escape(r["text"].strip()),
            str(r["completion_tokens"] or "?"),
            f"{speed:.1f}" if speed else "-",
        )
    console.print(table)
    console.print(
        _("Saved as artifact [bold]{id}[/] in {out}; check it with `puhui inspect {out}`.").format(
            id=manifest.id, out=out
        )
    )
    if spec.name == "embedded":
        err_console.print(
            _(
                "[dim]The embedded model is a 135M-parameter English-centric model: expect weak "
                "French and Swahili. Point Puhui at your own model with `puhui models add` and "
                "`puhui demo --model NAME`.[/]"
            )
        )
    _demo_evals(base / "runs", spec.name, json_out)
    _demo_fairness(base / "runs", json_out)
    _demo_finish(base, spec.name, hub, json_out)


def _demo_finish(
    base: Path, model: str, hub: bool, json_out: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Assess and certify from the demo's runs and corpus; publish it all unless ``hub`` is off."""
    from puhui.cli.demo_assess import assess_and_certify, publish_to_hub

    runs = [base / "runs" / name for name, _langs, _n in DEMO_EVALS] + [base / "runs" / "adult"]
    assessed = assess_and_certify(base, [*runs, base / "corpus"], json_out)
    if not hub:
        return assessed, {}
    context = _cards_and_suites(base, model, runs)
    artifacts = [
        *context,
        base / "corpus",
        *runs,
        base / "assessment",
        base / "certificate.json",
    ]
    return assessed, publish_to_hub(base, artifacts, json_out)


def _cards_and_suites(base: Path, model: str, runs: list[Path]) -> list[Path]:
    """The model's card and the suites the runs used, as artifacts (for the hub's lineage)."""
    import shutil

    from puhui.evals.export import export_suite
    from puhui.evals.card import write_card

    made = []
    card = base / "model-card"
    shutil.rmtree(card, ignore_errors=True)
    llm_runs = [r for r in runs if r.name != "adult"]
    write_card(settings(), model, card, llm_runs)
    made.append(card)
    for run in runs:
        folder = base / "suites" / run.name
        shutil.rmtree(folder, ignore_errors=True)
        export_suite(run.name, folder)
        made.append(folder)
    return made


def _demo_corpus(out: Path, json_out: bool) -> dict[str, object]:
    """Build the bundled demo corpus into ``out`` (from scratch) and print where to look."""
    from puhui.corpus.config import load_config
    from puhui.corpus.pipeline import build, local_executor

    raw = Path(str(resources.files("puhui.content").joinpath("demo_corpus", "raw")))
    with err_console.status(_("Building the demo corpus…"), spinner="dots"):
        result = build(
            [raw],
            out,
            load_config(None),
            executor=local_executor(2),
            restart=True,
            name="Puhui demo corpus",
        )
    s = result.summary
    if not json_out:
        removed = ", ".join(f"{k} {v}" for k, v in s["removed"].items())
        console.print(
            _(
                "[bold]Corpus[/] {id}: read {read} documents, kept {kept} in {langs} languages; "
                "removed {removed}; quarantined {q} unreadable inputs."
            ).format(
                id=result.manifest_id,
                read=s["documents_read"],
                kept=s["kept"],
                langs=s["languages"],
                removed=removed,
                q=s["quarantined"],
            )
        )
        console.print(
            _(
                "Look at {o}/audit.html (what is in it), {o}/datasheet.md, {o}/croissant.json, "
                "{o}/data/ (kept), {o}/removed/ (with reasons), {o}/quarantine/."
            ).format(o=out)
        )
    return {"out": str(out), "id": result.manifest_id, **s}


# suite, languages, samples per language: small enough to finish in about a minute on one core
DEMO_EVALS = (
    ("sib200", ("en", "sw", "yo", "ar", "hi"), 2),
    ("multijail", ("en", "sw", "ar", "zh"), 1),
    ("xstest", (), 3),
)


def _demo_evals(runs: Path, model: str, json_out: bool) -> dict[str, object]:
    """Quick runs of three bundled suites; print one per-language table."""
    from puhui.evals.runner import RunOptions, run
    from puhui.evals.tasks import load_suite

    s = settings()
    results: dict[str, object] = {}
    table = Table(
        title=_("Quick evaluation of {m} (tiny samples: read the CIs)").format(m=model),
        title_justify="left",
    )
    for col in (_("suite/task · metric"), _("language"), _("n"), _("value"), _("95% CI")):
        table.add_column(col)
    with progress(disable=json_out) as bar:
        for name, langs, limit in DEMO_EVALS:
            task_id = bar.add_task(_("eval {s}").format(s=name), total=None)

            def update(done: int, total: int, task_id: TaskID = task_id) -> None:
                bar.update(task_id, completed=done, total=total)

            summary = run(
                load_suite(name),
                model,
                runs / name,
                RunOptions(limit=limit, languages=langs),
                s,
                update,
            )
            results[name] = {"run": str(runs / name), **summary}
            for key, t in summary["tasks"].items():
                for metric, m in t["metrics"].items():
                    for r in [m["overall"], *m["per_language"]]:
                        table.add_row(
                            f"{key} · {metric}",
                            r["language"],
                            str(r["n"]),
                            _fmt(r["value"]),
                            f"{_fmt(r['ci_low'])}–{_fmt(r['ci_high'])}",
                        )
    if not json_out:
        console.print(table)
        console.print(
            _(
                "Runs saved in {p}; `puhui eval show {p}/sib200` shows one in full. "
                "For decisions, run full suites: `puhui eval run sib200 --model NAME`."
            ).format(p=runs)
        )
    return results


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


FAIRNESS_METRICS = ("selection_rate", "tpr", "fpr")


def _demo_fairness(runs: Path, json_out: bool) -> dict[str, object]:
    """The Adult census suite on the demo classifier: one table of per-group rates with CIs."""
    from puhui.evals.classifiers import DEMO
    from puhui.evals.runner import RunOptions, run
    from puhui.evals.tasks import load_suite

    with err_console.status(_("Training and scoring the demo classifier on Adult…")):
        summary = run(load_suite("adult"), DEMO, runs / "adult", RunOptions(), settings())
    if json_out:
        return {"run": str(runs / "adult"), **summary}
    for key, t in summary["tasks"].items():
        table = Table(
            title=_("{k} on {m}: rates per group, 95% CIs").format(k=key, m=DEMO),
            title_justify="left",
        )
        for col in (_("attribute"), _("group"), _("n"), *FAIRNESS_METRICS):
            table.add_column(col)
        groups = t["metrics"][FAIRNESS_METRICS[0]]["per_group"]
        for attr, rows in groups.items():
            for i, row in enumerate(rows):
                cells = []
                for metric in FAIRNESS_METRICS:
                    r = t["metrics"][metric]["per_group"][attr][i]
                    cells.append(f"{_fmt(r['value'])} ({_fmt(r['ci_low'])}–{_fmt(r['ci_high'])})")
                small = " ⚠" if row["small"] else ""
                table.add_row(attr, f"{row['group']}{small}", str(row["n"]), *cells)
        console.print(table)
        for attr, f in t["fairness"].items():
            dp, eo = f["demographic_parity_difference"], f["equalized_odds_difference"]
            console.print(
                _(
                    "{a}: demographic parity difference {dp} ({dl}–{dh}), "
                    "equalized odds difference {eo} ({el}–{eh})"
                ).format(
                    a=attr,
                    dp=_fmt(dp["value"]),
                    dl=_fmt(dp["ci_low"]),
                    dh=_fmt(dp["ci_high"]),
                    eo=_fmt(eo["value"]),
                    el=_fmt(eo["ci_low"]),
                    eh=_fmt(eo["ci_high"]),
                )
            )
    console.print(
        _("Run saved in {p}; `puhui eval show {p}` shows it in full.").format(p=runs / "adult")
    )
    return {"run": str(runs / "adult"), **summary}
