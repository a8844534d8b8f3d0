"""What the hub says about a published artifact: title, languages, sector, countries, risk areas,
per-language results and lineage, read from the artifact's own files (audit.json, plan.json,
summary.json, assessment.json, the credential) once publishing has checked them.

Every reader is bounded (lists capped, JSON read with a size limit) and tolerant: a field it cannot
read is left out of the description, never guessed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from puhui.assess.types import Assessment
from puhui.errors import PuhuiError
from puhui.evals.summary import UNPARSED_WARN
from puhui.hub.catalog import storage

JSON_LIMIT = 32 * 1024 * 1024
MAX_LANGS = 300
MAX_GROUPS = 40


def load_json(sha256: str) -> Any:
    try:
        return json.loads(storage.read_bytes(sha256, JSON_LIMIT).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def strs(values: Any, limit: int = MAX_LANGS) -> list[str]:
    if not isinstance(values, list):
        return []
    out = []
    for v in values:
        if isinstance(v, str) and v.strip() and len(v) <= 100 and v.strip() not in out:
            out.append(v.strip())
    return out[:limit]


def obj(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


def num(v: Any) -> float | int | None:
    return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def stat(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, Mapping):
        return None
    out = {k: num(entry.get(k)) for k in ("value", "ci_low", "ci_high", "n")}
    if out["value"] is None:
        return None
    out["small"] = bool(entry.get("small"))
    return out


def run_note(task: str, info: Mapping[str, Any]) -> dict[str, Any] | None:
    """What a run page says beside a task's metrics: samples the scorer could not judge, per
    language, and the parse rate (flagged above 5 % unparsed, overall or in a language).
    Absent fields (older, imported and classifier runs) mean none; sizes are bounded."""
    unscored: list[dict[str, Any]] = []
    by_lang = info.get("unscored_by_language")
    if isinstance(by_lang, Mapping):
        for lang, n in list(by_lang.items())[:MAX_LANGS]:
            if isinstance(lang, str) and isinstance(num(n), int) and n > 0:
                unscored.append({"language": lang[:32], "n": n})
    parsing = None
    p = info.get("parsing")
    if isinstance(p, Mapping):

        def counts(row: Any) -> tuple[int, int] | None:
            r = obj(row)
            n, k = num(r.get("n")), num(r.get("parsed"))
            if not isinstance(n, int) or not isinstance(k, int) or not 0 <= k <= n or n == 0:
                return None
            return n, k

        def over(n: int, k: int) -> bool:
            return (n - k) / n > UNPARSED_WARN

        overall = counts(p.get("overall"))
        if overall is not None:
            low = []
            rows = p.get("per_language")
            for row in (rows if isinstance(rows, list) else [])[:MAX_LANGS]:
                c = counts(row)
                lang = obj(row).get("language")
                if c is not None and isinstance(lang, str) and over(*c):
                    low.append({"language": lang[:32], "rate": round(c[1] / c[0], 4)})
            parsing = {
                "policy": "exclude" if p.get("policy") == "exclude" else "wrong",
                "n": overall[0],
                "parsed": overall[1],
                "rate": round(overall[1] / overall[0], 4),
                "excluded": num(p.get("excluded")) or 0,
                "warn": over(*overall) or bool(low),
                "warn_languages": low,
            }
    measured = _measured(info.get("measured"))
    if not unscored and parsing is None and measured is None:
        return None
    return {
        "task": task[:100],
        "unscored": sum(r["n"] for r in unscored),
        "unscored_by_language": unscored,
        "parsing": parsing,
        "measured": measured,
    }


def _measured(m: Any) -> dict[str, Any] | None:
    """Where the task's scorer was measured, per language (bounded): ``{"scorer", "languages":
    [{"language", "n", "alpha", "source"} or {"language", "n": None}]}``."""
    if not isinstance(m, Mapping) or not isinstance(m.get("languages"), Mapping):
        return None
    rows: list[dict[str, Any]] = []
    for lang, v in list(m["languages"].items())[:MAX_LANGS]:
        if not isinstance(lang, str):
            continue
        entry = obj(v)
        n = num(entry.get("n"))
        alpha = num(entry.get("alpha"))
        rows.append(
            {
                "language": lang[:32],
                "n": n if isinstance(n, int) and n > 0 else None,
                "alpha": None if alpha is None else round(float(alpha), 4),
                "source": s if (s := entry.get("source")) in ("held-out", "estimate") else "people",
            }
        )
    return {"scorer": str(m.get("scorer", ""))[:32], "languages": rows}


# ---------------------------------------------------------------- metadata by kind


@dataclass
class Described:
    """What an artifact's own files say about it."""

    title: str = ""
    description: str = ""
    languages: list[str] = field(default_factory=list)
    sector: str = ""
    countries: list[str] = field(default_factory=list)
    risk_areas: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    lineage: list[dict[str, str]] = field(default_factory=list)
    name_hint: str = ""


