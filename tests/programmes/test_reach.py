"""Reach statistics: counts by gender × country (and one-way by each dimension) with small cells
suppressed — and an attacker who knows every shown count and total and tries to get the hidden
ones back, by subtraction along lines and by solving the linear system, and must fail."""

from __future__ import annotations

import csv
import io
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from puhui.errors import PuhuiError
from puhui.programmes.reach import DIMENSIONS, MEASURES, Reach, Reached, reach
from puhui.programmes.types import GENDERS

Group = tuple[tuple[str, str], ...]


# ----------------------------------------------------------------------------- helpers


def rows_from(table: dict[tuple[str, str], int], **extra: Any) -> list[Reached]:
    """``n`` participants per (gender, country); the first 80 % attended, the first 60 %
    completed (so attended and completed have small cells of their own)."""
    rows = []
    for (gender, country), n in table.items():
        for i in range(n):
            rows.append(
                Reached(
                    gender=gender,
                    country=country,
                    attended=i < round(n * 0.8),
                    completed=i < round(n * 0.6),
                    **extra,
                )
            )
    return rows


def published(r: Reach, measure: str) -> dict[Group, int | str]:
    """What a reader of the page sees for ``measure``, keyed by the group each number counts."""
    a, b = r.by
    seen: dict[Group, int | str] = {}
    for cell in r.cells():
        seen[((a, cell[a]), (b, cell[b]))] = cell[measure]
    for dim in DIMENSIONS:
        for row in r.margin(dim):
            seen[((dim, row[dim]),)] = row[measure]
    seen[()] = r.total()[measure]
    return seen


def equations(r: Reach) -> list[tuple[list[Group], Group]]:
    """What a reader knows of the tables' shape: each line sums to its total."""
    a, b = r.by
    lines: list[tuple[list[Group], Group]] = []
    for x in r.values[a]:
        lines.append(([((a, x), (b, y)) for y in r.values[b]], ((a, x),)))
    for y in r.values[b]:
        lines.append(([((a, x), (b, y)) for x in r.values[a]], ((b, y),)))
    for dim in DIMENSIONS:
        lines.append(([((dim, v),) for v in r.values[dim]], ()))
    return lines


def attack(
    seen: dict[Group, int | str], lines: list[tuple[list[Group], Group]]
) -> dict[Group, float]:
    """Every hidden count the attacker can pin down, with its value.

    First by subtraction: a line with one unknown gives it away; repeat with what was learnt.
    Then by linear algebra over everything left: unknowns' coefficients ``A`` (parts +1, total
    -1), knowns on the right; an unknown is determined iff adding its unit vector to ``A`` does
    not raise the rank; ``lstsq`` gives its value.
    """
    known = {g: float(v) for g, v in seen.items() if isinstance(v, int)}
    found: dict[Group, float] = {}
    progress = True
    while progress:
        progress = False
        for parts, total in lines:
            members = [*parts, total]
            unknown = [g for g in members if g not in known]
            if len(unknown) == 1:
                (u,) = unknown
                rest = sum(known[g] for g in parts if g in known)
                known[u] = known[total] - rest if u != total else rest
                found[u] = known[u]
                progress = True
    hidden = sorted(g for g in seen if g not in known)
    if hidden:
        col = {g: i for i, g in enumerate(hidden)}
        a = np.zeros((len(lines), len(hidden)))
        rhs = np.zeros(len(lines))
        for row, (parts, total) in enumerate(lines):
            for g, sign in [*((p, 1.0) for p in parts), (total, -1.0)]:
                if g in col:
                    a[row, col[g]] += sign
                else:
                    rhs[row] -= sign * known[g]
        rank = np.linalg.matrix_rank(a)
        solution = np.linalg.lstsq(a, rhs, rcond=None)[0]
        for g, i in col.items():
            unit = np.zeros((1, len(hidden)))
            unit[0, i] = 1.0
            if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
                found[g] = float(solution[i])
    return found


