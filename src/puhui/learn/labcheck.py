"""A lab's typed spec (:class:`Lab`, :class:`LabText`) and the automatic checks: each check
reads what a learner handed in (an artifact Puhui made, pinned by its manifest) and says, one
:class:`Finding` per point, what is right and what is not.

A check is registered by name in :data:`CHECKS` (``check:`` in a lab's spec names it) with the
parameters it takes, the kind of answer it grades and what the learner hands in; the course
validator reads the registry to check a spec. A learner's mistake (a wrong answer, an edited
file, an artifact made from other data) is a failed finding, never an exception.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from puhui.errors import PuhuiError
from puhui.i18n import _

ANSWER_KINDS = ("number", "yes_no", "none")
HAND_IN_KINDS = ("folder", "file")
#: Answers read as yes / no (case-folded), in the languages of the bundled courses.
YES = ("yes", "y", "true", "ndiyo", "oui", "sí", "si", "sim", "是", "نعم", "हाँ", "हां")
NO = ("no", "n", "false", "hapana", "non", "não", "nao", "否", "لا", "नहीं")


@dataclass(frozen=True)
class LabText:
    """A lab's instructions in one language: title, review status, the question the learner
    answers ("" when none) and the Markdown steps."""

    title: str
    review: str
    question: str
    body: str


@dataclass(frozen=True)
class Lab:
    """A lab as its spec (``labs/<id>.yaml``) and instructions describe it."""

    id: str
    minutes: int
    check: str
    hand_in: str
    data: Path | None
    answer: str
    params: Mapping[str, Any] = field(default_factory=dict)
    instructions: Mapping[str, LabText] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One point a check looked at: passed (``ok``) or not, and one translatable sentence."""

    ok: bool
    what: str

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "what": self.what}


@dataclass(frozen=True)
class Handed:
    """What a check reads: the handed-in path (a folder or a file, unzipped already), the
    learner's answer as the lab's ``answer`` kind reads it (a float, a bool or None), the lab's
    params and its data folder in the course (None when the lab has none)."""

    path: Path
    answer: float | bool | None
    params: Mapping[str, Any]
    data: Path | None


@dataclass(frozen=True)
class Check:
    """A registered check: the function, the parameters it takes (name -> (type, required)),
    the answer kind it grades and what is handed in."""

    run: Callable[[Handed], list[Finding]]
    answer: str
    hand_in: str
    params: Mapping[str, tuple[type, bool]] = field(default_factory=dict)


def param_problems(check: Check, params: Any) -> list[tuple[str, str, str]]:
    """(field, what, what to do) for each problem of a lab spec's ``params`` for ``check``."""
    if not isinstance(params, dict):
        return [("params", _("not a mapping"), _("write params: {name: value, ...}"))]
    out = []
    for key, value in params.items():
        if key not in check.params:
            known = ", ".join(sorted(check.params)) or _("none")
            out.append(
                (
                    f"params.{key}",
                    _("not a parameter of this check"),
                    _("remove it (parameters: {known})").format(known=known),
                )
            )
        elif not isinstance(value, check.params[key][0]) or isinstance(value, bool):
            out.append(
                (
                    f"params.{key}",
                    _("{v!r} is not a {t}").format(v=value, t=check.params[key][0].__name__),
                    _("write a value of that type"),
                )
            )
    for key, (_kind, required) in check.params.items():
        if required and key not in params:
            out.append((f"params.{key}", _("missing"), _("add it")))
    return out


def read_answer(kind: str, answer: str | None) -> float | bool | None:
    """The learner's answer as ``kind`` reads it; None when absent or unreadable."""
    if kind == "none" or answer is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", answer).split()).casefold()
    if kind == "yes_no":
        return True if text in YES else False if text in NO else None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _no_answer(kind: str) -> Finding:
    if kind == "yes_no":
        return Finding(False, _("No answer given: answer yes or no (--answer yes)."))
    return Finding(False, _("No answer given: answer with a number (--answer 3)."))


