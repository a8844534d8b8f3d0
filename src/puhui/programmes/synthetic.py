"""Synthetic rosters for the demo, tests and benchmarks: clearly fake people, never real ones.

Names are "Demo Participant 0001" and the like, e-mail addresses use the reserved domain
``example.org`` (RFC 2606), and the demographics are drawn from fixed weights with a seeded
random generator, so the same ``seed`` always gives the same roster. Attendance is drawn per
session with a per-person habit, so some people complete and some do not.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from puhui.programmes.types import AgeBand, Attendance, Gender, Person

#: Thirty countries of a programme for officials from developing countries (ISO 3166-1).
COUNTRIES: tuple[str, ...] = (
    "KE", "NG", "GH", "ET", "TZ", "UG", "RW", "SN", "CI", "CM", "ZA", "ZM", "MW", "MZ", "EG",
    "MA", "PK", "BD", "NP", "LK", "ID", "VN", "KH", "LA", "PH", "MN", "BR", "PE", "BO", "HN",
)  # fmt: skip
GENDER_WEIGHTS: tuple[tuple[Gender, float], ...] = (
    ("woman", 0.46), ("man", 0.48), ("another", 0.01), ("unspecified", 0.05),
)  # fmt: skip
AGE_WEIGHTS: tuple[tuple[AgeBand, float], ...] = (
    ("18-24", 0.08), ("25-34", 0.34), ("35-44", 0.32), ("45-54", 0.17), ("55-64", 0.06),
    ("unspecified", 0.03),
)  # fmt: skip
ROLES = ("statistician", "policy officer", "data scientist", "lecturer", "engineer", "manager")
SECTORS = ("government", "academia", "health", "agriculture", "civil society")


def _pick(rng: random.Random, weights: Sequence[tuple[str, float]]) -> str:
    return rng.choices([v for v, _w in weights], [w for _v, w in weights])[0]


def roster(
    n: int,
    *,
    seed: int = 2026,
    prefix: str = "Demo Participant",
    countries: Sequence[str] = COUNTRIES,
) -> list[Person]:
    """``n`` fake people with consent, spread over ``countries`` (default :data:`COUNTRIES`)."""
    rng = random.Random(seed)
    width = max(4, len(str(n)))
    people = []
    for i in range(1, n + 1):
        number = str(i).zfill(width)
        people.append(
            Person(
                name=f"{prefix} {number}",
                email=f"participant{number}@example.org",
                country=rng.choice(countries),
                organisation=f"Ministry {rng.randint(1, 40)} (fictional)",
                role=rng.choice(ROLES),
                sector=rng.choice(SECTORS),
                gender=_pick(rng, GENDER_WEIGHTS),  # type: ignore[arg-type]
                age_band=_pick(rng, AGE_WEIGHTS),  # type: ignore[arg-type]
                consent=True,
            )
        )
    return people


def attendance(
    people: Sequence[Person], sessions: Sequence[str], *, seed: int = 2026
) -> list[Attendance]:
    """A mark for every person at every session: each person has a habit (how often they come),
    so most complete a 2/3 attendance rule and some do not."""
    rng = random.Random(seed + 1)
    marks = []
    for p in people:
        habit = rng.choice((0.95, 0.9, 0.8, 0.7, 0.5, 0.3))
        for s in sessions:
            marks.append(Attendance(p.key, s, rng.random() < habit))
    return marks
