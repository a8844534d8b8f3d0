"""The risk register: one entry per risk area that applies to the system.

Each entry has a likelihood (1–5) and a severity (1–5) whose product ranks it, the evidence and
findings behind them, the mitigation, the residual risk after mitigation and an owner. Defaults
come from the evidence (failing or uncertain results raise likelihood, passing tests lower it) and
the profile (the area's base severity, raised one step for high-stakes sectors, vulnerable users
or decisions about people; likelihood one step for public exposure), each with its basis written
out.
The profile's ``risks:`` overrides any of them.
"""

from __future__ import annotations

from typing import Any

from puhui.assess import taxonomy
from puhui.assess.messages import Messages
from puhui.assess.obligations import rules
from puhui.assess.profile import Profile

LEVELS = ((4, "low"), (9, "medium"), (16, "high"), (25, "critical"))


def level(score: int) -> str:
    """low (1–4), medium (5–9), high (10–16) or critical (20–25)."""
    for top, name in LEVELS:
        if score <= top:
            return name
    return "critical"


def _clamp(x: int) -> int:
    return max(1, min(5, x))


def applicable_areas(
    facts: dict[str, dict[str, Any]], m: Messages
) -> tuple[list[tuple[str, list[dict[str, Any]]]], list[tuple[str, str]]]:
    """([(area, reasons)], [(area, why not)]) from the rules' ``when`` facts."""
    yes: list[tuple[str, list[dict[str, Any]]]] = []
    no: list[tuple[str, str]] = []
    for area, rule in rules()["areas"].items():
        if "always" in rule["when"]:
            yes.append((area, [{"text": m("area.always"), "fields": []}]))
            continue
        reasons = [facts[w]["reason"] for w in rule["when"] if w in facts]
        if reasons:
            yes.append((area, reasons))
        else:
            no.append((area, m("area.not_applicable", when=", ".join(rule["when"]))))
    return yes, no


def build(
    profile: Profile,
    facts: dict[str, dict[str, Any]],
    evidence: list[dict[str, Any]],
    answers: list[dict[str, Any]],
    findings: list[dict[str, Any]],
    m: Messages,
) -> dict[str, Any]:
    """The register entries (highest inherent score first) and the areas that do not apply."""
    tax = taxonomy.load()
    yes, no = applicable_areas(facts, m)
    overrides = profile.risks
    entries: list[dict[str, Any]] = []
    for area_id, reasons in yes:
        area = tax.area(area_id)
        rule = rules()["areas"][area_id]
        evs = [e["id"] for e in evidence if area_id in e["risk_areas"]]
        ans = [a for a in answers if area_id in a["areas"]]
        fnd = [f for f in findings if area_id in f["areas"]]
        basis: list[str] = []
        if any(f["severity"] == "high" for f in fnd):
            likelihood = 4
            basis.append(m("basis.l.fail"))
        elif any(f["severity"] == "medium" for f in fnd):
            likelihood = 3
            basis.append(m("basis.l.uncertain"))
        elif evs:
            likelihood = 2
            basis.append(m("basis.l.tested", ev=", ".join(evs)))
        elif ans and all(a["value"] in ("yes", "not-applicable") for a in ans):
            likelihood = 2
            basis.append(m("basis.l.answers_yes"))
        elif ans:
            likelihood = 3
            basis.append(m("basis.l.answers_gaps"))
        else:
            likelihood = 3
            basis.append(m("basis.l.none"))
        exposed = [facts[x]["reason"]["text"] for x in rule["exposure"] if x in facts]
        if exposed:  # at most one step, however many reasons
            likelihood += 1
            basis.append(m("basis.plus", why="; ".join(exposed)))
        severity = int(rule["severity"])
        basis.append(m("basis.s.base", s=severity))
        worse = [facts[x]["reason"]["text"] for x in rule["aggravating"] if x in facts]
        if worse:
            severity += 1
            basis.append(m("basis.plus", why="; ".join(worse)))
        likelihood, severity = _clamp(likelihood), _clamp(severity)
        ov = overrides.get(area_id, {})
        if "likelihood" in ov or "severity" in ov:
            basis.append(m("basis.override"))
        likelihood = int(ov.get("likelihood", likelihood))
        severity = int(ov.get("severity", severity))
        mitigation = str(ov.get("mitigation") or "")
        res = dict(ov.get("residual") or {})
        if "likelihood" in res or "severity" in res:
            r_l, r_s, r_basis = (
                int(res.get("likelihood", likelihood)),
                int(res.get("severity", severity)),
                m("basis.residual.given"),
            )
        elif mitigation:
            r_l, r_s, r_basis = _clamp(likelihood - 1), severity, m("basis.residual.mitigated")
        else:
            r_l, r_s, r_basis = likelihood, severity, m("basis.residual.none")
        score = likelihood * severity
        entries.append(
            {
                "area": area_id,
                "title": area.title_in(m.lang),
                "applies_because": reasons,
                "likelihood": likelihood,
                "severity": severity,
                "score": score,
                "level": level(score),
                "basis": basis,
                "evidence": evs,
                "answers": [a["item"] for a in ans],
                "findings": [f["id"] for f in fnd],
                "mitigation": mitigation,
                "residual": {
                    "likelihood": r_l,
                    "severity": r_s,
                    "score": r_l * r_s,
                    "level": level(r_l * r_s),
                    "basis": r_basis,
                },
                "owner": profile.owner_for(area_id),
                "status": str(ov.get("status") or "open"),
                "note": str(ov.get("note") or ""),
            }
        )
    entries.sort(key=lambda e: (-e["score"], e["area"]))
    return {
        "entries": entries,
        "not_applicable": [
            {"area": a, "title": tax.area(a).title_in(m.lang), "reason": why} for a, why in no
        ],
    }
