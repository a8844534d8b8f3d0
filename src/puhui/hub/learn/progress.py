"""Where a learner's progress is kept: the account's rows when signed in, else the browser session.

Both hold the same thing per step (lesson id, or ``lab:<id>``) of a course series (``org/name``):
read, best quiz score in percent, passed. The session copy is bounded (courses and steps
capped) and moves into the account at the learner's first signed-in page, so nothing done before
signing in is lost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from puhui.hub.learn.models import Progress

SESSION_KEY = "learn"
MAX_COURSES = 50
MAX_STEPS = 300


@dataclass
class Step:
    read: bool = False
    best: int | None = None
    passed: bool = False
    when: float = 0.0  # last change, seconds since the epoch


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_active)


def _session(request: HttpRequest) -> dict[str, dict[str, list[Any]]]:
    data = request.session.get(SESSION_KEY)
    return data if isinstance(data, dict) else {}


def _adopt(request: HttpRequest) -> None:
    """Move the session's progress into the signed-in account (best of both)."""
    data = _session(request)
    if not data:
        return
    with transaction.atomic():
        for course, steps in list(data.items())[:MAX_COURSES]:
            if not isinstance(steps, dict):
                continue
            for step, row in list(steps.items())[:MAX_STEPS]:
                if isinstance(row, list) and len(row) == 4:
                    _save(request, course, step, _row(row))
    del request.session[SESSION_KEY]


def _row(v: list[Any]) -> Step:
    when = v[3] if isinstance(v[3], int | float) and not isinstance(v[3], bool) else 0.0
    return Step(bool(v[0]), _int(v[1]), bool(v[2]), float(when))


def _int(v: object) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100 else None


def load(request: HttpRequest, course: str) -> dict[str, Step]:
    """The learner's steps in ``course`` (``org/name``)."""
    if _signed_in(request):
        _adopt(request)
        rows = Progress.objects.filter(user=request.user, course=course)
        return {
            r.step: Step(r.read, r.best_percent, r.passed, r.updated.timestamp())
            for r in rows[:MAX_STEPS]
        }
    steps = _session(request).get(course)
    if not isinstance(steps, dict):
        return {}
    return {k: _row(v) for k, v in steps.items() if isinstance(v, list) and len(v) == 4}


def courses(request: HttpRequest) -> list[str]:
    """The courses (``org/name``) the learner has progress in."""
    if _signed_in(request):
        _adopt(request)
        found = Progress.objects.filter(user=request.user).values_list("course", flat=True)
        return sorted(set(found.distinct()[:MAX_COURSES]))
    return sorted(_session(request))[:MAX_COURSES]


def _merge(old: Step, new: Step) -> Step:
    best = max((b for b in (old.best, new.best) if b is not None), default=None)
    return Step(old.read or new.read, best, old.passed or new.passed, max(old.when, new.when))


def _save(request: HttpRequest, course: str, step: str, new: Step) -> None:
    row, created = Progress.objects.get_or_create(
        user=request.user, course=course[:200], step=step[:120]
    )
    have = Step(row.read, row.best_percent, row.passed, 0.0 if created else row.updated.timestamp())
    merged = _merge(have, new)
    row.read, row.best_percent, row.passed = merged.read, merged.best, merged.passed
    row.updated = datetime.fromtimestamp(merged.when, UTC) if merged.when else timezone.now()
    row.save()


def record(request: HttpRequest, course: str, step: str, new: Step) -> None:
    """Add what the learner just did (read, a score, a pass) to their progress; keeps the best."""
    new = Step(new.read, new.best, new.passed, new.when or time.time())
    if _signed_in(request):
        _save(request, course, step, new)
        return
    data = _session(request)
    if course not in data and len(data) >= MAX_COURSES:
        return
    steps = data.setdefault(course, {})
    if step not in steps and len(steps) >= MAX_STEPS:
        return
    old = steps.get(step)
    have = _row(old) if isinstance(old, list) and len(old) == 4 else Step()
    merged = _merge(have, new)
    steps[step] = [int(merged.read), merged.best, int(merged.passed), int(merged.when)]
    request.session[SESSION_KEY] = data
    request.session.modified = True
