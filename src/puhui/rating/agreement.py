"""Agreement between raters and the quality of each rater, computed from plain labels.

``units`` everywhere maps an item to the values its raters gave (a missing label is simply absent
from the list). Every statistic returns ``None`` when it is undefined for the data — too few
pairable values, or no variation at all — rather than a misleading number.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np

from puhui.errors import PuhuiError
from puhui.i18n import _

K = TypeVar("K", bound=Hashable)
V = TypeVar("V", bound=Hashable)

Level = Literal["nominal", "ordinal"]


def _value_index(
    units: Mapping[Any, Sequence[Any]], level: str, order: Sequence[Any] | None
) -> dict[Any, int]:
    """Each value's position: ``order`` when given (required for ordinal), else first seen."""
    if level not in ("nominal", "ordinal"):
        raise PuhuiError(
            _("unknown measurement level {level!r}").format(level=level),
            _("use `level` 'nominal' or 'ordinal'"),
        )
    if order is None:
        if level == "ordinal":
            raise PuhuiError(
                _("an ordinal alpha needs the order of the values"),
                _("pass `order`, lowest first, e.g. ['refusal', 'partial', 'compliance']"),
            )
        index: dict[Any, int] = {}
        for values in units.values():
            for value in values:
                if value is not None and value not in index:
                    index[value] = len(index)
        return index
    index = {value: i for i, value in enumerate(order)}
    if len(index) != len(order):
        raise PuhuiError(_("a value is listed twice in `order`"), _("list each value once"))
    for item, values in units.items():
        for value in values:
            if value is not None and value not in index:
                raise PuhuiError(
                    _("item {item}: value {value!r} is not in `order`").format(
                        item=item, value=value
                    ),
                    _("add it to `order` or correct the label"),
                )
    return index


