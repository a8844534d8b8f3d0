"""``puhui eval``: list suites, run them against a model, show and compare runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from puhui.cli._common import JSON_HELP, console, err_console, print_json, progress, settings
from puhui.errors import PuhuiError
from puhui.i18n import _

app = typer.Typer(
    help=_(
        "Evaluate AI systems in your languages: capability parity, safety, over-refusal and "
        "bias, reported per language with 95% confidence intervals and small-slice warnings. "
        "Runs are cached and resumable."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


@app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the bundled suites, and suites installed packages add (`puhui.suites` entry
    points): tasks, languages, samples and licence."""
    from puhui.evals import plugins
    from puhui.evals.tasks import bundled_names, load_suite

    rows: list[dict[str, Any]] = []
    bundled = bundled_names()
    for name in [*bundled, *(n for n in plugins.suite_names() if n not in bundled)]:
        suite = load_suite(name)
        rows.append(
            {
                "name": name,
                "source": "bundled" if name in bundled else "plugin",
                "title": suite.title,
                "tasks": [t.name for t in suite.tasks],
                "languages": suite.languages,
                "samples": sum(len(t.samples) for t in suite.tasks),
                "license": suite.license,
                "description": suite.description,
            }
        )
    if json_out:
        print_json(rows)
        return
    table = Table(title=_("Suites"), title_justify="left")
    for col in (_("name"), _("tasks"), _("languages"), _("samples"), _("licence"), _("what")):
        table.add_column(col, overflow="fold")
    for r in rows:
        langs = r["languages"]
        shown = ", ".join(langs[:8]) + (f" … (+{len(langs) - 8})" if len(langs) > 8 else "")
        table.add_row(
            r["name"],
            ", ".join(r["tasks"]),
            shown,
            str(r["samples"]),
            r["license"],
            escape(r["title"]),
        )
    console.print(table)


