"""Evidence for an assessment: eval runs, corpus builds and checklist answers, pinned by hash.

Each evidence folder must be a Puhui artifact whose manifest verifies (a missing or changed file
is a one-line error naming it); it is recorded by manifest id and content sha256. A run's results
are mapped onto risk areas through the ``risk_areas`` its suite declares (or the profile's
``suite_risk_areas`` for suites that declare none, such as imported runs). Findings come from
thresholds (a value that fails, or a 95% interval that reaches below a minimum / above a maximum),
fairness measures of classifier runs, corpora that under-represent the profile's languages, and
languages the system serves that no run tested.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from puhui.artifacts import check, input_ref, sha256_file
from puhui.assess import taxonomy
from puhui.assess.messages import Messages
from puhui.assess.obligations import rules
from puhui.assess.profile import Profile
from puhui.errors import PuhuiError
from puhui.evals.summary import RunSummary, TaskSummary
from puhui.i18n import _

KINDS = ("run", "corpus")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PuhuiError(
            _("evidence {p}: file is missing").format(p=path), _("rebuild the artifact")
        ) from None
    except (OSError, ValueError) as e:
        raise PuhuiError(
            _("evidence {p}: cannot read ({why})").format(p=path, why=e), _("rebuild the artifact")
        ) from None
    if not isinstance(data, dict):
        raise PuhuiError(_("evidence {p}: expected a JSON object").format(p=path), None)
    return data


def _suite_areas(plan: dict[str, Any], profile: Profile) -> tuple[list[str], str, str | None]:
    """(risk areas, where they came from, suite.yaml sha256) for a run's suite."""
    from puhui.evals import tasks

    name = str(plan.get("suite") or "")
    override = (profile.data.get("suite_risk_areas") or {}).get(name)
    if override:
        return list(override), "profile", None
    candidates: list[Path] = []
    if plan.get("suite_path"):
        candidates.append(Path(str(plan["suite_path"])))
    with contextlib.suppress(PuhuiError):
        candidates.append(tasks.find_suite(name))
    for path in candidates:
        if path.is_file():
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            areas = [str(a) for a in doc.get("risk_areas") or []]
            return areas, "suite", sha256_file(path)
    return [], "none", None


def _status(value: float | None, lo: float | None, hi: float | None, rule: dict[str, Any]) -> str:
    """pass / uncertain (value passes, interval reaches past the threshold) / fail."""
    if value is None:
        return "missing"
    mn, mx = rule.get("min"), rule.get("max")
    ok = (mn is None or value >= mn) and (mx is None or value <= mx)
    lo = value if lo is None else lo
    hi = value if hi is None else hi
    if not ok:
        return "fail"
    if (mn is not None and lo < mn) or (mx is not None and hi > mx):
        return "uncertain"
    return "pass"


def _rule_text(rule: dict[str, Any]) -> str:
    parts = []
    if rule.get("min") is not None:
        parts.append(f"≥ {rule['min']}")
    if rule.get("max") is not None:
        parts.append(f"≤ {rule['max']}")
    return " ".join(parts)


def attach_run(root: Path, manifest_id: str, sha: str, profile: Profile) -> dict[str, Any]:
    """An eval run (native or imported) as evidence: results per task, metric and language."""
    plan = _read_json(root / "plan.json")
    summary = _read_summary(root)
    areas, areas_from, suite_sha = _suite_areas(plan, profile)
    thresholds = dict(plan.get("thresholds") or {})
    results = []
    notes: list[dict[str, Any]] = []
    languages: set[str] = set()
    for task_key, task in summary.tasks.items():
        tname = task_key.split("/", 1)[-1]
        for metric, mres in task.metrics.items():
            rule = thresholds.get(f"{tname}.{metric}")
            per_lang = [s.to_json() for s in mres.per_language]
            languages.update(s["language"] for s in per_lang)
            overall = mres.overall.to_json()
            if rule:
                overall["status"] = _status(
                    overall.get("value"), overall.get("ci_low"), overall.get("ci_high"), rule
                )
                for s in per_lang:
                    s["status"] = _status(s.get("value"), s.get("ci_low"), s.get("ci_high"), rule)
            results.append(
                {
                    "task": task_key,
                    "metric": metric,
                    "overall": overall,
                    "per_language": per_lang,
                    "per_group": {k: [s.to_json() for s in v] for k, v in mres.per_group.items()},
                    "threshold": {"rule": dict(rule), "text": _rule_text(rule)} if rule else None,
                }
            )
        if task.fairness:
            results.append({"task": task_key, "metric": "fairness", "fairness": task.fairness})
        note = _task_note(task_key, task)
        if note:
            notes.append(note)
    model = plan.get("model") or summary.model
    return {
        "type": "run",
        "path": str(root),
        "manifest_id": manifest_id,
        "sha256": sha,
        "suite": plan.get("suite"),
        "suite_sha256": suite_sha,
        "model": model.get("name") if isinstance(model, dict) else str(model),
        "model_identity": model.get("identity") if isinstance(model, dict) else None,
        "imported": bool(plan.get("imported")),
        "complete": summary.complete,
        "samples": summary.samples,
        "started": plan.get("started"),
        "risk_areas": areas,
        "risk_areas_from": areas_from,
        "languages": sorted(languages),
        "results": results,
        "task_notes": notes,
    }


