"""What a rating task's labels say: agreement per language and question, raters' quality, final
labels.

:func:`task_stats` is the one computation behind ``puhui rate stats``, the hub's task page and
calibration: per language and question Krippendorff's alpha with a bootstrap interval over items,
Fleiss' kappa where every item has the same number of raters, and Cohen's kappa for a pair of
raters who labelled the same items; per rater, agreement with the other raters' majority and with
gold items, and a flag; per item, the final label (majority; None on a tie or with one label).
Gold items check raters and are left out of agreement and final labels.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import asdict
from typing import Any

from puhui.rating.agreement import (
    Level,
    alpha_ci,
    cohen_kappa,
    final_labels,
    fleiss_kappa,
    krippendorff_alpha,
    rater_quality,
)
from puhui.rating.task import current_labels
from puhui.rating.types import QUESTIONS, Label, RatingTask

__all__ = ["final", "task_stats"]


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _units(
    task: RatingTask, labels: Iterable[Label], question: str
) -> dict[str, dict[str, dict[str, str]]]:
    """lang -> item -> rater -> value, real items only."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for (item_id, rater, q), lab in current_labels(labels).items():
        item = task.item(item_id)
        if q != question or item is None or item.is_gold:
            continue
        out.setdefault(item.lang, {}).setdefault(item_id, {})[rater] = lab.value
    return out


def final(task: RatingTask, labels: Iterable[Label], question: str) -> dict[str, str | None]:
    """``item id -> final label`` for ``question`` over real items with at least two labels
    (majority; None on a tie). Items with one label have no final label yet."""
    result: dict[str, str | None] = {}
    for items in _units(task, labels, question).values():
        pairable = {i: list(r.values()) for i, r in items.items() if len(r) >= 2}
        result.update(final_labels(pairable))
    return result


def _agreement(
    items: dict[str, dict[str, str]], question: str, n_boot: int, seed: int
) -> dict[str, Any]:
    q = QUESTIONS[question]
    level: Level = "ordinal" if q.kind == "ordinal" else "nominal"
    order = q.values if q.kind == "ordinal" else None
    units = {i: list(r.values()) for i, r in items.items() if len(r) >= 2}

    def alpha(u: Any) -> float | None:
        return krippendorff_alpha(u, level, order)

    value = alpha(units) if units else None
    ci = alpha_ci(units, level, order, n=n_boot, seed=seed) if value is not None else None
    sizes = {len(v) for v in units.values()}
    fleiss = fleiss_kappa(units) if units and len(sizes) == 1 else None
    # Cohen's kappa for the pair of raters who share the most items (two-rater tasks).
    pairs: dict[tuple[str, str], list[str]] = {}
    for item_id in units:
        raters = sorted(items[item_id])
        for a in range(len(raters)):
            for b in range(a + 1, len(raters)):
                pairs.setdefault((raters[a], raters[b]), []).append(item_id)
    cohen = None
    if pairs:
        (ra, rb), shared = max(pairs.items(), key=lambda kv: (len(kv[1]), kv[0]))
        cohen = {
            "raters": [ra, rb],
            "kappa": _r(
                cohen_kappa([items[i][ra] for i in shared], [items[i][rb] for i in shared])
            ),
            "n": len(shared),
        }
    finals = final_labels(units)
    return {
        "alpha": _r(value),
        "ci_low": _r(ci[0]) if ci else None,
        "ci_high": _r(ci[1]) if ci else None,
        "n": len(units),
        "n_labels": sum(len(v) for v in items.values()),
        "raters": len({r for v in items.values() for r in v}),
        "level": level,
        "fleiss_kappa": _r(fleiss),
        "cohen_kappa": cohen,
        "final": {
            "decided": sum(1 for v in finals.values() if v is not None),
            "tied": sum(1 for v in finals.values() if v is None),
            "waiting": sum(1 for v in items.values() if len(v) < 2),
        },
    }


def task_stats(
    task: RatingTask, labels: list[Label], *, n_boot: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Agreement and rater quality of ``task`` (see the module docstring).

    ``languages`` maps each of the task's languages to the numbers for the task's first
    question (``alpha``, ``ci_low``, ``ci_high``, ``n`` = items with two or more labels, …) and
    to ``questions`` with the same for every question asked. ``raters`` lists each rater's
    quality, worst first; ``flagged`` the ids of flagged raters.
    """
    scored = [q for q in task.questions if QUESTIONS[q].kind != "text"]
    per_q = {q: _units(task, labels, q) for q in scored}
    langs = sorted({i.lang for i in task.items})
    languages: dict[str, Any] = {}
    for lang in langs:
        questions = {q: _agreement(per_q[q].get(lang, {}), q, n_boot, seed) for q in scored}
        first = questions[scored[0]] if scored else {}
        languages[lang] = {**first, "questions": questions}
    raters: dict[str, dict[str, Any]] = {}
    now = current_labels(labels)
    for q in scored:
        triples = [
            (item, rater, lab.value)
            for (item, rater, qq), lab in now.items()
            if qq == q and task.item(item) is not None
        ]
        gold: dict[Hashable, Hashable] = {i.id: i.gold[q] for i in task.items if q in i.gold}
        for rater, quality in rater_quality(triples, gold or None).items():
            entry = raters.setdefault(str(rater), {"rater": str(rater), "questions": {}})
            entry["questions"][q] = {k: v for k, v in asdict(quality).items() if k != "rater"}
    for entry in raters.values():
        qs = entry["questions"].values()
        entry["flagged"] = any(v["flagged"] for v in qs)
        entry["reason"] = "; ".join(v["reason"] for v in qs if v["reason"])
        first_q = entry["questions"].get(scored[0]) if scored else None
        entry["n"] = max((v["n"] for v in qs), default=0)
        entry["agreement"] = _r(first_q["agreement"]) if first_q else None
        entry["gold_accuracy"] = _r(first_q["gold_accuracy"]) if first_q else None
    ranked = sorted(
        raters.values(),
        key=lambda e: (not e["flagged"], e["agreement"] if e["agreement"] is not None else 2.0),
    )
    return {
        "task": task.id,
        "title": task.title,
        "questions": list(task.questions),
        "overlap": task.overlap,
        "items": sum(1 for i in task.items if not i.is_gold),
        "gold_items": sum(1 for i in task.items if i.is_gold),
        "labels": len(now),
        "languages": languages,
        "raters": ranked,
        "flagged": [e["rater"] for e in ranked if e["flagged"]],
    }
