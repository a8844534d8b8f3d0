"""The typed view of an assessment: :class:`Assessment`, what ``assessment.json`` holds.

``assessment.json`` is a contract (``schemas/assessment-1.schema.json``) between
:func:`puhui.assess.assessment.new_assessment`, which writes it, and the parts that read it
(certificates, the hub, reports). :class:`Assessment` reads and writes that document with types
for the parts people use and keeps every other key as it is, so
``Assessment.from_json(doc).to_json() == doc``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.schemas import validate

SCHEMA_NAME = "assessment-1"
FILE = "assessment.json"


@dataclass(frozen=True)
class System:
    """The system assessed, as the profile describes it.

    ``name``, ``version``, ``sector``, ``languages`` (BCP-47 tags), ``intended_use`` and
    ``jurisdictions`` (ISO 3166 codes or ``EU``) are the scope a certificate states; the rest
    (users, vulnerable groups, organisation, roles, interaction, uses, description,
    deployment) feeds the obligations and the risk register.
    """

    name: str
    version: str | None
    sector: str
    languages: list[str]
    intended_use: str
    jurisdictions: list[str]
    users: list[str]
    vulnerable_groups: list[str]
    organisation: str | None
    roles: list[str]
    interaction: list[str]
    uses: list[str]
    description: str
    deployment: str


@dataclass(frozen=True)
class Finding:
    """Something the evidence says that the reader must know: a failed threshold, an untested
    language, a small sample, ... ``id`` is ``F1``, ``F2``, ...; ``severity`` is ``high``,
    ``medium`` or ``low``; ``areas`` are risk-area ids; ``evidence`` the evidence ids
    (``E1``, ...) it comes from; ``text`` says it in the assessment's language."""

    id: str
    kind: str
    severity: str
    areas: list[str]
    evidence: list[str]
    text: str


