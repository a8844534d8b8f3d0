"""The typed records of lawful sharing, shared by every part that reads or writes them.

A :class:`Policy` is Puhui's typed view of an ODRL 2.2 policy on one item (what the owner
permits, prohibits and requires); :mod:`puhui.sharing.policy` reads and writes it as ODRL
JSON-LD. A :class:`Jurisdiction` is one country's (or region's) rules for sending data abroad,
kept as a YAML file with citations (:mod:`puhui.sharing.jurisdictions`). :func:`puhui.sharing.
check.check` combines the item's policy, the data's categories and both jurisdictions into a
:class:`Decision`: ``permit``, ``deny`` or ``conditional`` (permit with conditions), each reason
named (a stable identifier tests and pages rely on) and cited. Not legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Purpose = Literal["research", "education", "public-service", "commercial"]
PURPOSES: tuple[Purpose, ...] = ("research", "education", "public-service", "commercial")
#: What kind of data an item holds, most sensitive last (the corpus audit says which).
Category = Literal["non-personal", "personal", "special-category", "children"]
CATEGORIES: tuple[Category, ...] = ("non-personal", "personal", "special-category", "children")
Verdict = Literal["permit", "conditional", "deny"]
#: Presets of the policy editor and ``puhui share policy create --preset``.
PRESETS: tuple[str, ...] = ("open", "research-only", "regional", "on-request")
#: Regions a policy or a jurisdiction may name beside ISO 3166-1 alpha-2 countries.
REGIONS: dict[str, str] = {
    "AU": "African Union",
    "EAC": "East African Community",
    "ECOWAS": "Economic Community of West African States",
    "SADC": "Southern African Development Community",
    "ASEAN": "Association of Southeast Asian Nations",
    "EU": "European Union",
    "EEA": "European Economic Area",
}


@dataclass(frozen=True)
class Policy:
    """What the owner of an item allows. Empty ``purposes`` / ``recipients`` mean any.

    Attributes:
        uid: the policy's IRI (``urn:uuid:…`` or the item's policy URL).
        preset: the preset it was made from, or ``custom``.
        purposes: purposes permitted.
        recipients: countries (ISO 3166-1 alpha-2) or :data:`REGIONS` codes data may go to.
        commercial: whether commercial use is permitted at all.
        reidentification: whether re-identifying people is permitted (never, by default).
        attribution: a duty to attribute the owner.
        share_alike: a duty to share derived data under the same policy.
        delete_after_days: a duty to delete the copy after N days.
        expires: the policy (and any use under it) ends on this date.
        on_request: use needs an access request the owner granted.
        assigner: who sets the policy (the owning organization).
    """

    uid: str
    preset: str = "custom"
    purposes: frozenset[str] = frozenset()
    recipients: frozenset[str] = frozenset()
    commercial: bool = True
    reidentification: bool = False
    attribution: bool = True
    share_alike: bool = False
    delete_after_days: int | None = None
    expires: date | None = None
    on_request: bool = False
    assigner: str = ""


@dataclass(frozen=True)
class Rule:
    """One cited rule of a jurisdiction: its stable ``id`` (``ke-dpa-s48``), what it says in one
    sentence, and where (``"Data Protection Act 2019, s. 48"``)."""

    id: str
    text: str
    cite: str


@dataclass(frozen=True)
class Transfer:
    """How a jurisdiction treats sending one category of data abroad.

    ``default`` applies to a destination not listed elsewhere; ``adequate`` lists destinations
    (countries or regions) where the data may go freely; ``banned`` where it may not go;
    ``conditions`` are what the sender must do for a ``conditional`` transfer; ``rules`` the
    articles it rests on.
    """

    default: Verdict
    adequate: frozenset[str] = frozenset()
    banned: frozenset[str] = frozenset()
    conditions: tuple[Rule, ...] = ()
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Threshold:
    """A volume above which more is required (China's security assessment, for example):
    more than ``records`` records of ``category`` makes a transfer need ``requires``."""

    category: str
    records: int
    requires: Rule
    verdict: Verdict = "conditional"


@dataclass(frozen=True)
class Jurisdiction:
    """One jurisdiction's rules for data leaving it (and, in ``incoming``, arriving)."""

    code: str
    name: str
    laws: tuple[str, ...]
    checked: date
    status: Literal["verified", "unverified"]
    regions: frozenset[str] = frozenset()
    transfer: dict[str, Transfer] = field(default_factory=dict)  # by Category
    thresholds: tuple[Threshold, ...] = ()
    sources: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Reason:
    """Why: a stable ``name`` (``policy-purpose``, ``export-children``, …), one sentence, and
    the citation it rests on ("" for the item's own policy)."""

    name: str
    text: str
    cite: str = ""
    verdict: Verdict = "permit"


@dataclass(frozen=True)
class Decision:
    """The answer to "may this item go there, for this purpose?": the strictest verdict of its
    reasons, the conditions to meet when ``conditional``, and a reminder it is not legal
    advice."""

    verdict: Verdict
    reasons: tuple[Reason, ...]
    conditions: tuple[Rule, ...] = ()
    unverified: tuple[str, ...] = ()  # jurisdictions whose profile is not checked yet
