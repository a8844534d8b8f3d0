"""The assessment as OSCAL 1.2 ``assessment-results``.

One result holds: the reviewed controls (the applicable risk areas, as controls of the Puhui
risk-area catalog), an observation per evidence item (and per checklist answer) with
``relevant-evidence`` links carrying sha256 hashes, a risk per register entry (likelihood and
impact facets, mitigation, residual), and a finding per risk area targeting it, linked to its
observations and risk. ``import-ap`` points at a back-matter resource describing the plan (the
profile, pinned by hash). UUIDs are uuid5 of content, so the same assessment gives the same file.
"""

from __future__ import annotations

import uuid
from typing import Any

from puhui._version import __version__
from puhui.assess.taxonomy import OSCAL_VERSION, PROP_NS, oscal_id

_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://puhui.invalid/assess/assessment-results")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "|".join(parts)))


def _prop(name: str, value: Any) -> dict[str, str]:
    return {"name": name, "value": str(value), "ns": PROP_NS}


def _hash(sha: str) -> list[dict[str, str]]:
    return [{"algorithm": "SHA-256", "value": sha}]


def build(a: dict[str, Any]) -> dict[str, Any]:
    """OSCAL assessment-results for the assessment model ``a`` (see assessment.py)."""
    seed = a["profile"]["sha256"] + "|" + "|".join(e["sha256"] for e in a["evidence"])
    when = a["created"]
    system = a["system"]
    resources: list[dict[str, Any]] = []
    plan_uuid = _uuid(seed, "plan")
    resources.append(
        {
            "uuid": plan_uuid,
            "title": f"Assessment plan: system profile of {system['name']}",
            "description": "The system profile the assessment was planned from; the reviewed "
            "controls are the Puhui risk areas that apply to it.",
            "rlinks": [{"href": a["profile"]["name"], "hashes": _hash(a["profile"]["sha256"])}],
        }
    )
    ev_res: dict[str, str] = {}
    for ev in a["evidence"]:
        rid = _uuid(seed, "resource", ev["sha256"])
        ev_res[ev["id"]] = rid
        resources.append(
            {
                "uuid": rid,
                "title": f"{ev['id']}: {ev['type']} {ev.get('suite') or ev['manifest_id']}",
                "props": [_prop("manifest-id", ev["manifest_id"])],
                "rlinks": [{"href": ev["path"], "hashes": _hash(ev["sha256"])}],
            }
        )
    observations = []
    obs_by_area: dict[str, list[str]] = {}
    for ev in a["evidence"]:
        oid = _uuid(seed, "observation", ev["id"])
        for area in ev["risk_areas"]:
            obs_by_area.setdefault(area, []).append(oid)
        lines = []
        for r in ev.get("results", []):
            if "overall" in r and r["overall"].get("value") is not None:
                ov = r["overall"]
                lines.append(
                    f"{r['task']} {r['metric']} = {ov['value']:.3f} "
                    f"(95% CI {ov.get('ci_low')}–{ov.get('ci_high')}, n={ov.get('n')})"
                )
        if ev["type"] == "corpus":
            lines.append(
                f"{ev.get('documents')} documents in {len(ev['languages'])} languages; "
                f"{ev.get('documents_with_pii')} with personal data (redacted)"
            )
        observations.append(
            {
                "uuid": oid,
                "title": f"{ev['id']}: {ev.get('suite') or ev['type']}",
                "description": "; ".join(lines) or ev["type"],
                "props": [_prop("risk-area", x) for x in ev["risk_areas"]]
                + [_prop("evidence-id", ev["id"])],
                "methods": ["TEST"],
                "types": ["finding"] if ev["type"] == "run" else ["ssp-statement-issue"],
                "relevant-evidence": [
                    {
                        "href": f"#{ev_res[ev['id']]}",
                        "description": f"{ev['manifest_id']} at {ev['path']}",
                        "props": [_prop("sha256", ev["sha256"])],
                    }
                ],
                "collected": ev.get("started") or when,
            }
        )
    for ans in a["answers"]:
        oid = _uuid(seed, "observation", ans["item"])
        for area in ans["areas"]:
            obs_by_area.setdefault(area, []).append(oid)
        obs: dict[str, Any] = {
            "uuid": oid,
            "title": f"Checklist {ans['item']}: {ans['value']}",
            "description": ans.get("note") or ans["value"],
            "props": [_prop("checklist-item", ans["item"]), _prop("answer", ans["value"])],
            "methods": ["EXAMINE", "INTERVIEW"],
            "collected": when,
        }
        links = []
        for link in ans["evidence"]:
            ev_link: dict[str, Any] = {
                "href": link["href"],
                "description": link.get("title") or link["href"],
            }
            if link.get("sha256"):
                ev_link["props"] = [_prop("sha256", link["sha256"])]
            links.append(ev_link)
        if links:
            obs["relevant-evidence"] = links
        observations.append(obs)
    risks = []
    findings = []
    for entry in a["register"]["entries"]:
        area = entry["area"]
        rid = _uuid(seed, "risk", area)
        risk: dict[str, Any] = {
            "uuid": rid,
            "title": f"{area} {entry['title']}",
            "description": "; ".join(r["text"] for r in entry["applies_because"]),
            "statement": "; ".join(entry["basis"]),
            "props": [_prop("risk-area", area), _prop("owner", entry["owner"] or "unassigned")],
            "status": entry["status"] if entry["status"] in ("open", "closed") else "open",
            "characterizations": [
                {
                    "origin": {"actors": [{"type": "tool", "actor-uuid": _uuid("tool", "puhui")}]},
                    "facets": [
                        {
                            "name": "likelihood",
                            "system": PROP_NS,
                            "value": str(entry["likelihood"]),
                        },
                        {"name": "impact", "system": PROP_NS, "value": str(entry["severity"])},
                        {"name": "risk", "system": PROP_NS, "value": entry["level"]},
                        {
                            "name": "residual-risk",
                            "system": PROP_NS,
                            "value": entry["residual"]["level"],
                        },
                    ],
                }
            ],
        }
        if entry["mitigation"]:
            risk["mitigating-factors"] = [
                {"uuid": _uuid(seed, "mitigation", area), "description": entry["mitigation"]}
            ]
        if obs_by_area.get(area):
            risk["related-observations"] = [{"observation-uuid": o} for o in obs_by_area[area]]
        risks.append(risk)
        area_findings = [f for f in a["findings"] if area in f["areas"]]
        satisfied = bool(obs_by_area.get(area)) and not any(
            f["severity"] in ("high", "medium") for f in area_findings
        )
        finding: dict[str, Any] = {
            "uuid": _uuid(seed, "finding", area),
            "title": f"{area} {entry['title']}: {entry['level']} risk",
            "description": " ".join(f["text"] for f in area_findings)
            or f"Residual risk {entry['residual']['level']}.",
            "target": {
                "type": "objective-id",
                "target-id": oscal_id(area),
                "status": {"state": "satisfied" if satisfied else "not-satisfied"},
            },
            "related-risks": [{"risk-uuid": rid}],
        }
        if obs_by_area.get(area):
            finding["related-observations"] = [{"observation-uuid": o} for o in obs_by_area[area]]
        findings.append(finding)
    eu = a["obligations"]["eu_ai_act"]
    grade = a["obligations"]["tc260"]["grade"]
    result = {
        "uuid": _uuid(seed, "result"),
        "title": f"Risk assessment of {system['name']}",
        "description": f"Puhui assessment across {len(a['coverage'])} frameworks. "
        f"EU AI Act tier: {eu['tier']}. TC260 grade (indicative): {grade}.",
        "start": when,
        "end": when,
        "props": [_prop("eu-ai-act-tier", eu["tier"])]
        + [_prop("framework", c["framework"]) for c in a["coverage"]],
        "reviewed-controls": {
            "control-selections": [
                {
                    "include-controls": [
                        {"control-id": oscal_id(e["area"])} for e in a["register"]["entries"]
                    ]
                }
            ]
        },
        "observations": observations,
        "risks": risks,
        "findings": findings,
    }
    return {
        "assessment-results": {
            "uuid": _uuid(seed, "assessment-results"),
            "metadata": {
                "title": f"Risk assessment results: {system['name']}",
                "last-modified": when,
                "version": str(system.get("version") or "1"),
                "oscal-version": OSCAL_VERSION,
                "props": [_prop("generator", f"puhui {__version__}")],
                "remarks": "Generated by Puhui from a system profile, eval runs, corpus audits "
                "and checklist answers. Risk areas are controls of the Puhui risk-area catalog "
                "(puhui assess crosswalk --format oscal).",
            },
            "import-ap": {"href": f"#{plan_uuid}"},
            "results": [result],
            "back-matter": {"resources": resources},
        }
    }


