"""Loading a course (lessons kept as text, fallback to the first language with a note, bounded
reads) and grading every question type, wrong then right."""

from __future__ import annotations

from pathlib import Path

import pytest
from learn_kit import write_course

from puhui.errors import PuhuiError
from puhui.learn import grade, list_courses, load_course, missing_translations, score
from puhui.learn.course import Question
from puhui.learn.reading import TEXT_MAX


def test_load_course_reads_lessons_and_quizzes(tmp_path: Path) -> None:
    course = load_course(write_course(tmp_path))
    assert course.id == "tiny-course"
    assert course.languages == ("en", "sw")
    assert course.title["sw"] == "Kozi ndogo"
    assert [r.id for r in course.lesson_refs] == ["01-what-is-ai", "02-data"]
    shown = course.lesson("01-what-is-ai", "sw")
    assert shown.lang == "sw" and shown.fallback_from is None and shown.note is None
    assert shown.item.title == "AI ni nini?"
    assert shown.item.body.startswith("Programu iliyojifunza")
    quiz = course.quiz("01-what-is-ai", "en")
    assert quiz is not None
    assert [q.type for q in quiz.item.questions] == [
        "single", "multiple", "true_false", "numeric", "short_text",
    ]  # fmt: skip
    assert course.quiz("02-data", "en") is None


def test_a_missing_translation_falls_back_with_a_note(tmp_path: Path) -> None:
    course = load_course(write_course(tmp_path))
    shown = course.lesson("02-data", "sw")
    assert shown.lang == "en" and shown.requested == "sw" and shown.fallback_from == "sw"
    assert shown.item.title == "Data"
    assert shown.note is not None and "sw" in shown.note and "en" in shown.note
    quiz = course.quiz("01-what-is-ai", "sw")
    assert quiz is not None and quiz.fallback_from == "sw" and quiz.lang == "en"
    assert missing_translations(course) == [("02-data", "sw")]
    with pytest.raises(PuhuiError, match="no lesson '03-nope'"):
        course.lesson("03-nope", "en")


def test_a_broken_course_does_not_load(tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    (folder / "lessons" / "02-data.en.md").write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(PuhuiError) as e:
        load_course(folder)
    assert "02-data.en.md:1: front matter: missing" in str(e.value)
    assert "\n" not in str(e.value)


def test_file_sizes_are_capped(tmp_path: Path) -> None:
    folder = write_course(tmp_path)
    lesson = folder / "lessons" / "02-data.en.md"
    lesson.write_text(lesson.read_text() + "x" * TEXT_MAX, encoding="utf-8")
    with pytest.raises(PuhuiError, match=r"02-data\.en\.md: file: larger than 1024 KiB"):
        load_course(folder)


def test_images_are_read_inside_the_course_only(tmp_path: Path) -> None:
    course = load_course(write_course(tmp_path))
    assert course.image("diagram.svg").startswith(b"<svg")
    with pytest.raises(PuhuiError, match="no such image"):
        course.image("../course.yaml")


def test_list_courses_skips_folders_without_course_yaml(tmp_path: Path) -> None:
    write_course(tmp_path, "b-course")
    write_course(tmp_path, "a-course")
    (tmp_path / "not-a-course").mkdir()
    assert [p.name for p in list_courses(tmp_path)] == ["a-course", "b-course"]
    assert list_courses(tmp_path / "nowhere") == []


def _questions(tmp_path: Path) -> dict[str, Question]:
    quiz = load_course(write_course(tmp_path)).quiz("01-what-is-ai", "en")
    assert quiz is not None
    return {q.id: q for q in quiz.item.questions}


def test_grading_every_type_wrong_then_right(tmp_path: Path) -> None:
    q = _questions(tmp_path)
    cases = [
        ("q1", 1, 0, "No: it follows one fixed rule.", "Yes: learned."),
        ("q3", True, False, "No: AI makes mistakes.", "Right: it can be wrong."),
        ("q4", 5, "4.4", "Count again.", "Four."),
        ("q5", "data", "  BIAS ", "Think of unfairness.", "Yes, bias."),
    ]
    for qid, wrong, right, wrong_fb, right_fb in cases:
        first, second = grade(q[qid], wrong), grade(q[qid], right)
        assert (first.correct, first.feedback) == (False, wrong_fb), qid
        assert (second.correct, second.feedback) == (True, right_fb), qid
    # multiple: all and only the correct options
    assert not grade(q["q2"], {0}).correct
    assert not grade(q["q2"], {0, 1, 2}).correct
    assert grade(q["q2"], {0, 1}).correct
    assert grade(q["q2"], [1, 0]).feedback == "Data can be."
    # short text: case-folded, spaces collapsed, NFC
    assert grade(q["q5"], "Biased\tdata").correct
    assert grade(q["q4"], 3.5).correct and not grade(q["q4"], 3.4).correct


def test_answers_of_the_wrong_shape_are_wrong_not_errors(tmp_path: Path) -> None:
    q = _questions(tmp_path)
    assert not grade(q["q1"], 7).correct
    assert not grade(q["q1"], True).correct
    assert not grade(q["q2"], "0").correct
    assert not grade(q["q3"], None).correct
    assert not grade(q["q4"], "four").correct
    assert not grade(q["q4"], "nan").correct
    assert not grade(q["q5"], 3).correct


def test_short_text_is_compared_in_nfc(tmp_path: Path) -> None:
    q = Question(id="x", type="short_text", prompt="?", accept=("café",))
    assert grade(q, "cafe\u0301").correct  # decomposed é


def test_score_counts_points_and_passes_at_pass_percent(tmp_path: Path) -> None:
    quiz = load_course(write_course(tmp_path)).quizzes[("01-what-is-ai", "en")]
    right = {"q1": 0, "q2": {0, 1}, "q3": False, "q4": 4, "q5": "bias"}
    assert score(quiz, right) == (5, 5, True)
    assert score(quiz, {**right, "q1": 1, "q2": {0}}) == (3, 5, True)  # 60 %
    assert score(quiz, {"q1": 0, "q3": False}) == (2, 5, False)