def describe_corpus(files: Mapping[str, str], manifest: Mapping[str, Any]) -> Described:
    d = Described()
    params = manifest.get("provenance", {}).get("parameters", {})
    if isinstance(params, Mapping) and isinstance(params.get("name"), str):
        d.name_hint = d.title = params["name"]
    audit = load_json(files["audit.json"]) if "audit.json" in files else None
    if isinstance(audit, Mapping):
        langs = audit.get("languages")
        rows = []
        if isinstance(langs, Mapping):
            for tag, info in langs.items():
                if not isinstance(info, Mapping) or not isinstance(tag, str):
                    continue
                rows.append(
                    {
                        "language": tag[:32],
                        "documents": num(info.get("documents")) or 0,
                        "share": num(info.get("share")) or 0,
                        "characters": num(info.get("characters")) or 0,
                        "removed": num(info.get("removed")) or 0,
                    }
                )
        rows.sort(key=lambda r: -float(r["documents"]))
        d.metadata["audit_languages"] = rows[:MAX_LANGS]
        d.languages = [str(r["language"]) for r in rows if r["documents"]][:MAX_LANGS]
        totals = audit.get("totals")
        if isinstance(totals, Mapping):
            d.metadata["audit_totals"] = {
                k: num(totals.get(k))
                for k in ("documents", "characters", "words", "removed", "dedup_removed")
                if num(totals.get(k)) is not None
            }
    if "datasheet.md" in files:
        try:
            text = storage.read_bytes(files["datasheet.md"], 64 * 1024).decode("utf-8", "replace")
        except OSError:
            text = ""
        paras = [p.strip() for p in text.split("\n\n") if p.strip()]
        prose = [p for p in paras if not p.startswith(("#", "|", "-", "*", "```"))]
        if prose:
            d.description = prose[0][:2000]
    return d


