"""Grading: :func:`grade` one answer to a :class:`~puhui.learn.course.Question`, :func:`score` a
whole quiz. The server and the offline page use the same rules.

Answers by type: ``single`` an option index; ``multiple`` a set of option indices (all and only
the correct ones); ``true_false`` a bool; ``numeric`` a number (or its text) within the
tolerance; ``short_text`` a text compared with the accepted answers after NFC, case-folding and
collapsing spaces. An answer of the wrong shape is graded wrong, never an error.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from puhui.i18n import _
from puhui.learn.course import Question, Quiz

Answer = int | bool | float | str | Collection[int] | None


@dataclass(frozen=True)
class Graded:
    """Whether an answer is correct, and the feedback to show."""

    correct: bool
    feedback: str


def normalize_text(text: str) -> str:
    """NFC, case-folded, runs of white space collapsed to one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _number(answer: Answer) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | float):
        value = float(answer)
    elif isinstance(answer, str):
        try:
            value = float(answer.strip().replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return value if math.isfinite(value) else None


def _index(answer: Answer, n: int) -> int | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, str) and answer.strip().isdigit():
        answer = int(answer)
    return answer if isinstance(answer, int) and 0 <= answer < n else None


def _default(correct: bool) -> str:
    return _("Correct.") if correct else _("Not quite; try again.")


def grade(question: Question, answer: Answer) -> Graded:
    """Grade ``answer`` to ``question`` (see the module docstring for the answer shapes)."""
    q = question
    if q.type == "single":
        i = _index(answer, len(q.options))
        if i is None:
            return Graded(False, _("Choose one of the options."))
        option = q.options[i]
        return Graded(option.correct, option.feedback or _default(option.correct))
    if q.type == "multiple":
        if isinstance(answer, str | bytes) or not isinstance(answer, Collection):
            return Graded(False, _("Choose one or more of the options."))
        chosen = {_index(a, len(q.options)) for a in answer}
        if None in chosen or not chosen:
            return Graded(False, _("Choose one or more of the options."))
        right = {i for i, o in enumerate(q.options) if o.correct}
        correct = chosen == right
        notes = [q.options[i].feedback for i in sorted(c for c in chosen if c is not None)]
        feedback = " ".join(n for n in notes if n)
        return Graded(correct, feedback or _default(correct))
    if q.type == "true_false":
        if isinstance(answer, str) and answer.strip().lower() in ("true", "false"):
            answer = answer.strip().lower() == "true"
        correct = isinstance(answer, bool) and answer == q.answer
    elif q.type == "numeric":
        value = _number(answer)
        if value is None:
            return Graded(False, _("Give a number."))
        assert isinstance(q.answer, float | int)
        correct = abs(value - float(q.answer)) <= q.tolerance + 1e-9 * max(1.0, abs(q.answer))
    else:
        given = normalize_text(answer) if isinstance(answer, str) else None
        correct = given is not None and given in {normalize_text(a) for a in q.accept}
    return Graded(
        correct, (q.feedback_correct if correct else q.feedback_wrong) or _default(correct)
    )


def score(quiz: Quiz, answers: Mapping[str, Answer]) -> tuple[int, int, bool]:
    """(points, total, passed): one point per correct answer (by question id; a missing answer
    is wrong); passed when points reach ``pass_percent`` of the total."""
    points = sum(grade(q, answers[q.id]).correct for q in quiz.questions if q.id in answers)
    total = len(quiz.questions)
    return points, total, points * 100 >= quiz.pass_percent * total