def _read_summary(root: Path) -> RunSummary:
    """The run's summary, checked against ``run-summary-1``: one line naming the file and
    the field when it does not match."""
    path = root / "summary.json"
    try:
        return RunSummary.from_json(_read_json(path), f"evidence {path}")
    except PuhuiError as e:
        raise PuhuiError(e.message, _("rebuild the artifact")) from None


def _task_note(task_key: str, task: TaskSummary) -> dict[str, Any] | None:
    """What a reader must know beside a task's metrics: samples left unscored per language
    (the scorer cannot judge that language) and the parse rate with its policy. Classifier and
    imported runs have neither."""
    unscored = dict(task.unscored_by_language or {})
    parsing = task.parsing
    measured = task.measured or {}
    if not unscored and not parsing and not measured:
        return None
    note: dict[str, Any] = {
        "task": task_key,
        "unscored": sum(unscored.values()),
        "unscored_by_language": unscored,
        "unscored_text": ", ".join(f"{lang} ({n})" for lang, n in sorted(unscored.items())),
    }
    if measured:
        note.update(_measured_note(measured))
    if parsing:
        low = [r for r in parsing.per_language if r.warn]
        note["parsing"] = {
            "policy": parsing.policy,
            "n": parsing.overall.n,
            "parsed": parsing.overall.parsed,
            "rate": parsing.overall.rate,
            "excluded": parsing.excluded,
            "warn": parsing.warn,
            "warn_text": ", ".join(f"{r.language} {float(r.rate or 0):.1%}" for r in low),
        }
    return note


def _measured_note(measured: dict[str, Any]) -> dict[str, Any]:
    """Where the task's scorer was measured: "sw (n=240, α=0.81)" per measured language, and
    the languages where it was not (its verdicts there rest on unchecked rules)."""
    langs = measured.get("languages") or {}
    done, missing = [], []
    for lang, m in sorted(langs.items()):
        if not isinstance(m, dict):
            missing.append(lang)
            continue
        alpha = m.get("alpha")
        extra = "" if alpha is None else f", α={float(alpha):.2f}"
        kind = m.get("source") if m.get("source") in ("held-out", "estimate") else "people"
        done.append(f"{lang} ({kind}, n={int(m.get('n') or 0)}{extra})")
    return {
        "scorer": str(measured.get("scorer", "")),
        "measured": {lang: langs[lang] for lang in sorted(langs)},
        "measured_text": ", ".join(done),
        "not_measured_text": ", ".join(missing),
    }


def attach_corpus(root: Path, manifest_id: str, sha: str) -> dict[str, Any]:
    """A corpus build as evidence: languages and shares, removals, personal data found."""
    audit = _read_json(root / "audit.json")
    totals = audit.get("totals") or {}
    langs = {
        code: {
            "name": v.get("name") or code,
            "documents": v.get("documents", 0),
            "share": v.get("share", 0.0),
        }
        for code, v in (audit.get("languages") or {}).items()
    }
    return {
        "type": "corpus",
        "path": str(root),
        "manifest_id": manifest_id,
        "sha256": sha,
        "risk_areas": list(rules()["corpus"]["areas"]),
        "risk_areas_from": "rules",
        "documents": totals.get("documents"),
        "removed": totals.get("removed"),
        "quarantined": totals.get("quarantined"),
        "documents_with_pii": totals.get("documents_with_pii"),
        "pii": dict(totals.get("pii") or {}),
        "languages_detail": langs,
        "languages": sorted(langs),
        "has_datasheet": (root / "datasheet.md").is_file(),
        "has_croissant": (root / "croissant.json").is_file(),
    }