def small_sums(
    r: Reach, seen: dict[Group, int | str], lines: list[tuple[list[Group], Group]]
) -> list[tuple[Group, int]]:
    """Lines whose total is shown but whose hidden parts add up to a small count (a group of
    fewer than k people, disclosed as a whole)."""
    bad = []
    for parts, total in lines:
        hidden = [g for g in parts if not isinstance(seen[g], int)]
        total_value = seen[total]
        if hidden and isinstance(total_value, int):
            rest = total_value - sum(v for g in parts if isinstance(v := seen[g], int))
            if rest < r.k:
                bad.append((total, rest))
    return bad


def check_safe(r: Reach, truth: Reach) -> None:
    """Everything a page of ``r`` must never do, checked against the true counts."""
    lines = equations(r)
    mark = f"<{r.k}"
    for measure in MEASURES:
        seen, real = published(r, measure), published(truth, measure)
        assert set(seen) == set(real)
        for group, value in seen.items():
            assert value == mark or value == real[group], (measure, group)
            assert value == mark or value == 0 or value >= r.k, (measure, group, value)
        found = attack(seen, lines)
        assert found == {}, (measure, found)
        assert small_sums(r, seen, lines) == [], measure
    enrolled = published(r, "enrolled")
    for measure in ("attended", "completed"):
        seen = published(r, measure)
        assert all(seen[g] == mark for g, v in enrolled.items() if v == mark), measure
    for row in [*r.cells(), *(m for d in DIMENSIONS for m in r.margin(d)), r.total()]:
        e, c = row["enrolled"], row["completed"]
        if isinstance(e, int) and isinstance(c, int) and e > 0:
            assert row["completion_rate"] == round(c / e, 4)
        else:
            assert row["completion_rate"] is None


def primary_only(truth: Reach) -> Reach:
    """The counts with only the small ones hidden: what a naive page would show."""
    mark = f"<{truth.k}"
    counts = {
        m: {g: (mark if isinstance(v, int) and 0 < v < 5 else v) for g, v in cs.items()}
        for m, cs in truth.counts.items()
    }
    return Reach(by=truth.by, k=5, values=truth.values, counts=counts)


# ------------------------------------------------------------------------------ tables


def test_counts_and_order() -> None:
    table = {("man", "KE"): 7, ("woman", "KE"): 9, ("woman", "BR"): 12, ("man", "BR"): 30}
    rows = rows_from(table) + [Reached(gender="another", country="", role="x")] * 6
    r = reach(rows, k=1)
    assert r.values["gender"] == ("woman", "man", "another")
    assert r.values["country"] == ("BR", "KE", "unspecified")
    cells = r.cells()
    assert [(c["gender"], c["country"]) for c in cells][:4] == [
        ("woman", "BR"), ("woman", "KE"), ("woman", "unspecified"), ("man", "BR"),
    ]  # fmt: skip
    assert cells[0] == {
        "gender": "woman", "country": "BR", "enrolled": 12, "attended": 10, "completed": 7,
        "completion_rate": round(7 / 12, 4),
    }  # fmt: skip
    assert cells[2]["enrolled"] == 0 and cells[2]["completion_rate"] is None
    assert r.margin("gender")[0] == {
        "gender": "woman", "enrolled": 21, "attended": 17, "completed": 12,
        "completion_rate": round(12 / 21, 4),
    }  # fmt: skip
    assert [m["role"] for m in r.margin("role")] == ["x", "unspecified"]
    assert r.total()["enrolled"] == 64
    assert r.margin("age_band") == [
        {"age_band": "unspecified", "enrolled": 64, "attended": 47, "completed": 34,
         "completion_rate": round(34 / 64, 4)},
    ]  # fmt: skip


def test_other_dimensions_and_bad_arguments() -> None:
    rows = [Reached(role="nurse", age_band="25-34")] * 6 + [Reached(role="clerk", age_band="65+")]
    r = reach(rows, by=("age_band", "role"))
    assert [(c["age_band"], c["role"], c["enrolled"]) for c in r.cells()] == [
        ("25-34", "clerk", 0), ("25-34", "nurse", "<5"),  # 6, hidden: the total is 7
        ("65+", "clerk", "<5"), ("65+", "nurse", 0),
    ]  # fmt: skip
    for by in [("gender",), ("gender", "gender"), ("gender", "sector")]:
        with pytest.raises(PuhuiError, match="`by`"):
            reach(rows, by=by)
    with pytest.raises(PuhuiError, match="`k`"):
        reach(rows, k=0)


