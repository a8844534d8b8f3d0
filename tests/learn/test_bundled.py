"""The bundled courses: each loads and validates, and the practitioners' course "testing-ai" has
at least five lessons, each with a quiz that mixes question types and grades the same in every
language it is translated into."""

from __future__ import annotations

from pathlib import Path

import pytest

from puhui.learn import bundled_dir, list_courses, load_course, validate
from puhui.learn.course import Question, Quiz

TYPES = {"single", "multiple", "true_false", "numeric", "short_text"}


def _grading(question: Question) -> tuple[object, ...]:
    """What decides a question's grade, except the text (short_text answers are translated)."""
    correct = tuple(o.correct for o in question.options)
    return (question.id, question.type, correct, question.answer, question.tolerance)


@pytest.mark.parametrize("folder", list_courses(), ids=lambda p: p.name)
def test_every_bundled_course_loads_without_a_problem(folder: Path) -> None:
    assert [str(p) for p in validate(folder)] == []
    course = load_course(folder)
    assert course.id == folder.name
    assert course.lesson_refs


def test_testing_ai_has_five_lessons_each_with_a_quiz() -> None:
    assert "testing-ai" in [p.name for p in list_courses()]
    course = load_course(bundled_dir() / "testing-ai")
    assert course.age_band == "16+" and course.license == "CC-BY-4.0"
    assert len(course.lesson_refs) >= 5
    first = course.first_language
    for ref in course.lesson_refs:
        assert (ref.id, first) in course.lessons, ref.id
        shown = course.quiz(ref.id, first)
        assert shown is not None and shown.fallback_from is None, ref.id
        quiz: Quiz = shown.item
        assert len(quiz.questions) >= 5, ref.id
        assert {q.type for q in quiz.questions} == TYPES, ref.id
        english = [_grading(q) for q in quiz.questions]
        for lang in course.languages[1:]:
            translated = course.quizzes.get((ref.id, lang))
            if translated is not None:
                assert [_grading(q) for q in translated.questions] == english, (ref.id, lang)