def _per_item(units: Mapping[Any, Sequence[Any]], index: Mapping[Any, int]) -> np.ndarray:
    """Each item's coincidence matrix (items × values × values), in ``units`` order: each
    ordered pair of values within an item, weighted 1/(m-1); zero for an item with fewer than
    two values."""
    size = len(index)
    out = np.zeros((len(units), size, size), dtype=float)
    for n, values in enumerate(units.values()):
        counts = np.zeros(size, dtype=float)
        for value in values:
            if value is not None:
                counts[index[value]] += 1
        m = counts.sum()
        if m >= 2:
            out[n] = (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    return out


def _alpha_of(matrix: np.ndarray, level: str) -> float | None:
    """Alpha from a coincidence matrix (see :func:`krippendorff_alpha`)."""
    marginals = matrix.sum(axis=1)
    total = float(marginals.sum())
    if total < 2:
        return None
    size = len(marginals)
    if level == "nominal":
        distance = 1.0 - np.eye(size)
    else:
        # Ordinal distance: the values between c and k (inclusive) counted, minus half of each end.
        cumulative = np.concatenate([[0.0], np.cumsum(marginals)])
        c = np.arange(size)
        low = np.minimum.outer(c, c)
        high = np.maximum.outer(c, c)
        between = cumulative[high + 1] - cumulative[low]
        distance = (between - (marginals[:, None] + marginals[None, :]) / 2.0) ** 2
    expected = float((np.outer(marginals, marginals) * distance).sum())
    if expected <= 0.0:
        return None
    observed = float((matrix * distance).sum())
    return 1.0 - (total - 1.0) * observed / expected


def krippendorff_alpha(
    units: Mapping[Any, Sequence[Any]],
    level: Level = "nominal",
    order: Sequence[Any] | None = None,
) -> float | None:
    """Krippendorff's alpha over ``units``; ``order`` (lowest first) is required for ordinal.

    Items with fewer than two values are not pairable and do not count. ``None`` when fewer than
    two pairable values remain or they do not vary.
    """
    index = _value_index(units, level, order)
    return _alpha_of(_per_item(units, index).sum(axis=0), level)


def alpha_ci(
    units: Mapping[Any, Sequence[Any]],
    level: Level = "nominal",
    order: Sequence[Any] | None = None,
    *,
    n: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float] | None:
    """The same interval as ``bootstrap_ci(units, krippendorff_alpha, n, seed, confidence)``
    (the same resamples), computed from each item's coincidence matrix once: a resample's
    matrix is a weighted sum, so a thousand resamples of thousands of items take milliseconds.
    """
    _check_bootstrap(n, confidence)
    if not units:
        return None
    index = _value_index(units, level, order)
    per_item = _per_item(units, index)
    flat = per_item.reshape(len(units), -1)
    rng = np.random.default_rng(seed)
    size = len(index)
    estimates: list[float] = []
    for _round in range(n):
        picks = rng.integers(0, len(units), size=len(units))
        weights = np.bincount(picks, minlength=len(units)).astype(float)
        value = _alpha_of((weights @ flat).reshape(size, size), level)
        if value is not None and not math.isnan(value):
            estimates.append(value)
    return _interval(estimates, n, confidence)


def _check_bootstrap(n: int, level: float) -> None:
    if not 0.0 < level < 1.0:
        raise PuhuiError(
            _("confidence level {level} is not between 0 and 1").format(level=level),
            _("use a `level` such as 0.95"),
        )
    if n < 1:
        raise PuhuiError(_("the number of resamples must be positive"), _("use `n` of 1000"))


def _interval(estimates: list[float], n: int, level: float) -> tuple[float, float] | None:
    """The percentile interval of ``estimates`` (of ``n`` resamples); None when fewer than half
    the resamples gave a value."""
    if len(estimates) * 2 < n:
        return None
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(np.asarray(estimates), [tail, 1.0 - tail])
    return float(low), float(high)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa for two raters' labels of the same items, in the same order.

    ``None`` when there are no items or chance agreement is already perfect.
    """
    if len(a) != len(b):
        raise PuhuiError(
            _("the two raters have {n} and {m} labels").format(n=len(a), m=len(b)),
            _("pass one label per item from each rater, in the same order"),
        )
    n = len(a)
    if n == 0:
        return None
    observed = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    first, second = Counter(a), Counter(b)
    chance = sum(first[value] * second[value] for value in first) / (n * n)
    if chance >= 1.0:
        return None
    return (observed - chance) / (1.0 - chance)


def fleiss_kappa(units: Mapping[Any, Sequence[Hashable]]) -> float | None:
    """Fleiss' kappa when every item has the same number (at least two) of raters.

    ``None`` when there are no items or every label is the same value.
    """
    raters: int | None = None
    for item, values in units.items():
        if raters is None:
            raters = len(values)
            if raters < 2:
                raise PuhuiError(
                    _("item {item}: {n} label(s); Fleiss' kappa needs at least two").format(
                        item=item, n=raters
                    ),
                    _("use krippendorff_alpha for items with fewer labels"),
                )
        elif len(values) != raters:
            raise PuhuiError(
                _("item {item}: {n} labels where the others have {m}").format(
                    item=item, n=len(values), m=raters
                ),
                _("Fleiss' kappa needs the same number of raters per item; use krippendorff_alpha"),
            )
    if raters is None:
        return None
    per_item = [Counter(values) for values in units.values()]
    agreement = [
        (sum(k * k for k in counts.values()) - raters) / (raters * (raters - 1))
        for counts in per_item
    ]
    totals: Counter[Hashable] = Counter()
    for counts in per_item:
        totals.update(counts)
    labels = len(per_item) * raters
    chance = sum((k / labels) ** 2 for k in totals.values())
    if chance >= 1.0:
        return None
    return (sum(agreement) / len(agreement) - chance) / (1.0 - chance)


def bootstrap_ci(
    units: Mapping[Any, Sequence[Any]],
    stat: Callable[[Mapping[Any, Sequence[Any]]], float | None],
    n: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile interval of ``stat`` over ``n`` resamples of the items, with replacement.

    Resamples where ``stat`` is undefined are dropped; ``None`` when no items, or when fewer than
    half the resamples give a value.
    """
    _check_bootstrap(n, level)
    keys = list(units)
    if not keys:
        return None
    rng = np.random.default_rng(seed)
    estimates: list[float] = []
    for _round in range(n):
        picks = rng.integers(0, len(keys), size=len(keys))
        value = stat({i: units[keys[p]] for i, p in enumerate(picks)})
        if value is not None and not math.isnan(value):
            estimates.append(value)
    return _interval(estimates, n, level)


def majority(values: Iterable[V]) -> V | None:
    """The most frequent value; ``None`` when there is none or the top values tie."""
    ranked = Counter(values).most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def final_labels(units: Mapping[K, Sequence[V]]) -> dict[K, V | None]:
    """Each item's label by majority; ``None`` on a tie (send the item to a third rater)."""
    return {item: majority(v for v in values if v is not None) for item, values in units.items()}


@dataclass(frozen=True)
class RaterQuality:
    """How one rater's labels compare with the other raters' and with gold items."""

    rater: Hashable
    n: int  #: items this rater labelled
    n_compared: int  #: of those, items where the other raters had a majority
    agreement: float | None  #: share of compared items matching the others' majority
    n_gold: int  #: gold items this rater labelled
    gold_accuracy: float | None  #: share of those matching gold; None without gold
    flagged: bool
    reason: str  #: why flagged, in words; empty when not


def rater_quality(
    labels: Iterable[tuple[Hashable, Hashable, Hashable]],
    gold: Mapping[Hashable, Hashable] | None = None,
    *,
    threshold: float = 0.5,
    min_items: int = 10,
    gold_threshold: float = 0.6,
    min_gold: int = 5,
) -> dict[Hashable, RaterQuality]:
    """Per rater: agreement with the majority of the OTHER raters and with ``gold``, and a flag.

    ``labels`` are ``(item, rater, value)``; a rater's later label of the same item replaces the
    earlier one. A rater is flagged when their agreement is below ``threshold`` on at least
    ``min_items`` compared items, or their gold accuracy is below ``gold_threshold`` on at least
    ``min_gold`` gold items.
    """
    by_item: dict[Hashable, dict[Hashable, Hashable]] = {}
    for item, rater, value in labels:
        by_item.setdefault(item, {})[rater] = value
    raters: dict[Hashable, list[Hashable]] = {}
    for item, given in by_item.items():
        for rater in given:
            raters.setdefault(rater, []).append(item)
    result: dict[Hashable, RaterQuality] = {}
    for rater, items in raters.items():
        compared = agreed = 0
        gold_seen = gold_right = 0
        for item in items:
            given = by_item[item]
            others = majority(v for r, v in given.items() if r != rater)
            if others is not None:
                compared += 1
                agreed += given[rater] == others
            if gold is not None and item in gold:
                gold_seen += 1
                gold_right += given[rater] == gold[item]
        agreement = agreed / compared if compared else None
        accuracy = gold_right / gold_seen if gold is not None and gold_seen else None
        reasons: list[str] = []
        if agreement is not None and compared >= min_items and agreement < threshold:
            reasons.append(
                _("agrees with the other raters on {p:.0%} of {n} items (below {t:.0%})").format(
                    p=agreement, n=compared, t=threshold
                )
            )
        if accuracy is not None and gold_seen >= min_gold and accuracy < gold_threshold:
            reasons.append(
                _("matches {p:.0%} of {n} gold items (below {t:.0%})").format(
                    p=accuracy, n=gold_seen, t=gold_threshold
                )
            )
        result[rater] = RaterQuality(
            rater=rater,
            n=len(items),
            n_compared=compared,
            agreement=agreement,
            n_gold=gold_seen,
            gold_accuracy=accuracy,
            flagged=bool(reasons),
            reason="; ".join(reasons),
        )
    return result
