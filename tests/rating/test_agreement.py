"""Agreement statistics checked against an independent implementation and published values."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import krippendorff
import numpy as np
import pytest

from puhui.errors import PuhuiError
from puhui.rating.agreement import (
    alpha_ci,
    bootstrap_ci,
    cohen_kappa,
    final_labels,
    fleiss_kappa,
    krippendorff_alpha,
    rater_quality,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders, 12 units.
PAPER = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def as_units(rows: list[list[Any]]) -> dict[int, list[Any]]:
    """Coder-by-unit rows as units: each unit's values, missing left out."""
    return {u: [row[u] for row in rows if row[u] is not None] for u in range(len(rows[0]))}


def as_matrix(rows: list[list[Any]], code: dict[Any, int] | None = None) -> np.ndarray:
    """Coder-by-unit rows as the krippendorff package wants them (NaN for missing)."""
    return np.array(
        [[np.nan if v is None else (code[v] if code else v) for v in row] for row in rows],
        dtype=float,
    )


def test_alpha_matches_the_paper_and_the_krippendorff_package() -> None:
    units = as_units(PAPER)
    nominal = krippendorff_alpha(units)
    ordinal = krippendorff_alpha(units, "ordinal", order=[1, 2, 3, 4, 5])
    assert nominal == pytest.approx(0.743, abs=5e-4)
    assert ordinal == pytest.approx(0.815, abs=5e-4)
    data = as_matrix(PAPER)
    assert nominal == pytest.approx(krippendorff.alpha(data, level_of_measurement="nominal"))
    assert ordinal == pytest.approx(
        krippendorff.alpha(data, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4, 5])
    )


def test_ordinal_alpha_on_refusal_labels_uses_the_given_order() -> None:
    order = ["refusal", "partial", "compliance"]
    rows = [
        ["refusal", "partial", "compliance", "refusal", "compliance", None],
        ["refusal", "compliance", "compliance", "partial", "compliance", "partial"],
        ["partial", "partial", None, "refusal", "refusal", "partial"],
    ]
    units = as_units(rows)
    code = {v: i for i, v in enumerate(order)}
    expected = krippendorff.alpha(
        as_matrix(rows, code), level_of_measurement="ordinal", value_domain=[0, 1, 2]
    )
    assert krippendorff_alpha(units, "ordinal", order=order) == pytest.approx(expected)
    # The order matters: reversing it is the same scale, a shuffled one is not.
    assert krippendorff_alpha(units, "ordinal", order=order[::-1]) == pytest.approx(expected)
    shuffled = krippendorff_alpha(units, "ordinal", order=["partial", "refusal", "compliance"])
    assert shuffled != pytest.approx(expected)


@pytest.mark.parametrize("seed", range(25))
def test_alpha_matches_the_krippendorff_package_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    coders, items, values = (
        int(rng.integers(2, 6)),
        int(rng.integers(5, 40)),
        int(rng.integers(2, 6)),
    )
    truth = rng.integers(0, values, size=items)
    noisy = rng.random((coders, items)) < rng.uniform(0.1, 0.7)
    data = np.where(noisy, rng.integers(0, values, size=(coders, items)), truth)
    rows: list[list[Any]] = [[None if rng.random() < 0.2 else int(v) for v in row] for row in data]
    units = as_units(rows)
    domain = list(range(values))
    nominal = krippendorff_alpha(units)
    ordinal = krippendorff_alpha(units, "ordinal", order=domain)
    assert nominal is not None and ordinal is not None
    matrix = as_matrix(rows)
    assert nominal == pytest.approx(
        krippendorff.alpha(matrix, level_of_measurement="nominal", value_domain=domain)
    )
    assert ordinal == pytest.approx(
        krippendorff.alpha(matrix, level_of_measurement="ordinal", value_domain=domain)
    )


def test_alpha_is_none_when_undefined() -> None:
    assert krippendorff_alpha({}) is None
    assert krippendorff_alpha({"a": ["x"], "b": ["y"]}) is None  # nothing pairable
    assert krippendorff_alpha({"a": ["x", "x"], "b": ["x", "x", "x"]}) is None  # no variation
    assert krippendorff_alpha({"a": ["x", "y"]}) is not None


def test_alpha_refuses_bad_arguments_in_one_line() -> None:
    with pytest.raises(PuhuiError, match="order") as no_order:
        krippendorff_alpha({"a": [1, 2]}, "ordinal")
    with pytest.raises(PuhuiError, match="'maybe' is not in `order`") as stray:
        krippendorff_alpha({"a": ["refusal", "maybe"]}, "ordinal", order=["refusal", "partial"])
    with pytest.raises(PuhuiError, match="level"):
        krippendorff_alpha({"a": [1, 2]}, "interval")  # type: ignore[arg-type]
    for error in (no_order.value, stray.value):
        assert "\n" not in str(error)


def test_cohen_kappa_on_the_textbook_two_by_two_table() -> None:
    # 50 items: both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    # Observed 0.7; chance 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa (0.7 - 0.5) / 0.5 = 0.4.
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(a, a) == pytest.approx(1.0)
    assert cohen_kappa(["x", "x"], ["x", "x"]) is None
    assert cohen_kappa([], []) is None
    with pytest.raises(PuhuiError, match="3 and 2 labels"):
        cohen_kappa(["x", "y", "x"], ["x", "y"])


