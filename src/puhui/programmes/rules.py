"""Completion rules: whether a participant completed a cohort, and if not, why.

:func:`evaluate` checks every part of a :class:`~puhui.programmes.types.Rule` that is set
against a participant's :class:`~puhui.programmes.types.Record` and gives one concrete,
translatable sentence per part that failed ("missed 3 of 6 sessions (at least 4 needed)").
:func:`rule_from_dict` reads a rule from a document (a cohort's settings: ``attendance`` as a
share 0..1, a percent string ``"80%"`` or a fraction ``"2/3"``; ``quizzes`` as a percent 0..100;
``labs`` as a list of lab ids; ``project`` as true/false) and :func:`rule_to_dict` writes it back.

Shares are compared with a small tolerance, so "2 of 3 sessions" meets a rule of 2/3 exactly.
A rule that asks for attendance is not met while a cohort has held no session yet.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.programmes.types import Outcome, Record, Rule

#: Tolerance for comparing shares and percents (2/3 of 3 sessions is met by 2 sessions).
EPSILON = 1e-9
#: The keys a rule document may have.
RULE_KEYS: tuple[str, ...] = ("attendance", "quizzes", "labs", "project")
_MAX_LABS = 200
_MAX_LAB_ID = 200


def _percent(value: float, other: float | None = None) -> str:
    """``value`` as a short percent number ("55", "66.7"); with more digits when ``other``
    would otherwise print the same (so a score of 69.96 never reads "70% (at least 70%")."""
    text = ""
    for digits in (1, 2, 4):
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
        if other is None or text != _percent(other):
            break
    return text


def _needed_sessions(share: float, sessions: int) -> int:
    """The fewest sessions that meet ``share`` of ``sessions``."""
    return max(0, math.ceil(share * sessions - EPSILON))


def evaluate(rule: Rule, record: Record) -> Outcome:
    """Whether ``record`` meets ``rule``: complete only when every part that is set holds;
    otherwise one reason per failed part, in the rule's order (attendance, quizzes, each lab,
    project). Raises ``ValueError`` for a record that cannot be (negative counts, more sessions
    attended than held): that is a bug in whoever built it, not a person's mistake."""
    if record.sessions < 0 or record.attended < 0 or record.attended > record.sessions:
        raise ValueError(f"impossible record: {record.attended} of {record.sessions} sessions")
    reasons: list[str] = []
    if rule.attendance is not None and rule.attendance > EPSILON:
        if record.sessions == 0:
            reasons.append(_("no session held yet"))
        elif record.attended / record.sessions < rule.attendance - EPSILON:
            needed = _needed_sessions(rule.attendance, record.sessions)
            missed = record.sessions - record.attended
            reasons.append(
                _("missed {missed} of {sessions} sessions (at least {needed} needed)").format(
                    missed=missed, sessions=record.sessions, needed=needed
                )
            )
    if rule.quizzes is not None:
        if record.quiz_percent is None:
            reasons.append(_("no quiz taken"))
        elif record.quiz_percent < rule.quizzes - EPSILON:
            reasons.append(
                _("quiz score {score}% (at least {needed}% needed)").format(
                    score=_percent(record.quiz_percent, rule.quizzes),
                    needed=_percent(rule.quizzes),
                )
            )
    for lab in rule.labs:
        if lab not in record.labs_passed:
            reasons.append(_("lab {lab} not passed").format(lab=lab))
    if rule.project and not record.project_accepted:
        reasons.append(_("final project not accepted yet"))
    return Outcome(complete=not reasons, reasons=tuple(reasons))


