"""GIFT: our quizzes round-trip through Moodle's format, and a Moodle-style GIFT file imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from learn_kit import write_course

from puhui.errors import PuhuiError
from puhui.learn import Option, Question, Quiz, from_gift, grade, load_course, to_gift

#: Written the way Moodle's documentation and exports write GIFT: comments, a category, titles,
#: a format tag, Windows line ends, weights, escapes, feedback, a range and a wildcard.
MOODLE_GIFT = (
    "// question: 1  name: Grants tomb\r\n"
    "$CATEGORY: $course$/top/Default\r\n"
    "\r\n"
    "::Grant's tomb::[html]Who is buried in Grant's tomb\\: a riddle? {\r\n"
    "\t~Grant#No one is buried there.\r\n"
    "\t=no one#Right\\! entombed, not buried.\r\n"
    "\t~Napoleon\r\n"
    "}\r\n"
    "\r\n"
    "// multiple answers with weights\r\n"
    "::Tombs:: Which two are buried in Grant's tomb? {\r\n"
    "\t~%-100%No one\r\n"
    "\t~%50%Grant#yes\r\n"
    "\t~%50%Grant's wife\r\n"
    "}\r\n"
    "\r\n"
    "::Sun::The sun rises in the West.{FALSE#It rises in the east.#Yes.}\r\n"
    "\r\n"
    "::Year:: When was Grant buried? {#1897..1899#About right.}\r\n"
    "\r\n"
    "::Pi::What is pi to two places? {#3.14:0.005}\r\n"
    "\r\n"
    "::Colour:: Two plus two \\= ? Write it in words. {=four#Yes. =Four =%0%*#Count again.}\r\n"
    "\r\n"
    "Escapes \\{ \\} \\~ \\# survive {T}\r\n"
)


def test_our_quiz_round_trips(tmp_path: Path) -> None:
    quiz = load_course(write_course(tmp_path)).quizzes[("01-what-is-ai", "en")]
    text = to_gift(quiz)
    assert "::q1::" in text and "{#4:0.5#Four.####Count again.}" in text
    assert from_gift(text, "q.gift") == quiz


def test_special_characters_round_trip() -> None:
    tricky = "a: b = c ~ d # e { f } g \\ h\nnext line"
    quiz = Quiz(
        title="Tricky: {all}",
        review="needed",
        pass_percent=55,
        questions=(
            Question(
                id="q:1",
                type="single",
                prompt=tricky,
                options=(Option(tricky, True, tricky), Option("=", False, "#")),
            ),
            Question(
                id="q2",
                type="multiple",
                prompt="three right",
                options=(Option("a", True), Option("b", True), Option("c", True), Option("d")),
            ),
            Question(id="q3", type="true_false", prompt="t", answer=True, feedback_correct="ok"),
            Question(id="q4", type="numeric", prompt="n", answer=-2.5, tolerance=0.25),
            Question(id="q5", type="short_text", prompt="s", accept=("x = y",)),
        ),
    )
    assert from_gift(to_gift(quiz), "t.gift") == quiz


def test_a_moodle_style_gift_file_imports() -> None:
    quiz = from_gift(MOODLE_GIFT, "moodle.gift")
    q = {x.id: x for x in quiz.questions}
    assert list(q) == ["Grant's tomb", "Tombs", "Sun", "Year", "Pi", "Colour", "q7"]
    tomb = q["Grant's tomb"]
    assert tomb.type == "single" and tomb.prompt == "Who is buried in Grant's tomb: a riddle?"
    assert [o.correct for o in tomb.options] == [False, True, False]
    assert tomb.options[1] == Option("no one", True, "Right\\! entombed, not buried.")  # \! kept
    assert grade(tomb, 0).feedback == "No one is buried there." and grade(tomb, 1).correct
    tombs = q["Tombs"]
    assert tombs.type == "multiple" and [o.correct for o in tombs.options] == [False, True, True]
    assert grade(tombs, {1, 2}).correct and not grade(tombs, {1}).correct
    sun = q["Sun"]
    assert (sun.type, sun.answer) == ("true_false", False)
    assert (sun.feedback_wrong, sun.feedback_correct) == ("It rises in the east.", "Yes.")
    year = q["Year"]
    assert (year.type, year.answer, year.tolerance) == ("numeric", 1898.0, 1.0)
    assert grade(year, 1899).correct and not grade(year, 1900).correct
    assert q["Pi"].answer == 3.14 and grade(q["Pi"], "3.142").correct
    colour = q["Colour"]
    assert colour.prompt == "Two plus two = ? Write it in words."
    assert colour.accept == ("four", "Four") and colour.feedback_wrong == "Count again."
    assert not grade(colour, "five").correct and grade(colour, "FOUR").correct
    last = q["q7"]
    assert last.type == "true_false" and last.answer is True
    assert last.prompt == "Escapes { } ~ # survive"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("::a:: essay {}", "essay"),
        ("::a:: match {=a -> b =c -> d}", "matching"),
        ("::a:: no answers here", "no answers"),
        ("::a:: two right {=a =b ~c}", "2 answers are marked right"),
        ("// only a comment", "no GIFT questions"),
    ],
)
def test_unsupported_gift_is_one_line_error(text: str, why: str) -> None:
    with pytest.raises(PuhuiError, match=why) as e:
        from_gift(text, "bad.gift")
    assert str(e.value).startswith("bad.gift") and "\n" not in str(e.value)