@app.command("run")
def run(
    suite: str = typer.Argument(
        ..., help=_("A suite name from `puhui eval list`, or a suite folder/YAML.")
    ),
    model: str = typer.Option(
        None,
        "--model",
        "-m",
        help=_(
            "Model name (default: $PUHUI_MODEL, embedded; demo-classifier for classify suites, "
            "e5-logreg for text-classify). Classify suites also take a scikit-learn "
            ".joblib/.pkl file or an .onnx file; loading a pickle runs its code: only load "
            "files you trust."
        ),
    ),
    out: Path = typer.Option(
        None, "--out", "-o", help=_("Run folder (default: $PUHUI_HOME/runs/SUITE-MODEL).")
    ),
    limit: int = typer.Option(None, min=1, help=_("At most N samples per language per task.")),
    languages: str = typer.Option(
        None,
        help=_("Comma-separated BCP-47 tags; sw matches swh, ar matches arb, zh matches zh-Hans."),
    ),
    concurrency: int = typer.Option(4, min=1, help=_("Requests in flight (lowered on HTTP 429).")),
    max_retries: int = typer.Option(
        4, min=0, help=_("Retries (with backoff) on rate limits, server errors and timeouts.")
    ),
    epochs: int = typer.Option(
        1, min=1, help=_("Times each sample is asked (with seeds seed..seed+N-1).")
    ),
    seed: int = typer.Option(0, help=_("Generation seed, recorded in the plan.")),
    judge_model: str = typer.Option(
        None,
        "--judge-model",
        help=_(
            "Registered model that grades `scorer: judge` tasks (overrides the suite's "
            "scorer_options.model). Its verdicts are cached like answers."
        ),
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Run a suite against a model; the same command again resumes and reuses cached answers.

    Example: puhui eval run sib200 --model embedded --limit 5 --languages sw,yo,ar
    """
    from puhui.api import default_run_folder, run_eval
    from puhui.evals.runner import default_model
    from puhui.evals.tasks import load_suite

    s = settings()
    loaded = load_suite(suite)
    model_name = model or default_model(loaded, s)  # the engine decides the default
    if any(t.kind == "classify" for t in loaded.tasks):
        from puhui.evals.classifiers import trust_note

        if note := trust_note(model_name):
            err_console.print(note, markup=False, soft_wrap=True)
    folder = out or default_run_folder(suite, model, s)
    bar = progress(disable=json_out)
    task_id = bar.add_task(
        _("{suite} on {model}").format(suite=loaded.name, model=model_name), total=None
    )

    def update(done: int, total: int) -> None:
        if not bar.live.is_started:  # drawn once the run starts: checks before it stay one line
            bar.start()
        bar.update(task_id, completed=done, total=total)

    try:
        typed = run_eval(
            suite, model, folder, limit=limit,
            languages=[t for t in (languages or "").split(",")],
            concurrency=concurrency, max_retries=max_retries, epochs=epochs, seed=seed,
            judge_model=judge_model, settings=s, progress=update,
        )  # fmt: skip
    except BaseException:
        bar.stop()
        raise
    if not bar.live.is_started:  # a run with nothing left to ask: its bar, as before
        bar.start()
    bar.stop()
    summary = typed.to_json()
    if json_out:
        print_json(json_summary(folder, summary))
        return
    show_summary(summary)
    console.print(_("Run saved in {p}; see it again with `puhui eval show {p}`.").format(p=folder))


def json_summary(folder: Path, summary: dict[str, Any]) -> dict[str, Any]:
    return {"run": str(folder), **summary}


def _load(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "summary.json"
    if not path.is_file():
        if (run_dir / "log.jsonl").is_file():
            from puhui.evals.runner import finish

            return finish(run_dir)
        raise PuhuiError(
            _("{p} is not an eval run (no summary.json)").format(p=run_dir),
            _("give the --out folder of `puhui eval run`"),
        )
    from puhui.evals.summary import read_summary

    return read_summary(run_dir).to_json()


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f}"


def _fmt_ci(s: dict[str, Any] | None) -> str:
    """A value with its half-width, e.g. 0.812 ±0.041."""
    if not s:
        return "-"
    if s["ci_low"] is None or s["ci_high"] is None:
        return _fmt(s["value"])
    return f"{_fmt(s['value'])} ±{(s['ci_high'] - s['ci_low']) / 2:.3f}"


def show_summary(summary: dict[str, Any]) -> None:
    for task, t in summary["tasks"].items():
        for metric, m in t["metrics"].items():
            table = Table(title=f"{task} · {metric}", title_justify="left")
            for col in (_("language"), _("n"), _("value"), _("95% CI"), ""):
                table.add_column(col, justify="left" if col == _("language") else "right")
            o = m["overall"]
            table.add_row(
                _("all"),
                str(o["n"]),
                _fmt(o["value"]),
                f"{_fmt(o['ci_low'])}–{_fmt(o['ci_high'])}",
                "",
            )
            for r in m["per_language"]:
                note = _("small slice") if r["small"] else ""
                table.add_row(
                    r["language"],
                    str(r["n"]),
                    _fmt(r["value"]),
                    f"{_fmt(r['ci_low'])}–{_fmt(r['ci_high'])}",
                    note,
                )
            for attr, slices in (m.get("per_group") or {}).items():
                for r in slices:
                    table.add_row(
                        f"{attr}={r['group']}",
                        str(r["n"]),
                        _fmt(r["value"]),
                        f"{_fmt(r['ci_low'])}–{_fmt(r['ci_high'])}",
                        _("small slice") if r["small"] else "",
                    )
            console.print(table)
            for attr, diff in (m.get("difference") or {}).items():
                console.print(
                    _("  {a}: difference {d}, ratio {r} between groups").format(
                        a=attr, d=_fmt(diff), r=_fmt(m.get("ratio", {}).get(attr))
                    )
                )
            if m.get("small_groups"):
                err_console.print(
                    _("  [yellow]fewer than 30 samples — too few to decide: {l}[/]").format(
                        l=", ".join(m["small_groups"])
                    )
                )
            w = m.get("worst_language")
            if w:
                console.print(
                    _("  worst language: {l} {v} (mean {m})").format(
                        l=w["language"], v=_fmt(w["value"]), m=_fmt(o["value"])
                    )
                )
            if m["small_slices"]:
                err_console.print(
                    _("  [yellow]fewer than 30 samples — too few to decide: {l}[/]").format(
                        l=", ".join(m["small_slices"])
                    )
                )
        for attr, f in (t.get("fairness") or {}).items():
            table = Table(title=f"{task} · {_('fairness by')} {attr}", title_justify="left")
            for col in (_("measure"), _("value"), _("95% CI")):
                table.add_column(col, justify="left" if col == _("measure") else "right")
            for name, v in f.items():
                if isinstance(v, dict):
                    table.add_row(
                        name, _fmt(v["value"]), f"{_fmt(v['ci_low'])}–{_fmt(v['ci_high'])}"
                    )
            console.print(table)
        _show_unscored(t)
        _show_parsing(t)
        _show_measured(t)
        judge = t.get("judge")
        if judge:
            console.print(
                _("  judged by {m}, asked in the languages the suite declares: {l}").format(
                    m=judge["model"], l=", ".join(judge["languages"]) or "-"
                )
            )
            if t.get("unscored") and judge.get("unvalidated", "unknown") == "unknown":
                err_console.print(
                    _(
                        "  the judge is not asked about languages outside its own; to judge "
                        "them unvalidated, set scorer_options.unvalidated: score"
                    ),
                    markup=False,
                )
            if judge["unvalidated_languages"]:
                err_console.print(
                    _(
                        "  [yellow]the judge is not validated in {l}: read those verdicts "
                        "with care[/]"
                    ).format(l=", ".join(judge["unvalidated_languages"]))
                )
            if judge["unparsed_verdicts"]:
                err_console.print(
                    _("  [yellow]{n} verdicts were unclear and scored 0[/]").format(
                        n=judge["unparsed_verdicts"]
                    )
                )
        if t["errors"]:
            err_console.print(
                _("  [red]{n} samples failed (errors in the log)[/]").format(n=t["errors"])
            )
    for th in summary.get("thresholds", []):
        if th["passed"] is None:
            mark = "[yellow]" + _("not checked") + "[/]"
        else:
            mark = "[green]pass[/]" if th["passed"] else "[red]fail[/]"
        console.print(f"{mark} {th['threshold']} {th['rule']} = {_fmt(th['value'])}")
        if th.get("languages_not_scored"):
            err_console.print(
                _("  [yellow]not scored in {l}: this threshold says nothing about them[/]").format(
                    l=", ".join(th["languages_not_scored"])
                )
            )
    if not summary.get("complete", True) and not summary.get("imported"):
        err_console.print(
            _("[yellow]The run is incomplete; run the same command again to resume.[/]")
        )


def _show_unscored(t: dict[str, Any]) -> None:
    """Samples the scorer could not judge, per language (absent in older summaries: none)."""
    if not t.get("unscored"):
        return
    by_lang = t.get("unscored_by_language") or {}
    where = ", ".join(f"{lang} ({n})" for lang, n in by_lang.items())
    err_console.print(
        _(
            "  [yellow]{n} samples not scored (neither right nor wrong, in no metric): the "
            "scorer cannot judge answers in {langs}[/]"
        ).format(n=t["unscored"], langs=escape(where)),
        soft_wrap=True,
    )


def _show_measured(t: dict[str, Any]) -> None:
    """Where the task's scorer was measured, per language: "measured on N labels, α = …" or
    "not measured" (then its numbers there rest on rules nobody checked)."""
    from puhui.evals.scorers.measured import describe

    m = t.get("measured")
    if not m:
        return
    parts = [f"{lang} {describe(v)}" for lang, v in m["languages"].items()]
    console.print(
        _("  {s} scorer: {where}").format(s=m["scorer"], where="; ".join(parts)),
        markup=False,
        soft_wrap=True,
    )
    unmeasured = [lang for lang, v in m["languages"].items() if not v]
    from puhui.evals.scorers.measured import measurements

    shipped: dict[str, Any] = {}
    if m["scorer"] == "refusal" and m.get("detector"):
        from puhui.evals.scorers.refusal import RefusalDetector

        for classifier in (None, False):  # the configuration the run used, when installed
            candidate = RefusalDetector(classifier=classifier)
            if str(candidate.identity) == m["detector"]:
                shipped = candidate.measured()
    now = measurements(
        settings(), m["scorer"], list(m["languages"]), detector=m.get("detector"), shipped=shipped
    )
    since = [lang for lang, v in now.items() if v and v != m["languages"][lang]]
    if since:
        err_console.print(
            _(
                "  [yellow]the {s} scorer has been measured in {l} since this run: run the same "
                "`puhui eval run` command again to update it[/]"
            ).format(s=m["scorer"], l=", ".join(since)),
            soft_wrap=True,
        )
        unmeasured = [lang for lang in unmeasured if lang not in since]
    if unmeasured:
        err_console.print(
            _(
                "  [yellow]the {s} scorer is not measured in {l}: label some answers "
                "(`puhui rate new`) and run `puhui eval calibrate`[/]"
            ).format(s=m["scorer"], l=", ".join(unmeasured)),
            soft_wrap=True,
        )


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _show_parsing(t: dict[str, Any]) -> None:
    """Parse rate, what unparsed answers count as, and a warning above the 5 % line."""
    p = t.get("parsing")
    if not p:
        return
    o = p["overall"]
    if p.get("policy") == "exclude":
        policy = _("unparsed answers are excluded from the metrics ({n} left out)").format(
            n=p.get("excluded", 0)
        )
    else:
        policy = _("unparsed answers count as wrong")
    console.print(
        _("  parsed {k} of {n} answers ({rate}); {policy}").format(
            k=o["parsed"], n=o["n"], rate=_pct(o["rate"]), policy=policy
        )
    )
    rows = p.get("per_language") or []
    if 1 < len(rows) <= 12:
        console.print(
            _("  parse rate by language: {l}").format(
                l=", ".join(f"{r['language']} {_pct(r['rate'])}" for r in rows)
            ),
            markup=False,
        )
    if p.get("warn"):
        low = [r for r in rows if r.get("warn")]
        where = ", ".join(f"{r['language']} {_pct(r['rate'])}" for r in low) or _pct(o["rate"])
        err_console.print(
            _(
                "  [yellow]warning: more than 5% of answers could not be parsed ({where}); "
                "read these metrics with care[/]"
            ).format(where=escape(where)),
            soft_wrap=True,
        )


@app.command("export")
def export(
    suite: str = typer.Argument(..., help=_("A suite name from `puhui eval list`, or a folder.")),
    out: Path = typer.Option(..., "--out", "-o", help=_("New folder for the suite artifact.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Copy a suite with a manifest (kind suite), to pin it by hash or publish it to a hub.

    Example: puhui eval export sib200 --out suites/sib200 && puhui hub publish suites/sib200
    """
    from puhui.evals.export import export_suite

    manifest = export_suite(suite, out)
    if json_out:
        print_json({"suite": str(out), "id": manifest.id})
        return
    console.print(_("Suite artifact {id} in {out}").format(id=manifest.id, out=out))


@app.command("show")
def show(
    run_dir: Path = typer.Argument(..., help=_("A run folder.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Show a run: every metric per language with its 95% CI, small slices and thresholds."""
    summary = _load(run_dir)
    if json_out:
        print_json(json_summary(run_dir, summary))
        return
    console.print(_("Suite {s} · model {m}").format(s=summary["suite"], m=summary["model"]["name"]))
    show_summary(summary)


@app.command("compare")
def compare(
    run_a: Path = typer.Argument(..., help=_("First run folder.")),
    run_b: Path = typer.Argument(..., help=_("Second run folder.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Two runs side by side, per task, metric, language and group, with the difference.

    "CIs apart" marks rows whose 95% intervals do not overlap: a difference worth a look.
    """
    a, b = _load(run_a), _load(run_b)
    rows: list[dict[str, Any]] = []

    def row(task: str, metric: str, where: dict[str, str | None], ra: Any, rb: Any) -> None:
        va = ra["value"] if ra else None
        vb = rb["value"] if rb else None
        overlap = bool(
            ra
            and rb
            and ra["ci_low"] is not None
            and rb["ci_low"] is not None
            and ra["ci_low"] <= rb["ci_high"]
            and rb["ci_low"] <= ra["ci_high"]
        )
        rows.append(
            {
                "task": task,
                "metric": metric,
                **where,
                "a": ra,
                "b": rb,
                "difference": None if va is None or vb is None else round(vb - va, 4),
                "cis_overlap": overlap,
            }
        )

    for task in sorted(set(a["tasks"]) | set(b["tasks"])):
        ta, tb = a["tasks"].get(task, {}), b["tasks"].get(task, {})
        for metric in sorted(set(ta.get("metrics", {})) | set(tb.get("metrics", {}))):
            sa = ta.get("metrics", {}).get(metric, {})
            sb = tb.get("metrics", {}).get(metric, {})
            ma = {r["language"]: r for r in sa.get("per_language", [])}
            mb = {r["language"]: r for r in sb.get("per_language", [])}
            row(task, metric, {"language": "all"}, sa.get("overall"), sb.get("overall"))
            for lang in sorted(set(ma) | set(mb)):
                row(task, metric, {"language": lang}, ma.get(lang), mb.get(lang))
            ga, gb = sa.get("per_group") or {}, sb.get("per_group") or {}
            for attr in sorted(set(ga) | set(gb)):
                xa = {r["group"]: r for r in ga.get(attr, [])}
                xb = {r["group"]: r for r in gb.get(attr, [])}
                for g in sorted(set(xa) | set(xb)):
                    where = {"language": None, "group": f"{attr}={g}"}
                    row(task, metric, where, xa.get(g), xb.get(g))
    if json_out:
        print_json({"a": str(run_a), "b": str(run_b), "rows": rows})
        return
    table = Table(
        title=_("A = {a} ({ma})  ·  B = {b} ({mb})").format(
            a=run_a, b=run_b, ma=a["model"]["name"], mb=b["model"]["name"]
        ),
        title_justify="left",
    )
    for col in (_("task · metric"), _("language / group"), "A", "B", "B − A", ""):
        table.add_column(col)
    for r in rows:
        note = "" if r["cis_overlap"] or r["difference"] is None else _("CIs apart")
        table.add_row(
            f"{r['task']} · {r['metric']}",
            r["language"] or r["group"],
            _fmt_ci(r["a"]),
            _fmt_ci(r["b"]),
            _fmt(r["difference"]),
            note,
        )
    console.print(table)


@app.command("calibrate")
def calibrate(
    task_id: str = typer.Argument(
        ..., metavar="TASK", help=_("A rating task with people's labels (`puhui rate`).")
    ),
    scorer: str = typer.Option(
        "refusal", "--scorer", help=_("What to measure: refusal (the detector) or judge.")
    ),
    judge_model: str = typer.Option(
        None, "--judge-model", help=_("With --scorer judge: the registered model that judges.")
    ),
    question: str = typer.Option(
        None,
        "--question",
        help=_("With --scorer judge: the yes/no question it is measured on (correct, harmful)."),
    ),
    criteria: str = typer.Option(
        None, "--criteria", help=_("With --scorer judge: the criteria it grades against.")
    ),
    rules_only: bool = typer.Option(
        False,
        "--rules-only",
        help=_(
            "With --scorer refusal: measure the phrase rules alone (as suites with "
            "scorer_options: {classifier: false} use them)."
        ),
    ),
    bootstrap: int = typer.Option(
        1000, "--bootstrap", help=_("Bootstrap resamples for the intervals.")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Measure a scorer per language against people's final labels (precision, recall, its
    agreement with people, the raters' alpha) and write the result into the scorer's card, so
    runs from now on say "measured on N labels" for those languages.

    Example: puhui eval calibrate t-1a2b3c4d5e --scorer refusal

    A judge: puhui eval calibrate TASK --scorer judge --judge-model my-judge --question correct
    """
    from puhui.evals.scorers.measured import describe
    from puhui.rating.calibrate import calibrate as run_calibration

    result = run_calibration(
        settings(),
        task_id,
        scorer,
        n_boot=bootstrap,
        judge_model=judge_model,
        question=question,
        criteria=criteria,
        classifier=False if rules_only else None,
    )
    if json_out:
        print_json(result)
        return
    console.print(
        _("Scorer {s} on the final labels of task {t}:").format(s=result["scorer"], t=task_id),
        markup=False,
    )
    table = Table(title_justify="left")
    for col in (_("language"), "n", _("precision"), _("recall"), "kappa", "alpha", _("unknown")):
        table.add_column(col, justify="left" if col == _("language") else "right")
    for lang, m in result["languages"].items():
        table.add_row(
            lang,
            str(m["n"]),
            _fmt(m["precision"]),
            _fmt(m["recall"]),
            _fmt(m["kappa"]),
            _fmt(m["alpha"]),
            str(m["n_unknown"]),
        )
    console.print(table)
    if result["card"]:
        console.print(_("Written to the scorer's card: {p}").format(p=result["card"]), markup=False)
    for lang, m in result["languages"].items():
        if not m["n"]:
            err_console.print(
                _("  {l}: no final labels yet — {what}").format(l=lang, what=describe(None)),
                markup=False,
            )