@dataclass(frozen=True)
class Assessment:
    """One risk assessment of one AI system, as written to ``assessment.json``.

    Read one with :meth:`read` (a folder written by ``puhui assess new`` or
    :func:`puhui.assess`) or :meth:`from_json` (a parsed document); both check the document
    against the ``assessment-1`` schema first and raise a one-line
    :class:`~puhui.errors.PuhuiError` naming the file and the field when it does not match.
    :meth:`to_json` gives the document back, key for key.

    Parameters
    ----------
    system : System
        The system assessed (the scope a certificate states).
    created : str
        RFC 3339 UTC time: the profile's assessment date, else when it was written.
    lang : str
        Language of every text in it (reasons, findings, verdict): ``en`` or ``fr``.
    obligations : dict
        ``facts`` (each with its reason), ``eu_ai_act`` (``tier``, items, reasons), ``tc260``
        (classes, ``grade``) and ``frameworks`` (status, reasons and items of each).
    evidence : list of dict
        The eval runs and corpora attached, ``E1``, ``E2``, ... in the order given, with
        their hashes and results.
    findings : list of Finding
        What the evidence says that the owner must act on.
    register : dict
        ``entries`` (one per risk area that applies: likelihood, severity, score, level,
        residual risk, owner, mitigation) and ``not_applicable`` areas with the reason.
    coverage : list of dict
        Per framework: each item evidenced, partly or not.
    summary : dict
        ``verdict`` (``ready``, ``conditional``, ``not-ready`` or ``blocked``, a suggestion:
        the decision is the owner's), ``verdict_text``, decision ``aids`` and counts.
    extra : dict
        Every other key of the document (schema, tool version, profile, model, data,
        assessor, answers, provenance and any a later Puhui adds), kept as it is.
    folder : Path or None
        Where it was read from (not part of the document).

    Examples
    --------
    >>> a = Assessment.read("assessment")              # doctest: +SKIP
    >>> a.eu_ai_act_tier, a.verdict                    # doctest: +SKIP
    ('limited', 'not-ready')
    >>> [r["area"] for r in a.risks if r["level"] == "critical"]   # doctest: +SKIP
    ['CR-09', 'CR-03']
    """

    system: System
    created: str
    lang: str
    obligations: dict[str, Any]
    evidence: list[dict[str, Any]]
    findings: list[Finding]
    register: dict[str, Any]
    coverage: list[dict[str, Any]]
    summary: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = field(default=None, compare=False)

    # ---------------------------------------------------------------- reading and writing

    @classmethod
    def from_json(
        cls, doc: dict[str, Any], where: object = FILE, *, folder: Path | None = None
    ) -> Assessment:
        """The assessment in ``doc`` (a parsed ``assessment.json``); ``where`` names it in
        errors."""
        validate(doc, SCHEMA_NAME, where)
        typed = {"system", "created", "lang", "obligations", "evidence", "findings"}
        typed |= {"register", "coverage", "summary"}
        return cls(
            system=System(**doc["system"]),
            created=doc["created"],
            lang=doc["lang"],
            obligations=doc["obligations"],
            evidence=doc["evidence"],
            findings=[Finding(**f) for f in doc["findings"]],
            register=doc["register"],
            coverage=doc["coverage"],
            summary=doc["summary"],
            extra={k: v for k, v in doc.items() if k not in typed},
            folder=folder,
        )

    @classmethod
    def read(cls, folder: str | Path) -> Assessment:
        """Read ``assessment.json`` of an assessment folder."""
        root = Path(folder)
        path = root / FILE
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PuhuiError(
                _("{p} not found").format(p=path),
                _("give a folder written by `puhui assess new`"),
            ) from None
        except (UnicodeDecodeError, ValueError) as e:
            raise PuhuiError(
                _("{p}: not valid JSON ({why})").format(p=path, why=e),
                _("write it again with `puhui assess new`"),
            ) from None
        return cls.from_json(doc, path, folder=root)

    def to_json(self) -> dict[str, Any]:
        """The document, as ``assessment.json`` holds it (keys in the order Puhui writes)."""
        typed: dict[str, Any] = {
            "system": {f.name: getattr(self.system, f.name) for f in fields(System)},
            "created": self.created,
            "lang": self.lang,
            "obligations": self.obligations,
            "evidence": self.evidence,
            "findings": [
                {f.name: getattr(x, f.name) for f in fields(Finding)} for x in self.findings
            ],
            "register": self.register,
            "coverage": self.coverage,
            "summary": self.summary,
        }
        order = (
            "schema", "kind", "puhui_version", "created", "lang", "system", "model", "data",
            "assessor", "profile", "obligations", "evidence", "answers", "findings", "register",
            "coverage", "summary", "provenance",
        )  # fmt: skip
        everything = {**self.extra, **typed}
        doc = {k: everything[k] for k in order if k in everything}
        doc.update({k: v for k, v in everything.items() if k not in doc})
        return doc

    # ---------------------------------------------------------------- what people ask first

    @property
    def eu_ai_act_tier(self) -> str:
        """``prohibited``, ``high-risk``, ``limited`` or ``minimal``."""
        tier: str = self.obligations["eu_ai_act"]["tier"]
        return tier

    @property
    def tc260_grade(self) -> str:
        """The indicative TC260 application-risk grade: ``high``, ``medium`` or ``low``."""
        grade: str = self.obligations["tc260"]["grade"]
        return grade

    @property
    def verdict(self) -> str:
        """The suggested verdict: ``ready``, ``conditional``, ``not-ready`` or ``blocked``."""
        verdict: str = self.summary["verdict"]
        return verdict

    @property
    def risks(self) -> list[dict[str, Any]]:
        """The risk register's entries, highest inherent score first."""
        entries: list[dict[str, Any]] = self.register["entries"]
        return entries

    def files(self) -> dict[str, Path]:
        """The report files beside ``assessment.json`` that exist (name → path); empty when
        the assessment was not read from a folder."""
        if self.folder is None:
            return {}
        names = ("assessment.json", "report.html", "report.pdf", "oscal.json")
        return {n: self.folder / n for n in names if (self.folder / n).is_file()}
