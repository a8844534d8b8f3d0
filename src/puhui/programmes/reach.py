"""Who a programme reached — enrolled, attended, completed — by gender × country (or any two of
gender, country, role and age band), with small cells suppressed so no one can be singled out.

:func:`reach` counts per-participant rows (:class:`Reached`) into one two-way table per measure
(cells, row totals, column totals, grand total) plus one-way tables by each single dimension,
then decides which counts to hide:

- **Primary**: a count from 1 to ``k - 1`` is hidden (shown as ``"<5"`` for ``k = 5``), totals
  included. A true zero is shown as 0 (saying nobody of a group enrolled discloses no one),
  except in a group whose enrolment is hidden: there attended and completed are hidden too,
  whatever they are, so "none of these 1–4 people completed" is never shown.
- **Complementary**: every line of the tables (a row with its total, a column with its total,
  the line of row totals with the grand total, and each one-way table with the grand total)
  must not give a hidden count away by subtraction. A line with exactly one hidden count, or
  whose total is shown while its hidden counts add up to less than ``k`` (or to nothing), gets
  one more count hidden: its smallest shown non-zero one, a cell before a total.
- **Audit**: the published counts of one measure are one linear system (each line sums to its
  total; the unknowns are the hidden counts, the shown ones move to the right side). A hidden
  count can be recomputed exactly iff its unit vector lies in the row space of the unknowns'
  coefficients, i.e. iff it is zero in every vector of the null space. While one can be, one
  more count in its lines is hidden, and the lines and the audit run again.

The two-way table's margins *are* the one-way tables of its two dimensions, and every table of a
measure shares one grand total, so the measure's counts are suppressed as one system and a
count is never shown in one table and hidden in another. The completion rate of a group
(completed / enrolled) is given only where both counts are shown.

The same result feeds the page, the CSV (:meth:`Reach.to_csv`) and the JSON of
``puhui programme stats --json`` (:meth:`Reach.cells`), so all three say the same thing.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.programmes.types import AGE_BANDS, GENDERS

#: The dimensions a reach table can be cut by.
DIMENSIONS: tuple[str, ...] = ("gender", "country", "role", "age_band")
#: The counts of each group.
MEASURES: tuple[str, ...] = ("enrolled", "attended", "completed")
#: The value a group with nothing recorded for a dimension is counted under.
UNSPECIFIED = "unspecified"
_ORDER: dict[str, tuple[str, ...]] = {"gender": GENDERS, "age_band": AGE_BANDS}
_TOLERANCE = 1e-9

Count = int | str
Group = tuple[tuple[str, str], ...]  # ((dimension, value), ...) in the order of ``by``; () = all


@dataclass(frozen=True)
class Reached:
    """One enrolled participant, as reach statistics count them (nothing that identifies them)."""

    gender: str = UNSPECIFIED
    country: str = ""
    role: str = ""
    age_band: str = UNSPECIFIED
    attended: bool = False
    completed: bool = False


def _sorted_values(dim: str, values: Iterable[str]) -> list[str]:
    """A dimension's values in the order tables show them: the vocabulary's order for gender
    and age band, sorted otherwise; unknown values after known ones, ``unspecified`` last."""
    order = _ORDER.get(dim, ())

    def key(value: str) -> tuple[int, int, str]:
        if value in order:
            return (0, order.index(value), "")
        return (2 if value == UNSPECIFIED else 1, 0, value)

    return sorted(set(values), key=key)


def _line_exposed(
    values: Sequence[int], parts: Sequence[int], total: int, hidden: set[int], k: int
) -> bool:
    """Whether a line gives away a hidden count: exactly one hidden, or a shown total whose
    hidden parts add up to less than ``k``."""
    count = sum(1 for i in parts if i in hidden) + (total in hidden)
    if count == 0:
        return False
    if count == 1:
        return True
    if total in hidden:
        return False
    return sum(values[i] for i in parts if i in hidden) < k


def _pick(values: Sequence[int], members: Iterable[int], totals: set[int], hidden: set[int]) -> int:
    """The count to hide next among ``members``: the smallest shown non-zero, a cell before a
    total; a shown zero only when nothing else is left. -1 when all are hidden."""
    best = -1
    best_key: tuple[bool, bool, int, int] | None = None
    for i in members:
        if i in hidden:
            continue
        key = (values[i] == 0, i in totals, values[i], i)
        if best_key is None or key < best_key:
            best, best_key = i, key
    return best


def _recoverable(matrix: np.ndarray[Any, Any], hidden: set[int]) -> list[int]:
    """The hidden counts the published ones determine exactly (see the module's docstring)."""
    unknowns = sorted(hidden)
    if not unknowns:
        return []
    a = matrix[:, unknowns]
    a = a[np.any(a != 0, axis=1)]
    if a.shape[0] == 0:
        return []
    _u, s, vt = np.linalg.svd(a, full_matrices=True)
    rank = int(np.sum(s > _TOLERANCE * max(a.shape) * (s[0] if s.size else 1.0)))
    null = vt[rank:].T  # columns span the null space
    if null.shape[1] == 0:
        return unknowns
    norms = np.linalg.norm(null, axis=1)
    return [u for u, norm in zip(unknowns, norms, strict=True) if norm < 1e-7]


def suppress(
    values: Sequence[int], lines: Sequence[tuple[Sequence[int], int]], k: int, forced: set[int]
) -> set[int]:
    """Which of ``values`` to hide: the primary ones (1..k-1), the ``forced`` ones, and enough
    complementary ones that no line and no linear combination of lines gives one away.
    ``lines`` are (parts, total) index tuples: ``sum(values[parts]) == values[total]``."""
    hidden = {i for i, v in enumerate(values) if 0 < v < k} | set(forced)
    if k <= 1 and not forced:
        return hidden
    totals = {total for _parts, total in lines}
    lines_of: dict[int, list[int]] = {}
    for number, (parts, total) in enumerate(lines):
        for i in (*parts, total):
            lines_of.setdefault(i, []).append(number)
    matrix = np.zeros((len(lines), len(values)))
    for number, (parts, total) in enumerate(lines):
        matrix[number, list(parts)] = 1.0
        matrix[number, total] = -1.0
    while True:
        changed = True
        while changed:
            changed = False
            for parts, total in lines:
                if _line_exposed(values, parts, total, hidden, k):
                    more = _pick(values, (*parts, total), totals, hidden)
                    if more >= 0:
                        hidden.add(more)
                        changed = True
        exposed = _recoverable(matrix, hidden)
        if not exposed:
            return hidden
        near = [
            i
            for number in lines_of.get(exposed[0], [])
            for i in (*lines[number][0], lines[number][1])
        ]
        more = _pick(values, near, totals, hidden)
        if more < 0:
            more = _pick(values, range(len(values)), totals, hidden)
        if more < 0:
            return hidden
        hidden.add(more)


@dataclass(frozen=True)
class _Layout:
    """Every group one measure publishes, and the lines that tie their counts together."""

    groups: tuple[Group, ...]
    lines: tuple[tuple[tuple[int, ...], int], ...]


def _layout(by: tuple[str, str], values: dict[str, list[str]]) -> _Layout:
    rows, cols = values[by[0]], values[by[1]]
    groups: list[Group] = [()]
    index: dict[Group, int] = {(): 0}

    def add(group: Group) -> int:
        if group not in index:
            index[group] = len(groups)
            groups.append(group)
        return index[group]

    for r in rows:
        for c in cols:
            add(((by[0], r), (by[1], c)))
    for dim in DIMENSIONS:
        for v in values[dim]:
            add(((dim, v),))
    lines: list[tuple[tuple[int, ...], int]] = []
    for r in rows:
        parts = tuple(index[((by[0], r), (by[1], c))] for c in cols)
        lines.append((parts, index[((by[0], r),)]))
    for c in cols:
        parts = tuple(index[((by[0], r), (by[1], c))] for r in rows)
        lines.append((parts, index[((by[1], c),)]))
    for dim in DIMENSIONS:
        lines.append((tuple(index[((dim, v),)] for v in values[dim]), 0))
    return _Layout(tuple(groups), tuple(lines))


@dataclass(frozen=True)
class Reach:
    """Suppressed reach counts. ``counts[measure][group]`` is an int or ``"<k"``; a group is
    ``((dimension, value), ...)``: two pairs for a cell of the two-way table, one for a row of a
    one-way table, none for the grand total."""

    by: tuple[str, str]
    k: int
    values: dict[str, tuple[str, ...]]
    counts: dict[str, dict[Group, Count]]

    @property
    def hidden_mark(self) -> str:
        return f"<{self.k}"

    def _row(self, group: Group) -> dict[str, Any]:
        row: dict[str, Any] = dict(group)
        for measure in MEASURES:
            row[measure] = self.counts[measure][group]
        enrolled, completed = row["enrolled"], row["completed"]
        shown = isinstance(enrolled, int) and isinstance(completed, int) and enrolled > 0
        row["completion_rate"] = round(completed / enrolled, 4) if shown else None
        return row

    def cells(self) -> list[dict[str, Any]]:
        """The two-way table's cells, rows in order then columns in order: the two dimensions'
        values, then ``enrolled``, ``attended``, ``completed`` (int or ``"<k"``) and
        ``completion_rate`` (a float, or None where a count is hidden or none enrolled)."""
        a, b = self.by
        return [self._row(((a, r), (b, c))) for r in self.values[a] for c in self.values[b]]

    def margin(self, dim: str) -> list[dict[str, Any]]:
        """The one-way table by ``dim`` (for the two dimensions of ``by``, the two-way table's
        row or column totals), in order, without the grand total."""
        if dim not in DIMENSIONS:
            raise ValueError(f"not a dimension: {dim!r}")
        return [self._row(((dim, v),)) for v in self.values[dim]]

    def total(self) -> dict[str, Any]:
        """The grand total (every table's)."""
        return self._row(())

    def to_csv(self) -> str:
        """:meth:`cells` as CSV: a header, then one line per cell in the same order, hidden
        counts as ``"<k"`` and a hidden completion rate as an empty field."""
        return _csv([*self.by, *MEASURES, "completion_rate"], self.cells())

    def margin_csv(self, dim: str) -> str:
        """:meth:`margin` as CSV, the same way."""
        return _csv([dim, *MEASURES, "completion_rate"], self.margin(dim))


def _csv(header: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row[h] is None else row[h] for h in header])
    return out.getvalue()


