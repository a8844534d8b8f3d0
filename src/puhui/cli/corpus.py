"""``puhui corpus``: build and audit clean local-language text corpora."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import TaskID
from rich.table import Table

from puhui.cli._common import JSON_HELP, console, err_console, print_json, progress
from puhui.errors import PuhuiError
from puhui.i18n import _

app = typer.Typer(
    help=_(
        "Build and audit clean local-language text corpora, offline: language ID for 200+ "
        "languages, script-aware quality filters, exact and near-duplicate removal, PII "
        "redaction with national formats, an audit of who and what is represented, and a "
        "datasheet (Croissant + Markdown)."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


SHOW_SKIPPED = 20  # skipped input paths listed after a build (all are in the audit)


class _Bars:
    """Overall and per-unit progress bars with documents per second."""

    def __init__(self, total_units: int, disable: bool) -> None:
        self.progress = progress(disable=disable)
        self.overall = self.progress.add_task(_("units"), total=total_units)
        self.units: dict[str, TaskID] = {}
        self.counts: dict[str, int] = {}
        self.started = time.monotonic()

        self.started_bars = False

    def __enter__(self) -> _Bars:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started_bars:
            self.progress.__exit__(None, None, None)

    def stage(self, name: str) -> None:
        """Draw the bars once the real work starts (checks before it print nothing)."""
        if name == "process" and not self.started_bars:
            self.started_bars = True
            self.progress.__enter__()

    def update(self, uid: str, n: int, finished: bool) -> None:
        if n >= 0:
            self.counts[uid] = n
            if uid not in self.units:
                self.units[uid] = self.progress.add_task(f"  part-{uid}", total=None)
            self.progress.update(self.units[uid], completed=n)
        if finished:
            if uid in self.units:
                self.progress.remove_task(self.units.pop(uid))
            self.progress.advance(self.overall)
        docs = sum(self.counts.values())
        rate = docs / max(time.monotonic() - self.started, 1e-6)
        self.progress.update(
            self.overall,
            description=_("units · {d:,} docs · {r:,.0f} docs/s").format(d=docs, r=rate),
        )


@app.command("build")
def build(
    inputs: list[Path] = typer.Argument(..., help=_("Files or folders to read (recursively).")),
    out: Path = typer.Option(
        ..., "--out", "-o", help=_("Folder for the corpus (new or resumable).")
    ),
    pipeline: Path = typer.Option(
        None, "--pipeline", "-p", help=_("YAML file choosing steps and options (default: all).")
    ),
    workers: int = typer.Option(2, "--workers", "-w", min=1, help=_("Parallel worker processes.")),
    executor: str = typer.Option(
        "local", help=_("local (process pool) or ray (needs `pip install 'puhui\\[ray]'`).")
    ),
    text_field: str = typer.Option(
        None, help=_("JSON/CSV/Parquet field with the text (default: text, content, body, …).")
    ),
    txt_unit: str = typer.Option(
        None, help=_("For .txt files: one document per file, paragraph or line.")
    ),
    pii_mode: str = typer.Option(
        None, help=_("redact (<EMAIL>), tag (count only) or hash (salted, from $PUHUI_PII_SALT).")
    ),
    regions: str = typer.Option(
        None, help=_("Comma-separated ISO 3166 regions for national phone formats, e.g. NG,GH,KE.")
    ),
    dedup_against: list[Path] = typer.Option(
        [], "--dedup-against", help=_("An earlier corpus: drop documents it already has.")
    ),
    name: str = typer.Option(None, help=_("Dataset name for the datasheet (default: --out name).")),
    restart: bool = typer.Option(False, help=_("Discard an unfinished build in --out first.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Build a clean corpus from raw text: INPUT... → OUT/data/*.jsonl.zst + audit + datasheet.

    Reads .txt .md .jsonl .json .csv .tsv .parquet .html .xml .warc (and .gz/.zst/.xz).
    Steps: normalize → langid → quality → pii → dedup. Dropped documents go to OUT/removed/
    with the rule that dropped them; unreadable input to OUT/quarantine/ with the error.
    Killed? Run the same command again: it resumes and gives byte-identical output.

    Example: puhui corpus build raw/ --out twi-corpus --regions GH
    """
    from puhui.api import build_corpus, corpus_units

    choices: dict[str, Any] = {
        "pipeline": pipeline,
        "executor": executor,
        "text_field": text_field,
        "txt_unit": txt_unit,
        "pii_mode": pii_mode,
        "regions": regions.split(",") if regions else (),
    }
    n_units = corpus_units(inputs, **choices)
    with _Bars(n_units, disable=json_out) as bars:
        result = build_corpus(
            inputs,
            out,
            **choices,
            workers=workers,
            dedup_against=dedup_against,
            restart=restart,
            name=name,
            on_stage=bars.stage,
            on_unit=bars.update,
        )
    s = result.summary
    if json_out:
        print_json(
            {
                "out": str(out),
                "id": result.manifest_id,
                "seconds": round(result.seconds, 2),
                "resumed_units": result.resumed_units,
                **s,
            }
        )
        return
    if result.resumed_units < 0:
        console.print(
            _("{out} is already built ({id}); nothing to do.").format(
                out=out, id=result.manifest_id
            )
        )
    elif result.resumed_units:
        err_console.print(_("Resumed: {n} units were already done.").format(n=result.resumed_units))
    table = Table(title=_("Corpus {id}").format(id=result.manifest_id), title_justify="left")
    table.add_column(_("what"))
    table.add_column(_("documents"), justify="right")
    table.add_row(_("read"), f"{s['documents_read']:,}")
    table.add_row(_("kept"), f"{s['kept']:,}")
    for reason, n in s["removed"].items():
        table.add_row(_("removed: {r}").format(r=reason), f"{n:,}")
    table.add_row(_("quarantined (unreadable)"), f"{s['quarantined']:,}")
    console.print(table)
    skipped = s.get("skipped_inputs") or []
    if skipped:
        err_console.print(
            _("Skipped {n} paths under the inputs (not read):").format(n=len(skipped)),
            highlight=False,
        )
        for item in skipped[:SHOW_SKIPPED]:
            err_console.print(
                f"  {escape(str(item['path']))}: {escape(str(item['reason']))}", highlight=False
            )
        if len(skipped) > SHOW_SKIPPED:
            err_console.print(
                _("  … and {n} more; all are listed in {o}/audit.html").format(
                    n=len(skipped) - SHOW_SKIPPED, o=out
                ),
                highlight=False,
            )
    console.print(
        _("Languages: {n}. Look at {o}/audit.html, {o}/datasheet.md and {o}/data/.").format(
            n=s.get("languages"), o=out
        )
    )


