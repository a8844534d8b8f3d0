"""Run a suite against a model into a run folder, whatever the kind of its tasks.

:func:`run` picks the suite's task kind from the registry (:mod:`puhui.evals.kinds`), lets the
kind choose the model when none is named, and runs (or resumes) into ``out``; :func:`finish`
rebuilds a run's summary from its plan and log. The run folder itself (plan, append-only log,
resume, seal) is :mod:`puhui.evals.runfolder`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from puhui.config import Settings
from puhui.errors import PuhuiError
from puhui.evals import kinds

# RunOptions, Progress (types.py) and judges_for (generate.py) are imported from here by the
# CLI, the demo and bench/eval_overhead.py since before the split; kept importable here.
from puhui.evals.generate import judges_for
from puhui.evals.runfolder import read_plan, refuse_imported
from puhui.evals.types import Progress, RunOptions, Suite
from puhui.i18n import _

__all__ = ["Progress", "RunOptions", "default_model", "finish", "judges_for", "run"]


def default_model(suite: Suite, settings: Settings) -> str:
    """The model :func:`run` uses for ``suite`` when none is named (its kind decides:
    ``$PUHUI_MODEL`` or embedded for generate, demo-classifier for classify, e5-logreg for
    text-classify)."""
    return kinds.of_suite(suite).default_model(settings)


def run(
    suite: Suite,
    model: str | None,
    out: Path,
    opts: RunOptions,
    settings: Settings,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run (or resume) ``suite`` on ``model`` (None: the kind's default) into the run folder
    ``out``; return the summary."""
    refuse_imported(out)
    kind = kinds.of_suite(suite)
    name = model if model is not None else kind.default_model(settings)
    return kind.run(suite, name, out, opts, settings, progress)


def finish(out: Path) -> dict[str, Any]:
    """Summarize the run in ``out`` (any kind) into ``summary.json`` and seal it."""
    plan = read_plan(out)
    if plan.get("imported"):
        raise PuhuiError(
            _("{out}: summary.json of an imported run is missing").format(out=out),
            _("import the source again with `puhui eval import`"),
        )
    return kinds.get(str(plan.get("kind") or kinds.DEFAULT)).finish(out)