REQUIRED = {
    "assessment-results": ("uuid", "metadata", "import-ap", "results"),
    "metadata": ("title", "last-modified", "version", "oscal-version"),
    "result": ("uuid", "title", "description", "start", "reviewed-controls"),
    "observation": ("uuid", "description", "methods", "collected"),
    "risk": ("uuid", "title", "description", "statement", "status"),
    "finding": ("uuid", "title", "description", "target"),
}


def check(doc: dict[str, Any]) -> list[str]:
    """Structural problems of an assessment-results document (empty when it is well formed)."""
    problems: list[str] = []

    def need(obj: dict[str, Any], kind: str, where: str) -> None:
        for key in REQUIRED[kind]:
            if key not in obj:
                problems.append(f"{where}: {key} missing")

    ar = doc.get("assessment-results")
    if not isinstance(ar, dict):
        return ["assessment-results missing"]
    need(ar, "assessment-results", "assessment-results")
    need(ar.get("metadata", {}), "metadata", "metadata")
    uuids = {r["uuid"] for r in ar.get("back-matter", {}).get("resources", [])}
    href = ar.get("import-ap", {}).get("href", "")
    if href.startswith("#") and href[1:] not in uuids:
        problems.append("import-ap: href does not resolve to a back-matter resource")
    for i, res in enumerate(ar.get("results", [])):
        need(res, "result", f"results[{i}]")
        obs_ids = set()
        for j, o in enumerate(res.get("observations", [])):
            need(o, "observation", f"results[{i}].observations[{j}]")
            obs_ids.add(o.get("uuid"))
            for ev in o.get("relevant-evidence", []):
                if ev["href"].startswith("#") and ev["href"][1:] not in uuids:
                    problems.append(f"observation {o['uuid']}: evidence link does not resolve")
        risk_ids = set()
        for j, r in enumerate(res.get("risks", [])):
            need(r, "risk", f"results[{i}].risks[{j}]")
            risk_ids.add(r.get("uuid"))
        for j, f in enumerate(res.get("findings", [])):
            need(f, "finding", f"results[{i}].findings[{j}]")
            for ro in f.get("related-observations", []):
                if ro["observation-uuid"] not in obs_ids:
                    problems.append(f"finding {f['uuid']}: unknown observation")
            for rr in f.get("related-risks", []):
                if rr["risk-uuid"] not in risk_ids:
                    problems.append(f"finding {f['uuid']}: unknown risk")
    all_uuids: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            if isinstance(x.get("uuid"), str):
                all_uuids.append(x["uuid"])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(ar)
    if len(all_uuids) != len(set(all_uuids)):
        problems.append("duplicate uuids")
    return problems
