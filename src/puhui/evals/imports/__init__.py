"""Import evaluation results made by other tools as read-only Puhui runs.

Institutions often hold evidence from Inspect (``.eval`` and ``.json`` logs) or from
lm-evaluation-harness (``results_*.json``, with ``samples_<task>_*.jsonl`` beside it when run
with ``--log_samples``). :func:`import_run` reads such a file with the standard library (never
importing either tool) and writes a Puhui run folder that ``puhui eval show``/``compare`` and
``puhui inspect`` read like a native one: ``plan.json`` (with an ``imported`` block naming the
tool, its version and the source's sha256), ``log.jsonl`` when the source has per-sample scores,
``summary.json`` (per task, metric and language: ``value``, ``n``, 95% CI, small-slice flag) and
``manifest.json`` (``parameters.imported = true``).

Mapping rules:

- Language per sample: Inspect sample ``metadata`` keys ``language``/``lang``/``locale``/
  ``language_code``/``lang_code`` (a BCP-47 or FLORES code, or a language name); lm-eval: a
  trailing code in the task name (``xnli_sw``, ``belebele_swh_Latn``, ``arc_challenge_mt_ca``),
  or the code after a known family prefix (``global_mmlu_full_yo_…``, ``afrimgsm_amh_…``); then
  the user's ``--language``; else ``und``. How each language was derived is recorded.
  lm-eval tasks that differ only in their language code become one Puhui task.
- Confidence intervals: with per-sample scores, the same percentile bootstrap as native runs
  (``ci_method: "bootstrap"``); with only aggregates, the tool's standard error as a
  normal-approximation 95% interval, clipped to [0, 1] for proportions (``"normal-stderr"``);
  otherwise none, with a note. ``n`` is only what the source recorded.

Modules: :mod:`.inspect` and :mod:`.lm_eval` (the adapters, into the intermediate form of
:mod:`.source`), :mod:`.zipread` (bounded zip members, Zstandard included), :mod:`.task_names`
(languages of samples and task names), :mod:`.summarize` (the summary, with
:mod:`puhui.evals.stats` for bootstrap intervals). The summary is checked against
``run-summary-1`` before anything is written.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from puhui._version import __version__
from puhui.artifacts import atomic_write_json, atomic_write_text, input_ref, write_manifest
from puhui.errors import PuhuiError
from puhui.evals.imports.inspect import _inspect, _read_inspect_eval
from puhui.evals.imports.lm_eval import _lm_eval
from puhui.evals.imports.source import LOG_SCHEMA, _fail, _json_text, _Run, _sha256
from puhui.evals.imports.summarize import _summarize_task
from puhui.evals.imports.task_names import language_from_task_name, language_of_value
from puhui.evals.imports.zipread import MAX_ZIP_MEMBER
from puhui.evals.summary import RunSummary
from puhui.i18n import _

__all__ = [
    "FORMATS",
    "MAX_ZIP_MEMBER",
    "detect_format",
    "import_run",
    "is_imported",
    "language_from_task_name",
    "language_of_value",
    "read_source",
]

FORMATS = ("inspect", "lm-eval")


# ---------------------------------------------------------------- entry point


def _looks_zip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"PK" or path.suffix == ".eval"


def detect_format(path: Path) -> str:
    """``inspect`` or ``lm-eval``: which tool wrote ``path``."""
    if _looks_zip(path):
        return "inspect"
    data = _json_text(path.read_bytes(), str(path))
    if isinstance(data, dict) and isinstance(data.get("eval"), dict):
        return "inspect"
    if isinstance(data, dict) and "results" in data:
        return "lm-eval"
    _fail(
        path,
        _(
            "neither an Inspect log (no field eval) nor lm-evaluation-harness results "
            "(no field results)"
        ),
        _("give an Inspect .eval/.json log or an lm-eval results_*.json"),
    )


def read_source(path: Path, fmt: str | None = None, language: str | None = None) -> _Run:
    """Parse a source file into the intermediate form (raises one-line PuhuiErrors)."""
    if fmt is not None and fmt not in FORMATS:
        raise PuhuiError(
            _("unknown format {f!r}").format(f=fmt),
            _("use one of: {l}").format(l=", ".join(FORMATS)),
        )
    if language is not None and language_of_value(language) is None:
        raise PuhuiError(
            _("`language` {t!r} is not a language tag").format(t=language),
            _("give a BCP-47 tag such as sw, yo or zh-Hans"),
        )
    if not path.is_file():
        _fail(path, _("no such file"), _("check the path"))
    fmt = fmt or detect_format(path)
    if _looks_zip(path):
        if fmt != "inspect":
            _fail(path, _("not lm-evaluation-harness results (a zip archive, not JSON)"))
        header, samples = _read_inspect_eval(path)
        return _inspect(path, header, samples, language)
    data = _json_text(path.read_bytes(), str(path))
    if fmt == "inspect":
        if not isinstance(data, dict) or "eval" not in data:
            _fail(path, _("not an Inspect log (field eval missing)"))
        samples = data.get("samples")
        if samples is not None and not isinstance(samples, list):
            _fail(path, _("field samples is not a list"))
        return _inspect(path, data, samples or None, language)
    if not isinstance(data, dict):
        _fail(path, _("not lm-evaluation-harness results (expected a JSON object)"))
    return _lm_eval(path, data, language)


def import_run(
    path: Path,
    out: Path,
    *,
    fmt: str | None = None,
    language: str | None = None,
    suite: str | None = None,
) -> dict[str, Any]:
    """Import ``path`` (Inspect log or lm-eval results) into the run folder ``out``.

    ``fmt`` forces ``"inspect"`` or ``"lm-eval"`` (default: detected); ``language`` is the tag
    for samples whose language the source does not say; ``suite`` renames the suite (task keys
    become ``suite/task``), e.g. to line the run up with a native one in ``puhui eval compare``.
    Returns the summary, as ``summary.json`` holds it.
    """
    path = Path(path)
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PuhuiError(
            _("{out} already exists and is not an empty folder").format(out=out),
            _("import into a new `out` folder"),
        )
    run = read_source(path, fmt, language)
    if suite:
        for t in run.tasks:
            t.key = f"{suite}/{t.key.split('/', 1)[1]}"
            for r in t.records:
                r["task"] = t.key
        run.suite = suite
    keys = Counter(t.key for t in run.tasks)
    if any(c > 1 for c in keys.values()):  # cannot happen by construction; guard the summary
        raise PuhuiError(_("{p}: two source tasks map to one task name").format(p=path))
    seed = 0
    tasks = {t.key: _summarize_task(t, seed) for t in run.tasks}
    records = sorted(
        (r for t in run.tasks for r in t.records),
        key=lambda r: (r["task"], r["sample_id"], r["epoch"]),
    )
    if records:
        total = len(records)
    else:
        counts = [t["n"] for t in tasks.values()]
        total = sum(c for c in counts if isinstance(c, int))
    imported = {
        "format": run.fmt,
        "tool": run.tool,
        "tool_version": run.tool_version,
        "source_path": str(path.resolve()),
        "source_name": path.name,
        "source_sha256": _sha256(path),
        "source_bytes": path.stat().st_size,
        "per_sample": bool(records),
        "imported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "source": run.source,
    }
    plan: dict[str, Any] = {
        "schema": LOG_SCHEMA,
        "puhui_version": __version__,
        "suite": run.suite,
        "suite_path": None,
        "imported": imported,
        "tasks": {
            t.key: {
                "scorer": f"imported:{t.scorer}",
                "metrics": list(tasks[t.key]["metrics"]),
                "source_tasks": t.source_tasks,
                "language_from": dict(sorted(t.language_from.items())),
            }
            for t in run.tasks
        },
        "thresholds": {},
        "model": run.model,
        "options": {
            "limit": run.limit,
            "languages": [],
            "seed": seed,
            "epochs": run.epochs,
        },
        "samples": total,
        "started": run.started,
    }
    summary: dict[str, Any] = {
        "suite": run.suite,
        "model": run.model,
        "imported": {k: imported[k] for k in ("format", "tool", "tool_version", "source_sha256")},
        "complete": run.complete,
        "samples": total,
        "logged": total,
        "tasks": tasks,
        "thresholds": [],
    }
    # the contract every reader checks: refuse to write a summary that breaks it
    RunSummary.from_json(summary, out / "summary.json")
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_json(out / "plan.json", plan)
    if records:
        atomic_write_text(
            out / "log.jsonl",
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
        )
    atomic_write_json(out / "summary.json", summary)
    write_manifest(
        out,
        "run",
        parameters={
            "imported": True,
            "format": run.fmt,
            "tool": run.tool,
            "tool_version": run.tool_version,
            "suite": run.suite,
            "model": run.model,
            "options": plan["options"],
        },
        inputs=[input_ref(path, name=path.name)] + [input_ref(p, name=p.name) for p in run.inputs],
        command="puhui eval import",
    )
    return summary


def is_imported(run_dir: Path) -> bool:
    """True when ``run_dir`` holds a run made by :func:`import_run` (read-only)."""
    try:
        plan = json.loads((Path(run_dir) / "plan.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(plan, dict) and bool(plan.get("imported"))
