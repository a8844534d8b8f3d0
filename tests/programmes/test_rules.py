"""Completion rules: every part that is set must hold, and each part that fails says why."""

from __future__ import annotations

import math

import pytest

from puhui.errors import PuhuiError
from puhui.programmes.rules import evaluate, rule_from_dict, rule_to_dict
from puhui.programmes.types import Record, Rule


def test_default_rule_is_two_thirds_of_the_sessions() -> None:
    assert evaluate(Rule(), Record(sessions=6, attended=4)).complete
    outcome = evaluate(Rule(), Record(sessions=6, attended=3))
    assert not outcome.complete
    assert outcome.reasons == ("missed 3 of 6 sessions (at least 4 needed)",)


def test_shares_meet_their_rule_exactly() -> None:
    # 2/3 of 3 sessions is met by 2, though 2/3 is not a float's exact value
    assert evaluate(Rule(attendance=2 / 3), Record(sessions=3, attended=2)).complete
    assert evaluate(Rule(attendance=0.8), Record(sessions=5, attended=4)).complete
    assert evaluate(Rule(attendance=0.7), Record(sessions=10, attended=7)).complete
    outcome = evaluate(Rule(attendance=0.8), Record(sessions=6, attended=4))
    assert outcome.reasons == ("missed 2 of 6 sessions (at least 5 needed)",)
    assert evaluate(Rule(attendance=1.0), Record(sessions=3, attended=3)).complete


def test_a_cohort_without_sessions_has_not_met_an_attendance_rule() -> None:
    outcome = evaluate(Rule(), Record(sessions=0, attended=0))
    assert outcome == evaluate(Rule(attendance=0.5), Record(sessions=0, attended=0))
    assert not outcome.complete
    assert outcome.reasons == ("no session held yet",)
    # no attendance asked (None or 0): nothing to wait for
    assert evaluate(Rule(attendance=None), Record(sessions=0, attended=0)).complete
    assert evaluate(Rule(attendance=0.0), Record(sessions=0, attended=0)).complete


def test_quiz_reasons() -> None:
    rule = Rule(attendance=None, quizzes=70)
    assert evaluate(rule, Record(0, 0, quiz_percent=70)).complete
    assert evaluate(rule, Record(0, 0, quiz_percent=55)).reasons == (
        "quiz score 55% (at least 70% needed)",
    )
    assert evaluate(rule, Record(0, 0)).reasons == ("no quiz taken",)
    # a near miss never reads as if it met the bar
    assert evaluate(rule, Record(0, 0, quiz_percent=69.96)).reasons == (
        "quiz score 69.96% (at least 70% needed)",
    )
    assert evaluate(Rule(None, quizzes=200 / 3), Record(0, 0, quiz_percent=50.0)).reasons == (
        "quiz score 50% (at least 66.7% needed)",
    )


def test_labs_and_project() -> None:
    rule = Rule(attendance=None, labs=("redact-a-corpus", "compare"), project=True)
    done = Record(
        0, 0, labs_passed=frozenset({"compare", "redact-a-corpus", "x"}), project_accepted=True
    )
    assert evaluate(rule, done).complete
    outcome = evaluate(rule, Record(0, 0, labs_passed=frozenset({"compare"})))
    assert outcome.reasons == ("lab redact-a-corpus not passed", "final project not accepted yet")


def test_every_failed_part_gives_one_reason_in_order() -> None:
    rule = Rule(attendance=2 / 3, quizzes=70, labs=("a", "b"), project=True)
    outcome = evaluate(rule, Record(sessions=6, attended=2, quiz_percent=40))
    assert not outcome.complete
    assert outcome.reasons == (
        "missed 4 of 6 sessions (at least 4 needed)",
        "quiz score 40% (at least 70% needed)",
        "lab a not passed",
        "lab b not passed",
        "final project not accepted yet",
    )
    full = Record(6, 6, quiz_percent=100, labs_passed=frozenset("ab"), project_accepted=True)
    assert evaluate(rule, full).complete
    assert evaluate(rule, full).reasons == ()


@pytest.mark.parametrize("record", [Record(3, 4), Record(-1, 0), Record(3, -1)])
def test_an_impossible_record_is_a_bug(record: Record) -> None:
    with pytest.raises(ValueError, match="impossible record"):
        evaluate(Rule(), record)


def test_rule_from_dict_reads_every_form() -> None:
    assert rule_from_dict({}, "c.yaml") == Rule()
    assert rule_from_dict({"attendance": None}, "c.yaml").attendance is None
    assert rule_from_dict({"attendance": "80%"}, "c.yaml").attendance == pytest.approx(0.8)
    assert rule_from_dict({"attendance": " 2/3 "}, "c.yaml").attendance == pytest.approx(2 / 3)
    assert rule_from_dict({"attendance": 1}, "c.yaml").attendance == 1.0
    rule = rule_from_dict(
        {
            "attendance": 0.75,
            "quizzes": "70%",
            "labs": ["lab-a", " lab-b", "lab-a"],
            "project": True,
        },
        "c.yaml",
    )
    assert rule == Rule(attendance=0.75, quizzes=70.0, labs=("lab-a", "lab-b"), project=True)


@pytest.mark.parametrize(
    "rule",
    [Rule(), Rule(None), Rule(0.8, 70.0, ("x", "y"), True), Rule(2 / 3, 0.0, (), False)],
)
def test_rule_to_dict_round_trips(rule: Rule) -> None:
    doc = rule_to_dict(rule)
    assert set(doc) == {"attendance", "quizzes", "labs", "project"}
    assert rule_from_dict(doc, "c.yaml") == rule


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ({"attendance": 80}, "attendance"),
        ({"attendance": "120%"}, "attendance"),
        ({"attendance": -0.1}, "attendance"),
        ({"attendance": "most"}, "attendance"),
        ({"attendance": "1/0"}, "attendance"),
        ({"attendance": True}, "attendance"),
        ({"attendance": math.nan}, "attendance"),
        ({"quizzes": 101}, "quizzes"),
        ({"quizzes": "high"}, "quizzes"),
        ({"quizzes": math.inf}, "quizzes"),
        ({"labs": "redact-a-corpus"}, "labs"),
        ({"labs": [1]}, "labs"),
        ({"labs": [""]}, "labs"),
        ({"labs": ["x" * 500]}, "labs"),
        ({"project": "yes"}, "project"),
        ({"attendence": 0.5}, "attendence"),
    ],
)
def test_bad_values_are_one_line_errors_naming_the_field(
    doc: dict[str, object], field: str
) -> None:
    with pytest.raises(PuhuiError) as caught:
        rule_from_dict(doc, "cohort.yaml")
    text = str(caught.value)
    assert text.startswith(f"cohort.yaml: field {field}: ")
    assert "\n" not in text and len(text) < 200
    assert caught.value.hint


def test_a_rule_must_be_a_mapping() -> None:
    with pytest.raises(PuhuiError, match=r"cohort\.yaml: a completion rule must be a mapping"):
        rule_from_dict(["attendance"], "cohort.yaml")
