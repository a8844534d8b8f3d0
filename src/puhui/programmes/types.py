"""The typed records of a training programme, shared by every part that reads or writes them.

A programme (a workshop series, a training scheme) has cohorts (one workshop or class each);
a cohort has sessions (a date, a place or "online") and enrolments of people, as participants
or facilitators. A :class:`Person` carries only what the programme officer chose to collect,
with consent: nothing but consent is required. Demographics use closed vocabularies
(:data:`GENDERS`, :data:`AGE_BANDS`) so reach statistics count the same thing everywhere; a
person under 18 needs a guardian's consent recorded, and their record never leaves the hub.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Gender = Literal["woman", "man", "another", "unspecified"]
AgeBand = Literal["under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unspecified"]
Role = Literal["participant", "facilitator"]

#: Gender as recorded: self-described, "another identity" kept as one value, and "prefer not
#: to say" (or not asked) as ``unspecified``.
GENDERS: tuple[Gender, ...] = ("woman", "man", "another", "unspecified")
AGE_BANDS: tuple[AgeBand, ...] = (
    "under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unspecified",
)  # fmt: skip
ROLES: tuple[Role, ...] = ("participant", "facilitator")
#: The roster's columns, in order (import and export use the same shape).
ROSTER_COLUMNS: tuple[str, ...] = (
    "name", "email", "phone", "country", "organisation", "role", "sector", "gender",
    "age_band", "consent", "guardian_consent",
)  # fmt: skip
#: The attendance file's columns.
ATTENDANCE_COLUMNS: tuple[str, ...] = ("email", "session", "present")


def contact_key(email: str = "", phone: str = "") -> str:
    """The one string that identifies a person across rosters and hubs: the e-mail address
    (NFC, case-folded, trimmed) when there is one, else the phone number's digits with a
    leading ``+``. Empty when there is neither."""
    mail = unicodedata.normalize("NFC", email).strip().casefold()
    if mail:
        return "mailto:" + mail
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "tel:+" + digits if digits else ""


def identity_hash(key: str, salt: str) -> str:
    """``sha256$<hex>`` of the contact (the bare e-mail address or ``+``phone digits, as the
    contact key holds them after its ``mailto:`` / ``tel:`` prefix) followed by the salt: Open
    Badges 3.0's recipe for a hashed ``IdentityObject``, so a credential names its recipient
    without carrying their contact details and anyone who knows the address can check it."""
    bare = key.split(":", 1)[1] if key.startswith(("mailto:", "tel:")) else key
    return "sha256$" + hashlib.sha256((bare + salt).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Person:
    """One person on a roster. ``consent`` is required (a row without it is refused);
    ``guardian_consent`` is required when ``age_band`` is ``under-18``."""

    name: str
    email: str = ""
    phone: str = ""
    country: str = ""  # ISO 3166-1 alpha-2, upper case; "" when not given
    organisation: str = ""
    role: str = ""  # their job (e.g. "statistician"), free text
    sector: str = ""
    gender: Gender = "unspecified"
    age_band: AgeBand = "unspecified"
    consent: bool = True
    guardian_consent: bool = False

    @property
    def key(self) -> str:
        return contact_key(self.email, self.phone)

    @property
    def minor(self) -> bool:
        return self.age_band == "under-18"


@dataclass(frozen=True)
class Attendance:
    """Whether the person with ``key`` (see :func:`contact_key`) was at ``session``."""

    key: str
    session: str
    present: bool


@dataclass(frozen=True)
class Rule:
    """When a participant has completed a cohort. Every part set must hold:

    - ``attendance``: share of the cohort's sessions attended, at least (default 2/3);
    - ``quizzes``: best quiz score, in percent, averaged over the linked course's quizzes;
    - ``labs``: lab ids that must be passed;
    - ``project``: a final project must be accepted.
    """

    attendance: float | None = 2 / 3
    quizzes: float | None = None
    labs: tuple[str, ...] = ()
    project: bool = False


@dataclass(frozen=True)
class Record:
    """What one participant did in a cohort, as completion rules read it."""

    sessions: int
    attended: int
    quiz_percent: float | None = None
    labs_passed: frozenset[str] = field(default_factory=frozenset)
    project_accepted: bool = False


@dataclass(frozen=True)
class Outcome:
    """Whether a rule holds for a record, and why not (one sentence per part that failed)."""

    complete: bool
    reasons: tuple[str, ...] = ()