def test_primary_suppression_hides_small_counts_totals_included() -> None:
    table = {("woman", "KE"): 3, ("woman", "NG"): 40, ("man", "KE"): 20, ("man", "NG"): 25}
    table |= {("another", "KE"): 1, ("another", "NG"): 2}
    r = reach(rows_from(table))
    cell = {(c["gender"], c["country"]): c for c in r.cells()}
    assert cell["woman", "KE"]["enrolled"] == "<5"
    assert cell["another", "KE"]["enrolled"] == "<5"
    another = next(m for m in r.margin("gender") if m["gender"] == "another")
    assert another["enrolled"] == "<5"  # a row total of 3 is a small count too
    # where enrolment is hidden, so is everything else about the group
    for key in [("woman", "KE"), ("another", "KE"), ("another", "NG")]:
        assert cell[key]["attended"] == cell[key]["completed"] == "<5"
        assert cell[key]["completion_rate"] is None
    check_safe(r, reach(rows_from(table), k=1))


def test_one_small_cell_in_a_row_is_not_left_alone() -> None:
    table = {(g, c): 30 for g in ("woman", "man") for c in ("BR", "KE", "NG")}
    table["woman", "KE"] = 2
    r = reach(rows_from(table))
    cell = {(c["gender"], c["country"]): c["enrolled"] for c in r.cells()}
    hidden = {k for k, v in cell.items() if v == "<5"}
    assert ("woman", "KE") in hidden
    assert any(g == "woman" and c != "KE" for g, c in hidden)  # another in its row
    assert any(g != "woman" and c == "KE" for g, c in hidden)  # and in its column
    truth = reach(rows_from(table), k=1)
    check_safe(r, truth)
    assert attack(published(primary_only(truth), "enrolled"), equations(r)) == {
        (("gender", "woman"), ("country", "KE")): pytest.approx(2.0)
    }  # the naive page gives it away: the attacker works


def test_a_row_whose_total_is_small() -> None:
    table = {("woman", "KE"): 20, ("woman", "NG"): 18, ("man", "KE"): 12, ("man", "NG"): 9}
    table |= {("another", "KE"): 1, ("another", "NG"): 2}
    truth = reach(rows_from(table), k=1)
    r = reach(rows_from(table))
    check_safe(r, truth)
    # naive: both cells and their total hidden, but the column totals give them away
    found = attack(published(primary_only(truth), "enrolled"), equations(r))
    assert found[(("gender", "another"), ("country", "KE"))] == pytest.approx(1.0)


def test_a_two_by_two_table() -> None:
    table = {("woman", "KE"): 4, ("woman", "NG"): 11, ("man", "KE"): 9, ("man", "NG"): 14}
    truth = reach(rows_from(table), k=1)
    r = reach(rows_from(table))
    check_safe(r, truth)
    assert [c["enrolled"] for c in r.cells()].count("<5") == 4  # the whole block


def test_the_linear_audit_finds_what_lines_alone_miss() -> None:
    """Two 2×2 blocks of small cells joined by one small cell: every row and column has two or
    more hidden cells adding up to at least 5, yet the joining cell is the sum of two row
    totals' hidden parts less two columns' hidden parts."""
    genders, countries = GENDERS, ("C1", "C2", "C3", "C4", "C5")
    table = {(g, c): 20 for g in genders for c in countries}
    for g, c in [
        ("woman", "C1"), ("woman", "C2"), ("man", "C1"), ("man", "C2"),  # block one
        ("another", "C3"), ("another", "C4"), ("unspecified", "C3"), ("unspecified", "C4"),
        ("man", "C3"),  # the bridge
    ]:  # fmt: skip
        table[g, c] = 4
    truth = reach(rows_from(table), k=1)
    naive = primary_only(truth)
    lines = equations(truth)
    assert small_sums(naive, published(naive, "enrolled"), lines) == []
    found = attack(published(naive, "enrolled"), lines)
    assert found == {(("gender", "man"), ("country", "C3")): pytest.approx(4.0)}
    check_safe(reach(rows_from(table)), truth)