def _artifact(path: Path, kind: str, made_by: str) -> tuple[list[Finding], Any]:
    """Findings for ``path`` being an unchanged artifact of ``kind``; its manifest when so."""
    from puhui.artifacts import check

    if not path.is_dir():
        return [
            Finding(
                False,
                _("Hand in a folder: the --out folder of `{cmd}`.").format(cmd=made_by),
            )
        ], None
    try:
        manifest = check(path)
    except PuhuiError as e:
        return [
            Finding(
                False,
                _("The files do not match the manifest ({why}): was something changed after "
                  "`{cmd}` wrote them? Build it again.").format(why=e.message, cmd=made_by),
            )
        ], None  # fmt: skip
    found = [Finding(True, _("Every file matches the manifest: nothing was changed after."))]
    if manifest.kind != kind:
        found.append(
            Finding(
                False,
                _("This is a {k}, not a {want}: hand in the --out folder of `{cmd}`.").format(
                    k=manifest.kind, want=kind, cmd=made_by
                ),
            )
        )
        return found, None
    return found, manifest


# ---------------------------------------------------------------- corpus-redactions


def corpus_redactions(handed: Handed) -> list[Finding]:
    """A corpus built from the lab's data with PII redacted; the answer is how many items of
    ``params.pii_type`` (default PHONE) the audit counts."""
    from puhui.artifacts import input_ref

    found, manifest = _artifact(handed.path, "corpus", "puhui corpus build")
    if manifest is None:
        return found
    if handed.data is not None:
        want = input_ref(handed.data)["sha256"]
        inputs = manifest.provenance.get("inputs") or []
        if any(isinstance(i, dict) and i.get("sha256") == want for i in inputs):
            found.append(Finding(True, _("The corpus was built from the lab's data.")))
        else:
            found.append(
                Finding(
                    False,
                    _("The corpus was not built from the lab's data (its files differ): copy "
                      "them with `puhui learn lab data` and build from that folder, "
                      "unchanged."),
                )
            )  # fmt: skip
    try:
        audit = json.loads((handed.path / "audit.json").read_text(encoding="utf-8"))
        pii = audit["pii"]
        by_type = pii["by_type"]
    except (OSError, ValueError, KeyError, TypeError):
        found.append(Finding(False, _("The corpus has no readable audit.json: build it again.")))
        return found
    if pii.get("step_ran") is True and pii.get("mode") == "redact":
        found.append(Finding(True, _("Personal data was redacted (pii.mode = redact).")))
    else:
        found.append(
            Finding(
                False,
                _("Personal data was not redacted (pii.mode = {m}): build with the pii step in "
                  "redact mode, the default.").format(m=pii.get("mode") or _("not run")),
            )
        )  # fmt: skip
    kind = str(handed.params.get("pii_type", "PHONE"))
    truth = by_type.get(kind, 0) if isinstance(by_type, dict) else None
    if handed.answer is None:
        found.append(_no_answer("number"))
    elif truth is not None and handed.answer == truth:
        found.append(
            Finding(
                True,
                _("Right: the audit counts {n} redacted items of type {t}.").format(
                    n=truth, t=kind
                ),
            )
        )
    else:
        found.append(
            Finding(
                False,
                _("Your answer {a:g} is not what the audit counts for {t}: open audit.html and "
                  "read the personal data section again.").format(a=handed.answer, t=kind),
            )
        )  # fmt: skip
    return found


# ---------------------------------------------------------------- language-gap


