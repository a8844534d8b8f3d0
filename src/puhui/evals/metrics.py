"""The metric registry: every metric a suite may name, and which task kinds compute it.

A task's ``metrics:`` in suite.yaml are checked here when the suite is loaded; the kind that
runs the task computes them (``generate``: :func:`puhui.evals.stats.summarize_task`;
``classify``: :mod:`puhui.evals.classifiers`; ``text-classify``:
:mod:`puhui.evals.text_classifier`). A plugin kind registers its own with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from puhui.errors import PuhuiError
from puhui.i18n import _


@dataclass(frozen=True)
class Metric:
    """A metric name and the kinds whose tasks may ask for it."""

    name: str
    kinds: frozenset[str]


#: Every metric by name, in registration order (the order error messages list them in).
METRICS: dict[str, Metric] = {}


def register(name: str, kinds: Iterable[str]) -> None:
    """Let tasks of ``kinds`` ask for metric ``name`` (a name may serve several kinds)."""
    old = METRICS.get(name)
    METRICS[name] = Metric(name, frozenset(kinds) | (old.kinds if old else frozenset()))


for _name in ("accuracy", "refusal_rate", "compliance_rate", "bias_score"):
    register(_name, {"generate"})
for _name in ("accuracy", "selection_rate", "tpr", "fpr"):
    register(_name, {"classify"})
for _name in ("accuracy", "macro_f1"):
    register(_name, {"text-classify"})


def names(kind: str) -> tuple[str, ...]:
    """The metrics a task of ``kind`` may ask for, in registration order."""
    return tuple(m.name for m in METRICS.values() if kind in m.kinds)


def check(metrics: Sequence[str], kind: str, at: str) -> tuple[str, ...]:
    """``metrics`` as a tuple, each accepted by ``kind``; else a one-line error at ``at``."""
    allowed = names(kind)
    for m in metrics:
        if m not in allowed:
            raise PuhuiError(
                _("{at}.metrics: unknown metric {m!r}").format(at=at, m=m),
                _("use one of: {names}").format(names=", ".join(allowed)),
            )
    return tuple(metrics)
