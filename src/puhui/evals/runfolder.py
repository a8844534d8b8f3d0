"""The run folder: one copy of its mechanics for every task kind.

A run folder holds ``plan.json`` (frozen before the first answer: suite, tasks, thresholds,
model identity, options, Puhui version), ``log.jsonl`` (one JSON record per task × sample ×
epoch, appended and synced as results arrive), ``summary.json`` (derived from the log;
rebuildable) and, once every planned record is logged, ``manifest.json``.

The same command again resumes: :func:`freeze_plan` checks that the folder holds a run of the
same suite, model and options; :func:`done_keys` says which records are already logged, and a
record cut short by a kill (a trailing line without its newline) is cut off by
:func:`read_log` so that it is asked again. :func:`seal` writes the summary (validated against
schema ``run-summary-1``) and the manifest.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from puhui.artifacts import atomic_write_json, write_manifest
from puhui.errors import PuhuiError
from puhui.evals import summary as run_summary
from puhui.evals.stats import check_thresholds
from puhui.i18n import _

#: The ``schema`` of plan.json and of every log record.
LOG_SCHEMA = 1
#: The plan fields a resumed run must match.
FROZEN = ("suite", "tasks", "model", "options")


def _hint() -> str:
    return _("choose another `out` folder")


def read_plan(out: Path) -> dict[str, Any]:
    """The frozen ``plan.json`` of the run in ``out``."""
    plan: dict[str, Any] = json.loads((out / "plan.json").read_text())
    return plan


def refuse_imported(out: Path) -> None:
    """Runs imported from other tools (``puhui eval import``) are read-only evidence."""
    plan_path = out / "plan.json"
    if not plan_path.is_file():
        return
    try:
        imported = json.loads(plan_path.read_text(encoding="utf-8")).get("imported")
    except (ValueError, AttributeError):
        return  # the usual plan checks report a damaged plan
    if imported:
        raise PuhuiError(
            _("{out} holds a run imported from {tool}; imported runs are read-only").format(
                out=out, tool=imported.get("tool", _("another tool"))
            ),
            _hint(),
        )


def freeze_plan(out: Path, plan: dict[str, Any]) -> dict[str, Any]:
    """Write ``plan`` to ``out/plan.json`` with a ``started`` time, or, when the folder holds a
    plan already, check it is the same run (:data:`FROZEN` fields) and keep its ``started``.
    Returns ``plan`` with ``started`` set. Another run in ``out`` is a one-line error."""
    out.mkdir(parents=True, exist_ok=True)
    plan_path = out / "plan.json"
    if plan_path.exists():
        old = json.loads(plan_path.read_text())
        new = {k: json.loads(json.dumps(plan[k])) for k in FROZEN}
        if {k: old.get(k) for k in FROZEN} != new:
            where = _first_difference({k: old.get(k) for k in FROZEN}, new)
            raise PuhuiError(
                _("{out} holds a run of another suite, model or options ({where} differs)").format(
                    out=out, where=where
                ),
                _(
                    "choose another `out` folder (answers are cached, so the new run asks the "
                    "model nothing it was asked before)"
                ),
            )
        plan["started"] = old.get("started")
    else:
        plan["started"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        atomic_write_json(plan_path, plan)
    return plan


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    """Where two plans first differ, as a dotted path (``tasks.mini/harmful.scorer_identity``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}" if path else key)
    return path or "plan"


def rewrite_plan(out: Path, plan: Mapping[str, Any]) -> None:
    """Write notes a run adds after the fact (e.g. embedding counts) into its plan; the
    :data:`FROZEN` fields must not change."""
    atomic_write_json(out / "plan.json", plan)


def record_key(record: Mapping[str, Any]) -> str:
    """A log record's place in the run: ``task|sample_id|epoch``."""
    return f"{record['task']}|{record['sample_id']}|{record['epoch']}"


def read_log(out: Path) -> Iterator[dict[str, Any]]:
    """Complete records of ``out/log.jsonl``; a trailing partial line (killed mid-write) is cut
    off the file, so that its record is asked again."""
    path = out / "log.jsonl"
    if not path.exists():
        return
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        with open(path, "r+b") as f:
            f.truncate(end)
    for line in data[:end].splitlines():
        if line.strip():
            yield json.loads(line)


def done_keys(out: Path) -> set[str]:
    """The :func:`record_key` of every complete record in the log: what a resume skips."""
    return {record_key(r) for r in read_log(out)}


class LogAppender:
    """Append lines to ``out/log.jsonl``; safe from several threads. On exit the file is
    flushed and synced to disk::

        with LogAppender(out) as log:
            log.write(json_line)
    """

    def __init__(self, out: Path, *, flush_each: bool = False) -> None:
        self._path = out / "log.jsonl"
        self._flush_each = flush_each
        self._lock = threading.Lock()

    def __enter__(self) -> LogAppender:
        self._file = open(self._path, "a", encoding="utf-8")  # closed in __exit__
        return self

    def write(self, line: str) -> None:
        """Append one record (a JSON line ending in a newline)."""
        with self._lock:
            self._file.write(line)
            if self._flush_each:
                self._file.flush()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        finally:
            self._file.close()


def json_line(record: Mapping[str, Any]) -> str:
    """A log record as one line of the log."""
    return json.dumps(record, ensure_ascii=False) + "\n"


def append_log(out: Path, lines: Iterable[str]) -> None:
    """Append ``lines`` to the log and sync it."""
    with LogAppender(out) as log:
        for line in lines:
            log.write(line)


def seal(
    out: Path, plan: Mapping[str, Any], tasks: dict[str, Any], logged: int, **extra: Any
) -> dict[str, Any]:
    """Write ``summary.json`` for a run of any kind and, once complete, its manifest.

    ``extra`` are the kind's own top-level fields (``kind``, ``embeddings``), placed after
    ``model``. The summary is checked against schema ``run-summary-1`` before it is written:
    a mismatch is a bug in the writer, raised as a one-line error.
    """
    complete = logged >= plan["samples"]
    summary = {
        "suite": plan["suite"],
        "model": plan["model"],
        **extra,
        "complete": complete,
        "samples": plan["samples"],
        "logged": logged,
        "tasks": tasks,
        "thresholds": check_thresholds(tasks, plan["thresholds"]),
    }
    run_summary.check(summary, out / "summary.json")
    atomic_write_json(out / "summary.json", summary)
    if complete:
        write_manifest(
            out,
            "run",
            parameters={"suite": plan["suite"], "model": plan["model"], "options": plan["options"]},
            command="puhui eval run",
        )
    return summary