def params(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj(obj(manifest.get("provenance")).get("parameters"))


def describe_suite(files: Mapping[str, str], manifest: Mapping[str, Any]) -> Described:
    """A suite exported with `puhui eval export`: what it is, from the manifest's parameters."""
    d = Described()
    p = params(manifest)
    if isinstance(p.get("name"), str):
        d.name_hint = p["name"]
    d.title = str(p.get("title") or d.name_hint)[:300]
    d.description = str(p.get("description") or "")[:2000]
    d.languages = strs(p.get("languages"))
    d.risk_areas = strs(p.get("risk_areas"), 50)
    d.metadata["suite"] = {
        "license": str(p.get("license") or "")[:100],
        "tasks": strs(p.get("tasks"), 100),
        "samples": num(p.get("samples")),
    }
    return d


def describe_model(files: Mapping[str, str], manifest: Mapping[str, Any]) -> Described:
    """A model card from `puhui models card`: its facts, and the runs it reports as lineage."""
    d = Described()
    p = params(manifest)
    if isinstance(p.get("name"), str):
        d.name_hint = p["name"]
    d.title = str(p.get("title") or d.name_hint)[:300]
    d.metadata["model"] = {
        k: str(p.get(k) or "")[:300] for k in ("kind", "identity", "license") if p.get(k)
    }
    if "card.md" in files:
        try:
            text = storage.read_bytes(files["card.md"], 64 * 1024).decode("utf-8", "replace")
        except OSError:
            text = ""
        limits = text.split("## Limitations", 1)[-1].split("##", 1)[0].strip()
        if limits and "## Limitations" in text:
            d.description = limits[:2000]
    return d


def describe_run(files: Mapping[str, str], manifest: Mapping[str, Any]) -> Described:
    d = Described()
    summary = load_json(files["summary.json"]) if "summary.json" in files else None
    plan = load_json(files["plan.json"]) if "plan.json" in files else None
    src = obj(summary) or obj(plan)
    suite = src.get("suite") if isinstance(src.get("suite"), str) else ""
    model = obj(src.get("model"))
    model_name = model.get("name") if isinstance(model.get("name"), str) else ""
    d.title = " · ".join(x for x in (suite, model_name) if x)
    d.name_hint = "-".join(x for x in (suite, model_name) if x)
    d.metadata["run"] = {
        "suite": suite,
        "model": model_name,
        "model_identity": str(model.get("identity") or "")[:300],
        "task_kind": str(src.get("kind") or "")[:32],
        "samples": num(src.get("samples")),
        "complete": bool(src.get("complete")) if isinstance(summary, Mapping) else None,
    }
    if suite:
        d.lineage.append({"relation": "uses_suite", "kind": "suite", "name": suite, "label": suite})
    if model_name:
        d.lineage.append(
            {
                "relation": "evaluates_model",
                "kind": "model",
                "name": model_name,
                "label": model_name,
            }
        )
    results = []
    notes = []
    langs: list[str] = []
    tasks = summary.get("tasks") if isinstance(summary, Mapping) else None
    if isinstance(tasks, Mapping):
        for task, info in list(tasks.items())[:50]:
            note = run_note(str(task), info) if isinstance(info, Mapping) else None
            if note is not None:
                notes.append(note)
            metrics = info.get("metrics") if isinstance(info, Mapping) else None
            if not isinstance(metrics, Mapping):
                continue
            for metric, m in list(metrics.items())[:20]:
                if not isinstance(m, Mapping):
                    continue
                per_lang = []
                for row in m.get("per_language") or []:
                    st = stat(row)
                    if st is None or not isinstance(row.get("language"), str):
                        continue
                    st["language"] = row["language"][:32]
                    per_lang.append(st)
                    if st["language"] not in langs:
                        langs.append(st["language"])
                groups: dict[str, list[dict[str, Any]]] = {}
                pg = m.get("per_group")
                if isinstance(pg, Mapping):
                    for attr, rows in list(pg.items())[:10]:
                        out = []
                        for row in (rows if isinstance(rows, list) else [])[:MAX_GROUPS]:
                            st = stat(row)
                            if st is not None:
                                st["group"] = str(row.get("group"))[:100]
                                out.append(st)
                        groups[str(attr)[:50]] = out
                results.append(
                    {
                        "task": str(task)[:100],
                        "metric": str(metric)[:60],
                        "overall": stat(m.get("overall")),
                        "per_language": per_lang[:MAX_LANGS],
                        "per_group": groups,
                    }
                )
    d.metadata["results"] = results
    d.metadata["run_notes"] = notes
    d.languages = langs
    return d


def describe_assessment(files: Mapping[str, str], manifest: Mapping[str, Any]) -> Described:
    """An assessment from `puhui assess new`, read through its typed view
    (:class:`~puhui.assess.types.Assessment`; publishing checked it against ``assessment-1``):
    the system's scope, the risk areas its register holds, its reports and its evidence."""
    d = Described()
    data = load_json(files["assessment.json"]) if "assessment.json" in files else None
    try:
        a = Assessment.from_json(data) if isinstance(data, dict) else None
    except PuhuiError:
        a = None
    if a is None:
        return d
    system = a.system
    d.title = system.name[:300]
    d.name_hint = d.title
    d.description = system.intended_use[:2000]
    d.sector = system.sector[:100]
    d.languages = strs(system.languages)
    d.countries = [c.upper() for c in strs(system.jurisdictions, 50)]
    d.risk_areas = strs([r.get("area") for r in a.risks if isinstance(r, Mapping)], 50)
    d.metadata["system"] = {
        "name": system.name,
        "version": system.version,
        "sector": system.sector,
        "intended_use": system.intended_use,
    }
    d.metadata["reports"] = [p for p in ("report.html", "report.pdf", "oscal.json") if p in files]
    for ev in a.evidence:
        sha = ev.get("sha256")  # the evidence artifact's content sha256, as its item holds it
        if isinstance(sha, str) and storage.SHA256_RE.match(sha):
            d.lineage.append(
                {
                    "relation": "uses_evidence",
                    "sha256": sha,
                    "kind": str(ev.get("type") or "")[:16],
                    "label": str(ev.get("id") or sha[:16])[:300],
                }
            )
    return d


def describe_labels(files: Mapping[str, str], manifest: Mapping[str, Any]) -> Described:
    """A labelled set from `puhui rate export`: people's final labels of model answers."""
    d = Described()
    p = params(manifest)
    if isinstance(p.get("name"), str):
        d.name_hint = p["name"]
    d.title = str(p.get("name") or d.name_hint)[:300]
    d.languages = strs(p.get("languages"))
    d.metadata["labels"] = {
        "license": str(p.get("license") or "")[:100],
        "questions": strs(p.get("questions"), 10),
        "items": num(p.get("items")),
        "suite": str(p.get("suite") or "")[:100],
        "model": str(p.get("model") or "")[:100],
    }
    return d


def describe_course(course: Mapping[str, Any], manifest: Mapping[str, Any]) -> Described:
    """A course packed with `puhui learn pack`, from what :mod:`.courses` read of it."""
    d = Described()
    p = params(manifest)
    d.name_hint = str(course.get("id") or "")
    d.title = str(p.get("title") or d.name_hint)[:300]
    d.description = str(p.get("summary") or "")[:2000]
    d.languages = strs(p.get("languages"), 50)
    d.sector = "education"
    d.metadata["course"] = dict(course)
    return d


def describe_certificate(cred: Mapping[str, Any]) -> Described:
    subject = cred.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    d = Described()
    d.title = str(subject.get("name") or _("certificate"))[:300]
    d.name_hint = f"{d.title}-certificate"
    d.description = str(subject.get("intendedUse") or "")[:2000]
    d.sector = str(subject.get("sector") or "")[:100]
    d.languages = strs(subject.get("languages"))
    d.countries = [c.upper() for c in strs(subject.get("jurisdictions"), 50)]
    issuer = cred.get("issuer")
    d.metadata["certificate"] = {
        "id": str(cred.get("id") or "")[:200],
        "issuer": str(issuer.get("id") if isinstance(issuer, Mapping) else issuer or "")[:300],
        "issuer_name": str(issuer.get("name") or "")[:200] if isinstance(issuer, Mapping) else "",
        "validFrom": str(cred.get("validFrom") or "")[:40],
        "validUntil": str(cred.get("validUntil") or "")[:40],
    }
    assessment = subject.get("assessment")
    if isinstance(assessment, Mapping):
        sha = assessment.get("contentSha256")
        if isinstance(sha, str) and storage.SHA256_RE.match(sha):
            d.lineage.append(
                {
                    "relation": "certifies",
                    "kind": "assessment",
                    "sha256": sha,
                    "label": str(assessment.get("id") or sha[:16])[:300],
                }
            )
    return d


# ---------------------------------------------------------------- the upload
