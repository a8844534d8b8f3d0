"""Run a risk assessment: profile + evidence + checklist answers → one assessment artifact.

:func:`new_assessment` decides the obligations, attaches and verifies the evidence, derives the
findings, builds the risk register and the per-framework coverage, and writes into ``out``:
``assessment.json`` (the model of everything; ``system`` carries the keys a certificate states),
``report.html`` (self-contained), ``report.pdf`` (WeasyPrint) and ``oscal.json`` (OSCAL
assessment-results), then ``manifest.json`` (kind ``assessment``) pinning all of them and every
input by hash. ``assessment.json`` is checked against the ``assessment-1`` schema before it is
written; :class:`~puhui.assess.types.Assessment` is its typed view.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from puhui._version import __version__
from puhui.artifacts import atomic_write_json, input_ref, sha256_file, write_manifest
from puhui.assess import coverage, evidence, obligations, oscal, register, report
from puhui.assess import profile as profile_mod
from puhui.assess.messages import Messages
from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.schemas import validate

SCHEMA = 1
OUTPUTS = ("assessment.json", "report.html", "report.pdf", "oscal.json")


def _decision(a: dict[str, Any], m: Messages) -> dict[str, Any]:
    """Summary counts and decision aids (a suggestion: the decision is the owner's)."""
    entries = a["register"]["entries"]
    fnd = a["findings"]
    eu = a["obligations"]["eu_ai_act"]
    aids: list[str] = []
    if eu["tier"] == "prohibited":
        verdict = "blocked"
        aids.append(m("aid.prohibited", items=", ".join(eu["prohibited"])))
    else:
        high_res = [e for e in entries if e["residual"]["level"] in ("high", "critical")]
        failing = [f for f in fnd if f["severity"] == "high"]
        unsure = [f for f in fnd if f["severity"] == "medium"]
        if high_res or failing:
            verdict = "not-ready"
        elif unsure:
            verdict = "conditional"
        else:
            verdict = "ready"
        if high_res:
            aids.append(
                m(
                    "aid.high_residual",
                    n=len(high_res),
                    areas=", ".join(e["area"] for e in high_res),
                )
            )
        if failing:
            aids.append(m("aid.failing", n=len(failing)))
        if unsure:
            aids.append(m("aid.uncertain", n=len(unsure)))
    untested = [f for f in fnd if f["kind"] == "untested-language"]
    if untested:
        aids.append(m("aid.untested"))
    small = [f for f in fnd if f["kind"] == "small-sample"]
    if small:
        aids.append(m("aid.small"))
    no_ev = [e["area"] for e in entries if not e["evidence"] and not e["answers"]]
    if no_ev:
        aids.append(m("aid.no_evidence", areas=", ".join(no_ev)))
    no_owner = [e["area"] for e in entries if not e["owner"]]
    if no_owner:
        aids.append(m("aid.no_owner", areas=", ".join(no_owner)))
    missing_required = [
        it.id for it in _required_items() if it.id not in {x["item"] for x in a["answers"]}
    ]
    if missing_required:
        aids.append(m("aid.unanswered", n=len(missing_required)))
    return {
        "verdict": verdict,
        "verdict_text": m(f"verdict.{verdict}"),
        "aids": aids,
        "counts": {
            "evidence": len(a["evidence"]),
            "answers": len(a["answers"]),
            "findings": {
                s: sum(1 for f in fnd if f["severity"] == s) for s in ("high", "medium", "low")
            },
            "risks": {
                lv: sum(1 for e in entries if e["level"] == lv)
                for lv in ("critical", "high", "medium", "low")
            },
            "residual": {
                lv: sum(1 for e in entries if e["residual"]["level"] == lv)
                for lv in ("critical", "high", "medium", "low")
            },
        },
        "coverage": {c["framework"]: c["counts"] for c in a["coverage"]},
    }


def _required_items() -> list[Any]:
    from puhui.assess import taxonomy

    return [it for c in taxonomy.load().checklists for it in c.items if it.evidence == "required"]


def build_model(
    profile_path: Path,
    evidence_dirs: list[Path],
    answers_path: Path | None,
    lang: str = "en",
    created: str | None = None,
) -> dict[str, Any]:
    """The assessment model (what ``assessment.json`` holds), without writing anything."""
    m = Messages(lang)
    prof = profile_mod.load(profile_path)
    obl = obligations.decide(prof, m)
    evs = evidence.attach(list(evidence_dirs), prof)
    answers = evidence.load_answers(answers_path) if answers_path is not None else []
    fnd = evidence.findings(evs, prof, m)
    reg = register.build(prof, obl["facts"], evs, answers, fnd, m)
    cov = coverage.build(obligations.in_scope(obl), evs, answers)
    for entry in reg["entries"]:
        if not entry["owner"]:
            fnd.append(
                {
                    "id": f"F{len(fnd) + 1}",
                    "kind": "no-owner",
                    "severity": "low",
                    "areas": [entry["area"]],
                    "evidence": [],
                    "text": m("finding.no_owner", area=entry["area"]),
                }
            )
    sysd = prof.system
    date = prof.assessment.get("date")
    when = created or (
        f"{date}T00:00:00Z" if date else datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    model: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": "assessment",
        "puhui_version": __version__,
        "created": when,
        "lang": lang,
        "system": {
            "name": sysd["name"],
            "version": str(sysd["version"]) if sysd.get("version") is not None else None,
            "sector": sysd["sector"],
            "languages": list(sysd["languages"]),
            "intended_use": sysd["purpose"],
            "jurisdictions": list(sysd["jurisdictions"]),
            "users": list(sysd["users"]),
            "vulnerable_groups": list(sysd.get("vulnerable_groups") or []),
            "organisation": sysd.get("organisation"),
            "roles": list(sysd.get("roles") or []),
            "interaction": list(sysd.get("interaction") or []),
            "uses": list(sysd.get("uses") or []),
            "description": sysd.get("description", ""),
            "deployment": sysd.get("deployment", ""),
        },
        "model": prof.model,
        "data": prof.dataset,
        "assessor": prof.assessment,
        "profile": {"name": prof.path.name, "path": str(prof.path), "sha256": prof.sha256},
        "obligations": obl,
        "evidence": evs,
        "answers": answers,
        "findings": fnd,
        "register": reg,
        "coverage": cov,
    }
    model["summary"] = _decision(model, m)
    model["provenance"] = _provenance(model, answers_path)
    return model


def _provenance(a: dict[str, Any], answers_path: Path | None) -> list[dict[str, Any]]:
    rows = [{"what": "profile", "name": a["profile"]["path"], "sha256": a["profile"]["sha256"]}]
    for ev in a["evidence"]:
        rows.append(
            {
                "what": ev["type"],
                "name": ev["path"],
                "id": ev["manifest_id"],
                "sha256": ev["sha256"],
            }
        )
        if ev.get("suite_sha256"):
            rows.append(
                {"what": "suite", "name": f"{ev['suite']}/suite.yaml", "sha256": ev["suite_sha256"]}
            )
    if answers_path is not None:
        rows.append(
            {"what": "answers", "name": str(answers_path), "sha256": sha256_file(answers_path)}
        )
        linked: dict[tuple[str, str], list[str]] = {}
        for ans in a["answers"]:
            for link in ans["evidence"]:
                if link.get("sha256"):
                    linked.setdefault((link["href"], link["sha256"]), []).append(ans["item"])
        for (href, sha), items in linked.items():
            rows.append({"what": "answers " + ", ".join(items), "name": href, "sha256": sha})
    from puhui.assess import taxonomy
    from puhui.assess.messages import FILE as MESSAGES
    from puhui.assess.obligations import RULES

    files = [(f"assess/data/{n}", taxonomy.DATA_DIR / n) for n in taxonomy.FILES]
    files += [
        ("assess/rules/obligations.yaml", RULES),
        ("assess/templates/messages.yaml", MESSAGES),
    ]
    for name, path in files:
        rows.append({"what": "rules", "name": name, "sha256": sha256_file(path)})
    rows.append({"what": "tool", "name": f"puhui {__version__}", "sha256": ""})
    return rows


def new_assessment(
    profile_path: str | Path,
    evidence_dirs: list[Path],
    answers_path: str | Path | None,
    out: str | Path,
    lang: str = "en",
    *,
    pdf: bool = True,
    on_stage: Callable[[str], None] | None = None,
) -> Path:
    """Assess and write the assessment folder ``out``; returns it."""
    stage = on_stage or (lambda _s: None)
    out_dir = Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise PuhuiError(_("`out` {p} is a file").format(p=out_dir), _("give a folder"))
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "assessment.json").exists():
        raise PuhuiError(
            _("`out` {p} is not empty and holds no assessment").format(p=out_dir),
            _("give a new folder, or an earlier assessment folder to overwrite"),
        )
    stage("assess")
    ans = Path(answers_path) if answers_path is not None else None
    model = build_model(Path(profile_path), [Path(d) for d in evidence_dirs], ans, lang)
    validate(model, "assessment-1", out_dir / "assessment.json")
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in (*OUTPUTS, "manifest.json"):
        if (out_dir / stale).exists() and (stale != "report.pdf" or not pdf):
            (out_dir / stale).unlink()
    atomic_write_json(out_dir / "assessment.json", model)
    stage("oscal")
    doc = oscal.build(model)
    atomic_write_json(out_dir / "oscal.json", doc)
    stage("html")
    html = report.render_html(model)
    (out_dir / "report.html").write_text(html, encoding="utf-8")
    if pdf:
        stage("pdf")
        report.render_pdf(html, out_dir / "report.pdf")
    inputs = [input_ref(profile_path, name="profile")]
    inputs += [
        input_ref(d, name=f"evidence {e['id']}")
        for d, e in zip(evidence_dirs, model["evidence"], strict=True)
    ]
    if ans is not None:
        inputs.append(input_ref(ans, name="answers"))
    write_manifest(
        out_dir,
        "assessment",
        inputs=inputs,
        parameters={
            "lang": lang,
            "pdf": pdf,
            "eu_ai_act_tier": model["obligations"]["eu_ai_act"]["tier"],
            "frameworks": [c["framework"] for c in model["coverage"]],
        },
        command="puhui assess new",
    )
    return out_dir


def load(folder: str | Path) -> dict[str, Any]:
    """Read ``assessment.json`` of an assessment folder (checked against its schema)."""
    path = Path(folder) / "assessment.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    validate(data, "assessment-1", path)
    return data