def reach(rows: Iterable[Reached], by: Sequence[str] = ("gender", "country"), k: int = 5) -> Reach:
    """Count ``rows`` (one per enrolled participant) by ``by`` and by each single dimension,
    and suppress small counts (below ``k``) as the module's docstring says."""
    by_pair = tuple(by)
    if len(by_pair) != 2 or by_pair[0] == by_pair[1] or not set(by_pair) <= set(DIMENSIONS):
        raise PuhuiError(
            _("`by`: {by} is not two different dimensions").format(by=", ".join(by_pair)),
            _("choose two of: {dims}").format(dims=", ".join(DIMENSIONS)),
        )
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise PuhuiError(
            _("`k`: {k} is not a whole number of at least 1").format(k=k),
            _("use the default, 5"),
        )
    a, b = by_pair[0], by_pair[1]
    tally: Counter[tuple[tuple[str, str, str, str], bool, bool]] = Counter(
        (
            (
                r.gender or UNSPECIFIED,
                r.country or UNSPECIFIED,
                r.role or UNSPECIFIED,
                r.age_band or UNSPECIFIED,
            ),
            r.attended,
            r.completed,
        )
        for r in rows
    )
    seen: dict[str, set[str]] = {dim: set() for dim in DIMENSIONS}
    for dims, _attended, _completed in tally:
        for dim, value in zip(DIMENSIONS, dims, strict=True):
            seen[dim].add(value)
    values = {dim: _sorted_values(dim, seen[dim]) for dim in DIMENSIONS}
    layout = _layout((a, b), values)
    where = {group: i for i, group in enumerate(layout.groups)}
    ia, ib = DIMENSIONS.index(a), DIMENSIONS.index(b)
    raw = {m: [0] * len(layout.groups) for m in MEASURES}
    for (dims, attended, completed), n in tally.items():
        targets = [where[()], where[((a, dims[ia]), (b, dims[ib]))]]
        targets += [where[((dim, dims[d]),)] for d, dim in enumerate(DIMENSIONS)]
        for i in targets:
            raw["enrolled"][i] += n
            if attended:
                raw["attended"][i] += n
            if completed:
                raw["completed"][i] += n
    enrolled_hidden = suppress(raw["enrolled"], layout.lines, k, set())
    hidden = {"enrolled": enrolled_hidden}
    for measure in ("attended", "completed"):
        hidden[measure] = suppress(raw[measure], layout.lines, k, enrolled_hidden)
    mark = f"<{k}"
    counts: dict[str, dict[Group, Count]] = {
        m: {group: (mark if i in hidden[m] else raw[m][i]) for i, group in enumerate(layout.groups)}
        for m in MEASURES
    }
    return Reach(
        by=(a, b),
        k=k,
        values={dim: tuple(v) for dim, v in values.items()},
        counts=counts,
    )