@app.command("audit")
def audit(
    corpus: Path = typer.Argument(..., help=_("A corpus folder made by `puhui corpus build`.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Recompute a corpus's audit (audit.json + audit.html): languages, scripts, drops, PII,
    lengths and a representation check. Prints the per-language table."""
    from puhui.corpus.audit import write_audit

    if not (corpus / "data").is_dir() and not (corpus / "removed").is_dir():
        raise PuhuiError(
            _("{p} is not a corpus folder (no data/)").format(p=corpus),
            _("give the --out folder of `puhui corpus build`"),
        )
    report = write_audit(corpus)
    if json_out:
        print_json(report)
        return
    rows: dict[str, dict[str, Any]] = report["languages"]
    table = Table(title=_("Audit of {p}").format(p=corpus), title_justify="left")
    table.add_column(_("language"))
    for col in (_("documents"), _("characters"), _("removed"), _("dedup rate"), _("PII docs")):
        table.add_column(col, justify="right")
    for lang, r in sorted(rows.items(), key=lambda kv: (-kv[1]["documents"], kv[0]))[:50]:
        rate = r.get("dedup_rate")
        table.add_row(
            escape(f"{lang} {r.get('name') or ''}".strip()),
            f"{r['documents']:,}",
            f"{r['characters']:,}",
            f"{r.get('removed', 0):,}",
            "-" if rate is None else f"{rate:.1%}",
            f"{r.get('documents_with_pii', 0):,}",
        )
    if len(rows) > 50:
        table.caption = _("… and {n} more languages in audit.html").format(n=len(rows) - 50)
    console.print(table)
    for w in report.get("warnings", []):
        err_console.print(f"[yellow]{escape(str(w.get('message', w)))}[/]")
    console.print(_("Full audit: {p}/audit.html").format(p=corpus))