def _show(value: object) -> str:
    """A value as an error message quotes it: its repr, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _bad(where: str, key: str, why: str, hint: str) -> PuhuiError:
    return PuhuiError(_("{where}: field {key}: {why}").format(where=where, key=key, why=why), hint)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _share(value: object, where: str) -> float | None:
    """``attendance``: None, a number 0..1, ``"80%"`` or ``"2/3"``."""
    if value is None:
        return None
    hint = _('write a share such as 0.8, "80%" or "2/3"')
    share = _number(value)
    if share is None and isinstance(value, str) and len(value) <= 40:
        text = value.strip()
        try:
            if text.endswith("%"):
                share = float(text[:-1].strip()) / 100
            elif "/" in text:
                top, bottom = text.split("/", 1)
                share = int(top.strip()) / int(bottom.strip())
        except (ValueError, ZeroDivisionError):
            share = None
        if share is not None and not math.isfinite(share):
            share = None
    if share is None:
        raise _bad(where, "attendance", _("{v} is not a share").format(v=_show(value)), hint)
    if not 0 <= share <= 1 + EPSILON:
        why = _("{v} is not between 0 and 1 (0% and 100%)").format(v=_show(value))
        raise _bad(where, "attendance", why, hint)
    return min(share, 1.0)


def _quizzes(value: object, where: str) -> float | None:
    """``quizzes``: None, or a percent 0..100 (a number or ``"70%"``)."""
    if value is None:
        return None
    percent = _number(value)
    if percent is None and isinstance(value, str) and value.strip().endswith("%"):
        try:
            percent = float(value.strip()[:-1].strip())
        except ValueError:
            percent = None
    hint = _("write a percent from 0 to 100, such as 70")
    if percent is None or not math.isfinite(percent):
        raise _bad(where, "quizzes", _("{v} is not a percent").format(v=_show(value)), hint)
    if not 0 <= percent <= 100:
        why = _("{v} is not between 0 and 100").format(v=_show(value))
        raise _bad(where, "quizzes", why, hint)
    return percent


def _labs(value: object, where: str) -> tuple[str, ...]:
    """``labs``: a list of lab ids (duplicates dropped, order kept)."""
    if value is None:
        return ()
    hint = _("write a list of lab ids, such as [redact-a-corpus]")
    if not isinstance(value, list | tuple):
        why = _("{v} is not a list of lab ids").format(v=_show(value))
        raise _bad(where, "labs", why, hint)
    if len(value) > _MAX_LABS:
        why = _("more than {n} labs").format(n=_MAX_LABS)
        raise _bad(where, "labs", why, _("name fewer labs"))
    labs: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item) > _MAX_LAB_ID:
            why = _("{v} is not a lab id").format(
                v=item if not isinstance(item, str) else item[:40]
            )
            raise _bad(where, "labs", why, hint)
        lab = item.strip()
        if lab not in labs:
            labs.append(lab)
    return tuple(labs)


def _project(value: object, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        why = _("{v} is not true or false").format(v=_show(value))
        raise _bad(where, "project", why, _("write true or false"))
    return value


def rule_from_dict(doc: object, where: str) -> Rule:
    """The rule a document describes. A key left out keeps :class:`Rule`'s default (attendance
    2/3, nothing else); ``attendance: null`` asks for no attendance at all. Bad values and
    unknown keys raise a one-line :class:`~puhui.errors.PuhuiError` naming ``where`` and the
    field."""
    if not isinstance(doc, Mapping):
        raise PuhuiError(
            _("{where}: a completion rule must be a mapping, not {t}").format(
                where=where, t=type(doc).__name__
            ),
            _("write keys among: {keys}").format(keys=", ".join(RULE_KEYS)),
        )
    for key in doc:
        if key not in RULE_KEYS:
            raise _bad(
                where,
                str(key)[:40],
                _("not a part of a completion rule"),
                _("write keys among: {keys}").format(keys=", ".join(RULE_KEYS)),
            )
    default = Rule()
    return Rule(
        attendance=_share(doc["attendance"], where) if "attendance" in doc else default.attendance,
        quizzes=_quizzes(doc.get("quizzes"), where),
        labs=_labs(doc.get("labs"), where),
        project=_project(doc.get("project"), where),
    )


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """The document :func:`rule_from_dict` reads back as the same rule (every key written)."""
    return {
        "attendance": rule.attendance,
        "quizzes": rule.quizzes,
        "labs": list(rule.labs),
        "project": rule.project,
    }
