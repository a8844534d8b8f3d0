"""Learner activity as xAPI 1.0.3 statements (JSON): what a learner did, in the form learning
record stores and school systems read, with no LRS needed to produce or keep it.

One :class:`Activity` (a lesson read, a quiz scored, a lab checked) becomes one statement:
``experienced`` for a lesson read, ``passed`` or ``failed`` with a scaled score for a quiz or a
lab. Activity ids are URLs under the hub (or any base the caller gives); a statement's id is a
UUID derived from its content, so exporting twice gives the same ids and an LRS that imports
them keeps one copy. Only what progress holds goes in: no answers, no free text.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

VERSION = "1.0.3"
_NS = uuid.UUID("6f1e3f5e-8e0b-4c55-9f4e-2b1a5c3d7e91")  # Puhui's namespace for statement ids
VERBS = {
    "experienced": "http://adlnet.gov/expapi/verbs/experienced",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
}
TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "lab": "http://adlnet.gov/expapi/activities/simulation",
}


@dataclass(frozen=True)
class Activity:
    """One thing a learner did.

    Attributes:
        course_url: the course's address (the statement's parent activity).
        course_title: its title, by language tag.
        step: ``lesson``, ``quiz`` or ``lab``.
        step_id: the lesson or lab id.
        title: the step's title, by language tag.
        when: when it happened (timezone-aware).
        percent: the score, 0–100 (quiz and lab; None for a lesson read).
        passed: whether it passed (quiz and lab).
    """

    course_url: str
    course_title: Mapping[str, str]
    step: Literal["lesson", "quiz", "lab"]
    step_id: str
    title: Mapping[str, str]
    when: datetime
    percent: int | None = None
    passed: bool | None = None


def actor(home_page: str, name: str) -> dict[str, Any]:
    """An agent known by an account on ``home_page`` (never an e-mail address)."""
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": name}}


def statement(who: Mapping[str, Any], act: Activity) -> dict[str, Any]:
    """The xAPI statement for one activity."""
    base = act.course_url.rstrip("/")
    if act.step == "lab":
        object_id = f"{base}/labs/{act.step_id}/"
    elif act.step == "quiz":
        object_id = f"{base}/{act.step_id}/#quiz"
    else:
        object_id = f"{base}/{act.step_id}/"
    verb = "experienced" if act.step == "lesson" else "passed" if act.passed else "failed"
    stamp = act.when.isoformat(timespec="seconds")
    doc: dict[str, Any] = {
        "actor": dict(who),
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": object_id,
            "definition": {"name": dict(act.title), "type": TYPES[act.step]},
        },
        "context": {
            "contextActivities": {
                "parent": [
                    {
                        "objectType": "Activity",
                        "id": base + "/",
                        "definition": {"name": dict(act.course_title), "type": TYPES["course"]},
                    }
                ]
            }
        },
        "timestamp": stamp,
        "version": VERSION,
    }
    if act.step != "lesson":
        result: dict[str, Any] = {"success": bool(act.passed), "completion": True}
        if act.percent is not None:
            result["score"] = {"scaled": round(act.percent / 100, 4), "raw": act.percent}
            result["score"].update(min=0, max=100)
        doc["result"] = result
    key = f"{who.get('account', who)}|{object_id}|{verb}|{stamp}"
    return {"id": str(uuid.uuid5(_NS, key)), **doc}


def statements(who: Mapping[str, Any], activities: Iterable[Activity]) -> list[dict[str, Any]]:
    """Statements for ``activities``, oldest first."""
    return [statement(who, a) for a in sorted(activities, key=lambda a: a.when)]