def language_gap(handed: Handed) -> list[Finding]:
    """An eval run of ``params.suite`` on exactly two languages; the answer says whether the
    main metric's 95% intervals of the two languages do not overlap."""
    from puhui.evals.summary import read_summary

    found, manifest = _artifact(handed.path, "run", "puhui eval run")
    if manifest is None:
        return found
    try:
        summary = read_summary(handed.path)
    except PuhuiError as e:
        found.append(Finding(False, _("The run's summary cannot be read ({why}).").format(why=e)))
        return found
    suite = str(handed.params["suite"])
    if summary.suite != suite:
        found.append(
            Finding(
                False,
                _(
                    "This run is of the suite {got}, not {want}: run `puhui eval run {want}`."
                ).format(got=summary.suite, want=suite),
            )
        )
        return found
    found.append(Finding(True, _("The run is of the suite {s}.").format(s=suite)))
    task = next(iter(summary.tasks.values()), None)
    metric_name, metric = next(iter(task.metrics.items()), (None, None)) if task else (None, None)
    scored = [
        s
        for s in (metric.per_language if metric else [])
        if s.value is not None and s.ci_low is not None and s.ci_high is not None
    ]
    if len(scored) != 2:
        found.append(
            Finding(
                False,
                _("The run has {n} languages with scores; run it on exactly two "
                  "(--languages en,sw).").format(n=len(scored)),
            )
        )  # fmt: skip
        return found
    a, b = scored
    found.append(
        Finding(
            True,
            _("The run compares two languages on {m}: {a} and {b}.").format(
                m=metric_name, a=a.name, b=b.name
            ),
        )
    )
    assert a.ci_low is not None and a.ci_high is not None
    assert b.ci_low is not None and b.ci_high is not None
    apart = a.ci_high < b.ci_low or b.ci_high < a.ci_low
    if handed.answer is None:
        found.append(_no_answer("yes_no"))
    elif handed.answer == apart:
        found.append(
            Finding(
                True,
                _("Right: the 95% intervals do not overlap, the difference is bigger than its "
                  "uncertainty.")
                if apart
                else _("Right: the 95% intervals overlap, so the difference may be chance."),
            )
        )  # fmt: skip
    else:
        found.append(
            Finding(
                False,
                _("Not what the run shows: compare the 95% CI column of the two languages in "
                  "`puhui eval show` again."),
            )
        )  # fmt: skip
    return found


# ---------------------------------------------------------------- certificate-tamper


def _credential(path: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def certificate_tamper(handed: Handed) -> list[Finding]:
    """A folder with certificate.json (verifies) and tampered.json (a copy with a changed
    credentialSubject, which does not verify)."""
    from puhui.certify.credential import verify

    if not handed.path.is_dir():
        return [Finding(False, _("Hand in a folder with certificate.json and tampered.json."))]
    found = []
    original = _credential(handed.path / "certificate.json")
    if original is None:
        found.append(
            Finding(False, _("certificate.json is missing or not JSON: copy the issued one."))
        )
    else:
        result = verify(original)
        if result.valid:
            found.append(Finding(True, _("certificate.json verifies: its signature is valid.")))
        else:
            why = "; ".join(c.reason for c in result.failed()) or _("invalid")
            found.append(
                Finding(
                    False,
                    _("certificate.json does not verify ({why}): hand in the certificate as "
                      "`puhui cert issue` wrote it.").format(why=why),
                )
            )  # fmt: skip
    tampered = _credential(handed.path / "tampered.json")
    if tampered is None:
        found.append(
            Finding(False, _("tampered.json is missing or not JSON: copy certificate.json."))
        )
        return found
    subject = tampered.get("credentialSubject")
    if original is None or subject is None or subject == original.get("credentialSubject"):
        found.append(
            Finding(
                False,
                _("tampered.json states the same claims as certificate.json: change a claim "
                  "in credentialSubject (the system's name, the risk tier)."),
            )
        )  # fmt: skip
    else:
        found.append(Finding(True, _("tampered.json changes a claim of the certificate.")))
    if verify(tampered).valid:
        found.append(Finding(False, _("tampered.json still verifies: change a claim in it.")))
    else:
        found.append(
            Finding(True, _("tampered.json does not verify: the signature caught the change."))
        )
    return found


#: The checks a lab spec may name (``check:``).
CHECKS: dict[str, Check] = {
    "corpus-redactions": Check(
        corpus_redactions, answer="number", hand_in="folder", params={"pii_type": (str, False)}
    ),
    "language-gap": Check(
        language_gap, answer="yes_no", hand_in="folder", params={"suite": (str, True)}
    ),
    "certificate-tamper": Check(certificate_tamper, answer="none", hand_in="folder"),
}