def attach(paths: list[Path], profile: Profile) -> list[dict[str, Any]]:
    """Verify and read each evidence folder; E1, E2, … in the order given."""
    out = []
    seen: dict[str, Path] = {}
    for i, raw in enumerate(paths, start=1):
        root = Path(raw)
        if not root.exists():
            raise PuhuiError(
                _("evidence {p} does not exist").format(p=root),
                _("give a run folder (puhui eval run) or a corpus folder (puhui corpus build)"),
            )
        if not root.is_dir():
            raise PuhuiError(
                _("evidence {p} is not a folder").format(p=root),
                _("give the artifact's folder, not a file in it"),
            )
        manifest = check(root)  # one-line ArtifactError naming the file when tampered
        if manifest.kind not in KINDS:
            raise PuhuiError(
                _("evidence {p} is a {k} artifact").format(p=root, k=manifest.kind),
                _("evidence can be: {kinds}").format(kinds=", ".join(KINDS)),
            )
        if manifest.content_sha256 in seen:
            raise PuhuiError(
                _("evidence {p} is the same artifact as {q}").format(
                    p=root, q=seen[manifest.content_sha256]
                ),
                _("give each evidence folder once"),
            )
        seen[manifest.content_sha256] = root
        if manifest.kind == "run":
            ev = attach_run(root, manifest.id, manifest.content_sha256, profile)
        else:
            ev = attach_corpus(root, manifest.id, manifest.content_sha256)
        ev["id"] = f"E{i}"
        out.append(ev)
    return out


# ---------------------------------------------------------------- checklist answers


def _answer_validator() -> jsonschema.Draft202012Validator:
    schema = taxonomy.schema()
    sub = {"$defs": schema["$defs"], **schema["$defs"]["answer"]}
    return jsonschema.Draft202012Validator(sub)


def load_answers(path: Path) -> list[dict[str, Any]]:
    """Checklist answers (``answers:`` list of ``{item, value, note, evidence: [{href}]}``).

    Local evidence files are pinned by sha256 (a folder with a manifest by its content digest);
    a file that is missing, or whose sha256 differs from the one written, is a one-line error.
    """
    p = Path(path)
    if not p.is_file():
        raise PuhuiError(
            _("answers file {p} does not exist").format(p=p),
            _("write one with `puhui assess checklist --out answers.yaml`"),
        )
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise PuhuiError(
            _("{p}: not valid YAML ({why})").format(p=p, why=getattr(e, "problem", None) or e),
            _("fix the YAML syntax"),
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("answers"), list):
        raise PuhuiError(_("{p}: field answers: required (a list)").format(p=p), None)
    tax = taxonomy.load()
    items = {it.id: it for c in tax.checklists for it in c.items}
    validator = _answer_validator()
    out = []
    seen: set[str] = set()
    for i, ans in enumerate(doc["answers"]):
        at = f"answers[{i}]"
        if isinstance(ans, dict) and ans.get("evidence") is None:
            ans = {**ans, "evidence": []}
        error = jsonschema.exceptions.best_match(validator.iter_errors(ans))
        if error is not None:
            where = "".join(
                f"[{x}]" if isinstance(x, int) else f".{x}" for x in error.absolute_path
            )
            raise PuhuiError(
                _("{p}: field {f}: {why}").format(p=p, f=at + where, why=error.message),
                _("see `puhui assess checklist` for the items and the answer format"),
            )
        if ans["item"] not in items:
            raise PuhuiError(
                _("{p}: field {f}.item: unknown checklist item {i!r}").format(
                    p=p, f=at, i=ans["item"]
                ),
                _("see `puhui assess checklist`"),
            )
        if ans["item"] in seen:
            raise PuhuiError(
                _("{p}: field {f}.item: {i} is answered twice").format(p=p, f=at, i=ans["item"]),
                None,
            )
        seen.add(ans["item"])
        links = []
        for j, ev in enumerate(ans["evidence"]):
            href = ev["href"]
            link = dict(ev)
            if not re.match(r"^[a-z][a-z0-9+.-]*://", href):
                target = (p.parent / href).resolve()
                if not target.exists():
                    raise PuhuiError(
                        _("{p}: field {f}.evidence[{j}].href: file {t} does not exist").format(
                            p=p, f=at, j=j, t=target
                        ),
                        _("fix the path (relative to the answers file) or remove the link"),
                    )
                ref = input_ref(target)
                if ev.get("sha256") and ev["sha256"] != ref["sha256"]:
                    raise PuhuiError(
                        _("{p}: field {f}.evidence[{j}]: {t} changed (sha256 differs)").format(
                            p=p, f=at, j=j, t=target
                        ),
                        _("check the file, then update or remove its sha256"),
                    )
                link.update(sha256=ref["sha256"], path=str(target))
            links.append(link)
        it = items[ans["item"]]
        out.append(
            {
                "item": it.id,
                "checklist": it.checklist,
                "value": ans["value"],
                "note": ans.get("note", ""),
                "evidence": links,
                "areas": list(it.areas),
                "evidences": [f"{fw}:{item}" for fw, item in it.evidences],
                "required": it.evidence == "required",
            }
        )
    return out


# ---------------------------------------------------------------- findings