def test_small_groups_of_other_dimensions_and_the_shared_grand_total() -> None:
    rnd = random.Random(7)
    rows = [
        Reached(
            gender=rnd.choice(GENDERS[:2]),
            country=rnd.choice(["BR", "KE"]),
            role=rnd.choice(["nurse", "clerk", "judge"]) if i else "mayor",
            age_band=rnd.choice(["18-24", "25-34"]) if i > 2 else "65+",
            attended=rnd.random() < 0.9,
            completed=rnd.random() < 0.7,
        )
        for i in range(60)
    ]
    r = reach(rows)
    assert next(m for m in r.margin("role") if m["role"] == "mayor")["enrolled"] == "<5"
    check_safe(r, reach(rows, k=1))


def test_an_empty_programme() -> None:
    r = reach([])
    assert r.cells() == []
    assert r.total() == {"enrolled": 0, "attended": 0, "completed": 0, "completion_rate": None}
    assert r.to_csv() == "gender,country,enrolled,attended,completed,completion_rate\n"


def test_the_csv_equals_the_cells() -> None:
    rnd = random.Random(3)
    table = {(g, c): rnd.choice([0, 1, 3, 6, 12, 40]) for g in GENDERS for c in ("BR", "KE", "NG")}
    r = reach(rows_from(table))
    parsed = list(csv.DictReader(io.StringIO(r.to_csv())))
    assert len(parsed) == len(r.cells()) == 12
    for line, cell in zip(parsed, r.cells(), strict=True):
        assert line == {k: "" if v is None else str(v) for k, v in cell.items()}
    assert any(line["enrolled"] == "<5" for line in parsed)
    margin = list(csv.DictReader(io.StringIO(r.margin_csv("country"))))
    assert margin == [
        {k: "" if v is None else str(v) for k, v in row.items()} for row in r.margin("country")
    ]


# -------------------------------------------------------------------------- properties

COUNTRIES = ("BR", "IN", "KE", "NG", "VN")


@st.composite
def programmes(draw: st.DrawFn) -> list[Reached]:
    """Small, lumpy programmes: a few genders and countries, many small groups."""
    genders = draw(st.lists(st.sampled_from(GENDERS), min_size=1, max_size=4, unique=True))
    countries = draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=5, unique=True))
    rows = []
    for g in genders:
        for c in countries:
            n = draw(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 30]))
            attended = draw(st.integers(0, n))
            completed = draw(st.integers(0, attended))
            role = draw(st.sampled_from(["nurse", "clerk"]))
            rows += [
                Reached(
                    gender=g,
                    country=c,
                    role=role,
                    age_band="18-24" if i % 3 else "25-34",
                    attended=i < attended,
                    completed=i < completed,
                )
                for i in range(n)
            ]
    return rows


@settings(max_examples=150, deadline=None, derandomize=True)
@given(programmes(), st.sampled_from([3, 5]))
def test_no_hidden_count_can_be_recomputed(rows: list[Reached], k: int) -> None:
    r = reach(rows, k=k)
    check_safe(r, reach(rows, k=1))
    parsed = list(csv.DictReader(io.StringIO(r.to_csv())))
    assert parsed == [{k: "" if v is None else str(v) for k, v in c.items()} for c in r.cells()]


def test_fifty_thousand_participants_from_thirty_countries() -> None:
    rnd = random.Random(11)
    countries = [f"C{i:02d}" for i in range(30)]
    weights = [1 + i * i for i in range(30)]
    rows = [
        Reached(
            gender=rnd.choices(GENDERS, [45, 45, 3, 7])[0],
            country=rnd.choices(countries, weights)[0],
            role=rnd.choice(["statistician", "engineer", "manager", "lawyer"]),
            age_band=rnd.choice(["under-18", "18-24", "25-34", "35-44"]),
            attended=rnd.random() < 0.8,
            completed=rnd.random() < 0.6,
        )
        for _ in range(50_000)
    ]
    r = reach(rows)
    assert len(r.cells()) == 120
    assert r.total()["enrolled"] == 50_000
    check_safe(r, reach(rows, k=1))
