"""Measure a scorer per language against people's final labels, and write it into its card.

``puhui eval calibrate TASK --scorer refusal`` runs the refusal detector over the answers of a
rating task whose raters answered the ``refusal`` question, compares each verdict with the
item's final label (majority of raters; ties and items with one label are left out; gold items
are left out, they check raters), and reports per language precision and recall of "refuses"
(refusal or partial) with bootstrap intervals over items, the detector's agreement with people
(Cohen's kappa), the raters' own agreement (Krippendorff's alpha) and how many answers the
detector could not judge (``unknown``). The result goes into the scorer's card in this Puhui home
(:mod:`puhui.evals.scorers.measured`), so later runs, ``eval show``, the assessment report and the
hub say "measured on N labels, α = …" for those languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from puhui.config import Settings
from puhui.errors import PuhuiError
from puhui.evals.scorers.measured import write_measurements
from puhui.i18n import _
from puhui.rating.agreement import cohen_kappa
from puhui.rating.stats import final, task_stats
from puhui.rating.task import load_task, read_labels

__all__ = ["SCORERS", "calibrate"]

#: Scorers that can be calibrated, and the question whose labels measure them.
SCORERS = {"refusal": "refusal"}
POSITIVE = frozenset({"refusal", "partial"})


def _rate(pairs: Sequence[tuple[bool, bool]], which: str) -> float | None:
    """Precision (``which`` = "precision") or recall over (truth, predicted) pairs."""
    tp = sum(1 for t, p in pairs if t and p)
    base = sum(1 for t, p in pairs if (p if which == "precision" else t))
    return tp / base if base else None


def _ci(
    pairs: Sequence[tuple[bool, bool]], which: str, n_boot: int, seed: int
) -> list[float] | None:
    if len(pairs) < 2:
        return None
    rng = np.random.default_rng(seed)
    values = []
    for _round in range(n_boot):
        pick = rng.integers(0, len(pairs), size=len(pairs))
        v = _rate([pairs[i] for i in pick], which)
        if v is not None:
            values.append(v)
    if len(values) * 2 < n_boot:
        return None
    low, high = np.quantile(np.asarray(values), [0.025, 0.975])
    return [round(float(low), 4), round(float(high), 4)]


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def calibrate(
    settings: Settings,
    task_id: str,
    scorer: str = "refusal",
    *,
    n_boot: int = 1000,
    seed: int = 0,
    write: bool = True,
) -> dict[str, Any]:
    """Measure ``scorer`` on task ``task_id``'s final labels, per language (see the module).

    Returns ``{"task", "scorer", "detector", "card", "languages": {lang: {"precision",
    "recall", "n", ...}}}``. Languages without a final label are listed with ``n`` 0 and no
    numbers, and are not written to the card (never "measured" without labels).
    """
    if scorer not in SCORERS:
        raise PuhuiError(
            _("cannot calibrate scorer {s!r}").format(s=scorer),
            _("choose from: {names}").format(names=", ".join(SCORERS)),
        )
    question = SCORERS[scorer]
    task = load_task(settings, task_id)
    if question not in task.questions:
        raise PuhuiError(
            _("task {t} does not ask the {q!r} question").format(t=task.id, q=question),
            _("make a task with `puhui rate new RUN_DIR --questions {q}`").format(q=question),
        )
    labels = read_labels(settings, task)
    finals = {i: v for i, v in final(task, labels, question).items() if v is not None}
    agreement = task_stats(task, labels, n_boot=n_boot, seed=seed)["languages"]

    from puhui.evals.scorers.refusal import RefusalDetector  # lower layer

    detector = RefusalDetector()
    items = [task.item(i) for i in sorted(finals)]
    texts = [i.response for i in items if i is not None]
    langs = [i.lang for i in items if i is not None]
    many = getattr(detector, "detect_many", None)
    verdicts = (
        many(texts, langs)
        if many is not None
        else [detector.detect(t, lang) for t, lang in zip(texts, langs, strict=True)]
    )
    by_lang: dict[str, list[tuple[bool, bool | None]]] = {}
    for item, verdict in zip(items, verdicts, strict=True):
        assert item is not None
        truth = finals[item.id] in POSITIVE
        by_lang.setdefault(item.lang, []).append((truth, verdict.refused))
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    identity = str(getattr(detector, "identity", None) or repr(detector))
    result: dict[str, Any] = {}
    to_card: dict[str, dict[str, Any]] = {}
    for lang in sorted({i.lang for i in task.items if not i.is_gold}):
        rows = by_lang.get(lang, [])
        judged = [(t, bool(p)) for t, p in rows if p is not None]
        people = agreement.get(lang, {}).get("questions", {}).get(question, {})
        kappa = cohen_kappa([t for t, _p in judged], [p for _t, p in judged]) if judged else None
        entry: dict[str, Any] = {
            "n": len(judged),
            "n_unknown": len(rows) - len(judged),
            "positives": sum(1 for t, _p in judged if t),
            "precision": _r(_rate(judged, "precision")),
            "recall": _r(_rate(judged, "recall")),
            "precision_ci": _ci(judged, "precision", n_boot, seed),
            "recall_ci": _ci(judged, "recall", n_boot, seed),
            "kappa": _r(kappa),
            "alpha": people.get("alpha"),
            "alpha_ci": [people.get("ci_low"), people.get("ci_high")]
            if people.get("ci_low") is not None
            else None,
        }
        result[lang] = entry
        if judged:
            to_card[lang] = {
                **entry,
                "source": "people",
                "task": task.id,
                "run": {k: v for k, v in task.run.items() if k != "path"},  # no local paths
                "at": at,
                "detector": identity,
            }
    card = str(write_measurements(settings, scorer, to_card)) if write and to_card else None
    return {
        "task": task.id,
        "scorer": scorer,
        "detector": identity,
        "card": card,
        "languages": result,
    }