def findings(evidence: list[dict[str, Any]], profile: Profile, m: Messages) -> list[dict[str, Any]]:
    """What the evidence says needs attention, each tied to risk areas and evidence ids."""
    out: list[dict[str, Any]] = []
    fair_rules = rules()["fairness"]

    def add(kind: str, severity: str, areas: list[str], ev: str | None, text: str) -> None:
        out.append(
            {
                "id": f"F{len(out) + 1}",
                "kind": kind,
                "severity": severity,
                "areas": areas,
                "evidence": [ev] if ev else [],
                "text": text,
            }
        )

    for ev in evidence:
        areas = list(ev["risk_areas"])
        if ev["type"] == "run":
            if not ev["complete"]:
                add(
                    "incomplete",
                    "medium",
                    areas,
                    ev["id"],
                    m("finding.incomplete", suite=ev["suite"]),
                )
            if not areas:
                add("unmapped", "low", [], ev["id"], m("finding.unmapped", suite=ev["suite"]))
            for note in ev.get("task_notes") or []:
                if note["unscored"]:
                    add(
                        "unscored",
                        "medium",
                        areas,
                        ev["id"],
                        m("finding.unscored", task=note["task"], langs=note["unscored_text"]),
                    )
                parse = note.get("parsing")
                if parse and parse["warn"]:
                    add(
                        "unparsed",
                        "medium",
                        areas,
                        ev["id"],
                        m(
                            "finding.unparsed",
                            task=note["task"],
                            rate=f"{float(parse['rate'] or 0):.1%}",
                            langs=parse["warn_text"] or m("word.overall"),
                        ),
                    )
            for r in ev["results"]:
                if r.get("fairness"):
                    for attr, measures in r["fairness"].items():
                        for name, rule in fair_rules.items():
                            meas = measures.get(name)
                            if not isinstance(meas, dict):
                                continue
                            st = _status(
                                meas.get("value"), meas.get("ci_low"), meas.get("ci_high"), rule
                            )
                            if st in ("fail", "uncertain"):
                                add(
                                    "fairness",
                                    "high" if st == "fail" else "medium",
                                    areas,
                                    ev["id"],
                                    m(
                                        f"finding.fairness.{st}",
                                        task=r["task"],
                                        attr=attr,
                                        measure=name,
                                        value=meas.get("value"),
                                        rule=_rule_text(rule),
                                    ),
                                )
                    continue
                thr = r.get("threshold")
                if not thr:
                    continue
                ov = r["overall"]
                failing = [s["language"] for s in r["per_language"] if s.get("status") == "fail"]
                unsure = [
                    s["language"] for s in r["per_language"] if s.get("status") == "uncertain"
                ]
                small = [s["language"] for s in r["per_language"] if s.get("small")]
                if ov.get("status") == "fail" or failing:
                    add(
                        "threshold",
                        "high",
                        areas,
                        ev["id"],
                        m(
                            "finding.threshold.fail",
                            task=r["task"],
                            metric=r["metric"],
                            rule=thr["text"],
                            value=ov.get("value"),
                            langs=", ".join(failing) or "—",
                        ),
                    )
                if ov.get("status") == "uncertain" or unsure:
                    add(
                        "threshold",
                        "medium",
                        areas,
                        ev["id"],
                        m(
                            "finding.threshold.uncertain",
                            task=r["task"],
                            metric=r["metric"],
                            rule=thr["text"],
                            langs=", ".join(unsure) or m("word.overall"),
                        ),
                    )
                if small:
                    add(
                        "small-sample",
                        "low",
                        areas,
                        ev["id"],
                        m(
                            "finding.small",
                            task=r["task"],
                            metric=r["metric"],
                            langs=", ".join(small),
                        ),
                    )
        else:
            min_share = float(rules()["corpus"]["min_share"])
            detail = ev["languages_detail"]
            for lang in profile.system["languages"]:
                base = lang.split("-")[0]
                share = sum(v["share"] for k, v in detail.items() if k.split("-")[0] == base)
                if share < min_share:
                    add(
                        "representation",
                        "medium",
                        ["CR-05", "CR-14"],
                        ev["id"],
                        m("finding.corpus_language", lang=lang, share=f"{share:.1%}"),
                    )
            if ev.get("documents_with_pii"):
                add(
                    "personal-data",
                    "low",
                    ["CR-04"],
                    ev["id"],
                    m("finding.corpus_pii", n=ev["documents_with_pii"]),
                )
    tested: set[str] = set()
    for ev in evidence:
        if ev["type"] == "run":
            tested.update(x.split("-")[0] for x in ev["languages"])
    if any(ev["type"] == "run" for ev in evidence):
        for lang in profile.system["languages"]:
            if lang.split("-")[0] not in tested:
                add(
                    "untested-language",
                    "high",
                    ["CR-01", "CR-06", "CR-14"],
                    None,
                    m("finding.untested", lang=lang),
                )
    return out
