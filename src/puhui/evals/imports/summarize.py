"""The run summary of an imported run: per task, metric and language, with 95% intervals.

Metrics recomputed from per-sample scores get the same percentile bootstrap as native runs
(:func:`puhui.evals.stats.summarize_task`, ``ci_method: "bootstrap"``); metrics known only as
aggregates get the tool's standard error as a normal-approximation interval, clipped to [0, 1]
for proportions (``"normal-stderr"``), or none, with a note.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from puhui.evals.imports.source import _Aggregate, _Metric, _number, _Task
from puhui.evals.stats import MIN_N, summarize_task
from puhui.i18n import _

Z95 = 1.959964


def _round(v: float | None) -> float | None:
    return None if v is None or math.isnan(v) else round(v, 4)


def _bootstrap(rows: list[tuple[str, float]], seed: int) -> dict[str, Any] | None:
    """Overall and per-language slices of the mean of per-sample values ``(language, value)``,
    bootstrapped exactly as native runs are (the native ``accuracy`` is that mean); None when
    there are no values."""
    records = [{"lang": lang, "score": {"value": v}} for lang, v in rows]
    found: dict[str, Any] | None = summarize_task(records, ["accuracy"], seed)["metrics"].get(
        "accuracy"
    )
    return found


def _normal_slice(
    label: str, value: float | None, se: float | None, n: int | None, proportion: bool
) -> dict[str, Any]:
    low = high = None
    if value is not None and se is not None:
        low, high = value - Z95 * se, value + Z95 * se
        if proportion:
            low, high = max(0.0, low), min(1.0, high)
    return {
        "language": label,
        "value": _round(value),
        "n": n,
        "ci_low": _round(low),
        "ci_high": _round(high),
        "small": None if n is None else n < MIN_N,
    }


def _combine(aggs: list[_Aggregate]) -> tuple[float | None, float | None, int | None]:
    """Size-weighted mean of per-language values and the standard error of that mean."""
    if len(aggs) == 1:
        a = aggs[0]
        return a.value, a.stderr, a.n
    if any(a.n is None or a.value is None for a in aggs):
        return None, None, None
    total = sum(a.n or 0 for a in aggs)
    if total == 0:
        return None, None, 0
    value = sum((a.n or 0) * (a.value or 0.0) for a in aggs) / total
    if any(a.stderr is None for a in aggs):
        return value, None, total
    se = math.sqrt(sum(((a.n or 0) / total) ** 2 * (a.stderr or 0.0) ** 2 for a in aggs))
    return value, se, total


def _value(record: Mapping[str, Any], metric: str) -> float | None:
    """A record's score for ``metric``: ``scores[metric]`` (several metrics) or ``score.value``."""
    scores = record.get("scores")
    if isinstance(scores, dict):
        return _number(scores.get(metric))
    return _number((record.get("score") or {}).get("value"))


def _summarize_metric(
    metric: _Metric, scored: list[dict[str, Any]], seed: int
) -> dict[str, Any] | None:
    notes = list(metric.notes)
    if metric.per_sample:
        rows = [(r["lang"], v) for r in scored if (v := _value(r, metric.name)) is not None]
        native = _bootstrap(rows, seed)
        if native is None:
            return None
        overall, per_lang = native["overall"], native["per_language"]
        method: str | None = "bootstrap"
    else:
        merged: dict[str, list[_Aggregate]] = defaultdict(list)
        for a in metric.aggregates:
            merged[a.language].append(a)
        per_lang = []
        for lang in sorted(merged):
            v, se, n = _combine(merged[lang])
            per_lang.append(_normal_slice(lang, v, se, n, metric.proportion))
        v, se, n = _combine(metric.aggregates)
        overall = _normal_slice("all", v, se, n, metric.proportion)
        have_ci = overall["ci_low"] is not None or any(s["ci_low"] is not None for s in per_lang)
        method = "normal-stderr" if have_ci else None
        if not have_ci:
            notes.append(_("the source records no per-sample scores or standard error: no CI"))
        if any(s["n"] is None for s in [overall, *per_lang]):
            notes.append(_("the source records no sample count for some slices"))
    pick = max if not metric.higher_is_better else min
    decidable = [s for s in per_lang if s["small"] is False and s["value"] is not None]
    worst = pick(
        decidable or [s for s in per_lang if s["value"] is not None],
        key=lambda s: s["value"],
        default=None,
    )
    return {
        "overall": overall,
        "per_language": per_lang,
        "per_group": {},
        "worst_language": worst,
        "small_slices": [s["language"] for s in per_lang if s["small"]],
        "ci_method": method,
        "higher_is_better": metric.higher_is_better,
        **({"notes": notes} if notes else {}),
    }


def _summarize_task(task: _Task, seed: int) -> dict[str, Any]:
    errors: Counter[str] = Counter()
    scored = []
    for r in task.records:
        if r.get("error"):
            errors[r["lang"]] += 1
        else:
            scored.append(r)
    metrics = {}
    for name, metric in task.metrics.items():
        m = _summarize_metric(metric, scored, seed)
        if m is not None:
            metrics[name] = m
    if task.records:
        n: int | None = len(scored)
    else:
        first = next(iter(metrics.values()), None)
        n = first["overall"]["n"] if first else None
    return {
        "n": n,
        "errors": sum(errors.values()),
        "errors_by_language": dict(sorted(errors.items())),
        "metrics": metrics,
        "language_from": dict(sorted(task.language_from.items())),
        "source_metrics": task.source_metrics,
    }
