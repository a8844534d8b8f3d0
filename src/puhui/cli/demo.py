"""``puhui demo``: draws :func:`puhui.demo.run_demo` as it runs (spinners, progress bars,
tables), or prints one JSON document at the end. The work is in :mod:`puhui.demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import Progress, TaskID
from rich.status import Status
from rich.table import Table

from puhui.cli._common import JSON_HELP, console, err_console, print_json, progress, settings
from puhui.i18n import _


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
    from puhui.demo import run_demo

    screen = _Screen(json_out)
    try:
        result = run_demo(model, out, hub=hub, settings=settings(), on_event=screen.event)
    finally:
        screen.close()
    if json_out:
        corpus = result.corpus
        evals: dict[str, Any] = {
            name: {"run": str(result.base / "runs" / name), **summary.to_json()}
            for name, summary in result.runs.items()
        }
        print_json(
            {
                "corpus": {
                    "out": str(result.base / "corpus"),
                    "id": corpus.manifest_id,
                    **corpus.summary,
                },
                "evals": evals,
                "assessment": result.assessment,
                "hub": result.hub,
                "programme": result.programme,
                "mirror": result.mirror,
                "rating": result.rating,
                "model": result.model,
                "artifact": str(result.answers_dir),
                "id": result.answers_manifest.id,
                "answers": result.answers,
            }
        )


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


FAIRNESS_METRICS = ("selection_rate", "tpr", "fpr")


class _Screen:
    """What ``puhui demo`` shows for each event of :func:`puhui.demo.run_demo`."""

    def __init__(self, json_out: bool) -> None:
        self.json_out = json_out
        self.status: Status | None = None
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.tasks: dict[str, TaskID] = {}
        self.model = ""
        self.evals: Table | None = None

    def event(self, name: str, data: dict[str, Any]) -> None:
        handler = getattr(self, "on_" + name.replace(":", "_"), None)
        if handler is not None:
            handler(data)

    def close(self) -> None:
        self._stop_status()
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def _spin(self, text: str) -> None:
        self.status = err_console.status(text, spinner="dots")
        self.status.start()

    def _stop_status(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None

    # ---------------------------------------------------------------- 1. corpus

    def on_corpus_start(self, _data: dict[str, Any]) -> None:
        self._spin(_("Building the demo corpus…"))

    def on_corpus(self, data: dict[str, Any]) -> None:
        self._stop_status()
        if self.json_out:
            return
        result, out = data["result"], data["out"]
        s = result.summary
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

    # ---------------------------------------------------------------- 2. answers

    def on_answers_start(self, data: dict[str, Any]) -> None:
        self.model = data["model"]
        self.bar = progress(disable=self.json_out)
        self.bar.start()
        self.task = self.bar.add_task(
            _("Starting {name}").format(name=data["model"]), total=data["total"]
        )

    def on_answers_ask(self, data: dict[str, Any]) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(
                self.task, description=_("Asking ({lang})").format(lang=data["language"])
            )

    def on_answers_answered(self, _data: dict[str, Any]) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.advance(self.task)

    def on_answers_done(self, _data: dict[str, Any]) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description=_("Done"))
            self.bar.stop()
            self.bar = None

    def on_answers(self, data: dict[str, Any]) -> None:
        if self.json_out:
            return
        rows, manifest, out = data["rows"], data["manifest"], data["out"]
        table = Table(title=_("Answers from {name}").format(name=self.model), title_justify="left")
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
            _(
                "Saved as artifact [bold]{id}[/] in {out}; check it with `puhui inspect {out}`."
            ).format(id=manifest.id, out=out)
        )
        if self.model == "embedded":
            err_console.print(
                _(
                    "[dim]The embedded model is a 135M-parameter English-centric model: expect "
                    "weak French and Swahili. Point Puhui at your own model with `puhui models "
                    "add` and `puhui demo --model NAME`.[/]"
                )
            )

    # ---------------------------------------------------------------- 3. evals

    def on_evals_start(self, _data: dict[str, Any]) -> None:
        self.evals = Table(
            title=_("Quick evaluation of {m} (tiny samples: read the CIs)").format(m=self.model),
            title_justify="left",
        )
        for col in (_("suite/task · metric"), _("language"), _("n"), _("value"), _("95% CI")):
            self.evals.add_column(col)
        self.bar = progress(disable=self.json_out)
        self.bar.start()

    def on_eval_start(self, data: dict[str, Any]) -> None:
        if self.bar is not None:
            self.tasks[data["suite"]] = self.bar.add_task(
                _("eval {s}").format(s=data["suite"]), total=None
            )

    def on_eval_progress(self, data: dict[str, Any]) -> None:
        if self.bar is not None:
            task = self.tasks[data["suite"]]
            self.bar.update(task, completed=data["done"], total=data["total"])

    def on_eval(self, data: dict[str, Any]) -> None:
        if self.evals is None:
            return
        summary = data["summary"].to_json()
        for key, t in summary["tasks"].items():
            for metric, m in t["metrics"].items():
                for r in [m["overall"], *m["per_language"]]:
                    self.evals.add_row(
                        f"{key} · {metric}",
                        r["language"],
                        str(r["n"]),
                        _fmt(r["value"]),
                        f"{_fmt(r['ci_low'])}–{_fmt(r['ci_high'])}",
                    )

    def on_evals_done(self, data: dict[str, Any]) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
        if self.json_out or self.evals is None:
            return
        console.print(self.evals)
        console.print(
            _(
                "Runs saved in {p}; `puhui eval show {p}/sib200` shows one in full. "
                "For decisions, run full suites: `puhui eval run sib200 --model NAME`."
            ).format(p=data["runs"])
        )

    # ---------------------------------------------------------------- 4. fairness

    def on_fairness_start(self, _data: dict[str, Any]) -> None:
        self.status = err_console.status(_("Training and scoring the demo classifier on Adult…"))
        self.status.start()

    def on_fairness(self, data: dict[str, Any]) -> None:
        from puhui.demo import DEMO_CLASSIFIER

        self._stop_status()
        if self.json_out:
            return
        summary = data["summary"].to_json()
        for key, t in summary["tasks"].items():
            table = Table(
                title=_("{k} on {m}: rates per group, 95% CIs").format(k=key, m=DEMO_CLASSIFIER),
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
                        cells.append(
                            f"{_fmt(r['value'])} ({_fmt(r['ci_low'])}–{_fmt(r['ci_high'])})"
                        )
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
            _("Run saved in {p}; `puhui eval show {p}` shows it in full.").format(p=data["run"])
        )

    # ---------------------------------------------------------------- 5.–6. assessment

    def on_assess_start(self, _data: dict[str, Any]) -> None:
        self._spin(_("Assessing the demo system (report, PDF, OSCAL)…"))

    def on_assessment(self, data: dict[str, Any]) -> None:
        self._stop_status()
        if self.json_out:
            return
        info = data["info"]
        out, cert = info["assessment"], Path(info["certificate"])
        console.print(
            _(
                "[bold]Assessment[/] of {name}: EU AI Act tier {tier}. Read {o}/report.html "
                "(or report.pdf); OSCAL assessment-results in {o}/oscal.json."
            ).format(name=data["system"], tier=info["eu_ai_act_tier"], o=out)
        )
        console.print(
            _(
                "[bold]Certificate[/] {c} ({valid}); printable page with QR code: {p}. "
                "Check it offline with `puhui cert verify {c}`."
            ).format(
                c=cert,
                valid=_("valid") if info["certificate_valid"] else _("NOT valid"),
                p=cert.with_suffix(".pdf"),
            ),
            emoji=False,
        )

    # ---------------------------------------------------------------- 7. hub

    def on_hub_start(self, _data: dict[str, Any]) -> None:
        self._spin(_("Starting a local hub and publishing…"))

    def on_programme_start(self, _data: dict[str, Any]) -> None:
        self._spin(_("Running a demo training programme…"))

    def on_programme(self, info: dict[str, Any]) -> None:
        self._stop_status()
        if self.json_out:
            return
        console.print(
            _(
                "[bold]Programme[/] {p}: {n} synthetic participants, 3 sessions; {c} completion "
                "credentials in {d} (verify one with `puhui cert verify FILE`). Who was reached, "
                "small numbers hidden: {pdf} (also .html and .csv)."
            ).format(
                p=info["programme"],
                n=info["participants"],
                c=info["credentials"],
                d=info["credentials_dir"],
                pdf=info["reach_pdf"],
            )
        )

    def on_mirror_start(self, _data: dict[str, Any]) -> None:
        self._spin(_("Starting a second hub that mirrors the first…"))

    def on_mirror(self, info: dict[str, Any]) -> None:
        self._stop_status()
        if self.json_out:
            return
        console.print(
            _(
                "Second hub at {url} mirrors {n} items from the first (`puhui hub sync` again to "
                "follow it)"
            ).format(url=info["url"], n=info["mirrored"]),
            markup=False,
        )

    def on_rating_start(self, _data: dict[str, Any]) -> None:
        self._spin(_("Making a small rating task on the hub…"))

    def on_rating(self, info: dict[str, Any]) -> None:
        self._stop_status()
        if self.json_out:
            return
        console.print(
            _(
                "Rating task {id}: {n} Swahili and Arabic answers for people to label on their "
                "phones, at {url} — a rater joins with {invite}; then `puhui rate pull {id}`, "
                "`puhui rate stats {id}` and `puhui eval calibrate {id}`."
            ).format(id=info["id"], n=info["items"], url=info["url"], invite=info["invite"]),
            markup=False,
            soft_wrap=True,
        )

    def on_hub(self, info: dict[str, Any]) -> None:
        self._stop_status()
        if self.json_out:
            return
        console.print(
            _(
                "[bold]Hub[/] at {url} with {n} items (model card, suites, corpus, runs, "
                "assessment, certificate, courses), linked by lineage. Sign in as {u} (password in "
                "{p}); stop it with `puhui hub stop`."
            ).format(url=info["url"], n=len(info["items"]), u=info["user"], p=info["password_file"])
        )
        console.print(
            _("[bold]Learn[/]: {n} courses at {url} — start with {first}").format(
                n=len(info["courses"]), url=info["learn"], first=info["courses"][0]
            )
            if info["courses"]
            else _("[bold]Learn[/]: no course was published.")
        )