# Fleiss' classic worked example: 10 items, 14 raters each, counts per category 1..5.
FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_kappa_on_the_classic_example_checked_by_hand() -> None:
    units = {
        i: [category for category, k in enumerate(row, 1) for _ in range(k)]
        for i, row in enumerate(FLEISS)
    }
    # By hand, exactly: P_i = (sum n_ij^2 - 14) / (14 * 13); p_j = column total / 140.
    p_bar = sum(Fraction(sum(k * k for k in row) - 14, 14 * 13) for row in FLEISS) / 10
    p_e = sum(Fraction(sum(col), 140) ** 2 for col in zip(*FLEISS, strict=True))
    by_hand = float((p_bar - p_e) / (1 - p_e))
    assert float(p_bar) == pytest.approx(0.378, abs=5e-4)
    assert float(p_e) == pytest.approx(0.213, abs=5e-4)
    assert by_hand == pytest.approx(0.210, abs=5e-4)
    assert fleiss_kappa(units) == pytest.approx(by_hand)


def test_fleiss_kappa_refuses_a_mismatched_rater_count() -> None:
    with pytest.raises(PuhuiError, match="item b: 2 labels where the others have 3") as caught:
        fleiss_kappa({"a": ["x", "y", "x"], "b": ["x", "y"]})
    assert "\n" not in str(caught.value)
    assert fleiss_kappa({}) is None
    assert fleiss_kappa({"a": ["x", "x"], "b": ["x", "x"]}) is None


def simulated(items: int, seed: int, coders: int = 3) -> dict[int, list[int]]:
    """Coders who each give the true label 80% of the time, else a random one of four."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 4, size=items)
    return {
        i: [int(truth[i]) if rng.random() < 0.8 else int(rng.integers(0, 4)) for _ in range(coders)]
        for i in range(items)
    }


def test_bootstrap_ci_contains_the_estimate_and_narrows_with_more_items() -> None:
    small, large = simulated(30, seed=1), simulated(400, seed=2)
    widths = []
    for units in (small, large):
        estimate = krippendorff_alpha(units)
        interval = bootstrap_ci(units, krippendorff_alpha, n=300, seed=0)
        assert estimate is not None and interval is not None
        low, high = interval
        assert low <= estimate <= high
        widths.append(high - low)
    assert widths[1] < widths[0] / 2
    # Same seed, same interval; fewer than half the resamples defined -> None.
    assert bootstrap_ci(small, krippendorff_alpha, n=50, seed=3) == bootstrap_ci(
        small, krippendorff_alpha, n=50, seed=3
    )
    assert bootstrap_ci({"a": ["x", "x"]}, krippendorff_alpha, n=20) is None
    assert bootstrap_ci({}, krippendorff_alpha) is None


def test_final_labels_by_majority_and_ties_go_to_a_third_rater() -> None:
    labels = final_labels(
        {
            "a": ["refusal", "refusal", "compliance"],
            "b": ["refusal", "compliance"],
            "c": ["partial"],
            "d": [],
        }
    )
    assert labels == {"a": "refusal", "b": None, "c": "partial", "d": None}


def test_a_planted_bad_rater_is_flagged_and_good_raters_are_not() -> None:
    rng = np.random.default_rng(7)
    values = ["refusal", "partial", "compliance"]
    truth = {f"item{i}": values[int(rng.integers(0, 3))] for i in range(60)}
    labels = []
    for item, true in truth.items():
        for rater in ("amina", "baraka"):
            label = true if rng.random() < 0.9 else values[int(rng.integers(0, 3))]
            labels.append((item, rater, label))
        labels.append((item, "zed", values[int(rng.integers(0, 3))]))
    gold = {item: truth[item] for item in list(truth)[:10]}

    quality = rater_quality(labels, gold)
    assert set(quality) == {"amina", "baraka", "zed"}
    assert quality["zed"].flagged
    assert "other raters" in quality["zed"].reason and "gold" in quality["zed"].reason
    for good in ("amina", "baraka"):
        assert not quality[good].flagged and quality[good].reason == ""
        assert quality[good].n == 60 and quality[good].n_gold == 10
        agreement, accuracy = quality[good].agreement, quality[good].gold_accuracy
        assert agreement is not None and agreement > 0.7
        assert accuracy is not None and accuracy >= 0.8

    without_gold = rater_quality(labels)
    assert without_gold["zed"].gold_accuracy is None and without_gold["zed"].n_gold == 0
    assert without_gold["zed"].flagged and "gold" not in without_gold["zed"].reason
    assert not without_gold["amina"].flagged

    # Too few items to judge: the same bad rater on 5 items is not flagged.
    few = rater_quality([row for row in labels if int(row[0][4:]) >= 55])
    assert not few["zed"].flagged


@pytest.mark.parametrize("level", ["nominal", "ordinal"])
def test_alpha_ci_is_the_bootstrap_of_alpha_computed_faster(level: str) -> None:
    rng = random.Random(7)
    order = ["1", "2", "3", "4", "5"]
    units = {
        i: [rng.choice(order[: 2 + i % 4]) for _ in range(rng.choice([1, 2, 3]))]
        for i in range(120)
    }
    fast = alpha_ci(units, level, order if level == "ordinal" else None, n=300, seed=3)

    def alpha(u: dict) -> float | None:  # type: ignore[type-arg]
        return krippendorff_alpha(u, level, order if level == "ordinal" else None)

    slow = bootstrap_ci(units, alpha, n=300, seed=3)
    assert fast is not None and slow is not None
    assert fast == pytest.approx(slow, abs=1e-12)
    assert alpha_ci({}, "nominal") is None
