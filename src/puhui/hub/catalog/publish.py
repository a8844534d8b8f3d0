"""Publishing: check an uploaded artifact again on the server, store it, index it, link it.

The client sends the artifact's ``manifest.json`` and its files (or one certificate JSON). The
server trusts nothing it is told: it validates the manifest against Puhui's schema, recomputes the
content digest and id, hashes every uploaded file as it stores it and matches it to a manifest
entry by sha256, and refuses unsafe paths, unlisted files and missing files. Metadata (title,
languages, sector, countries, risk areas, per-language results) and lineage are read from the
artifact's own files (audit.json, plan.json, summary.json, assessment.json, the credential).
"""

from __future__ import annotations

import io
import json
import mimetypes
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import jsonschema
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from puhui.artifacts import content_digest, manifest_schema
from puhui.certify import limits
from puhui.errors import PuhuiError
from puhui.evals.summary import UNPARSED_WARN, RunSummary
from puhui.hub.catalog import search, storage
from puhui.hub.catalog.access import (
    Caller,
    can_download,
    can_publish,
    publish_orgs,
    visible_items,
)
from puhui.hub.catalog.models import (
    VISIBILITIES,
    Item,
    ItemFile,
    Lineage,
    Organization,
)
from puhui.hub.catalog.storage import safe_path
from puhui.hub.catalog.verifying import signed_by_trusted_issuer, stored_certificate

#: Artifact kind in a manifest → item kind in the catalog.
KIND_OF_ARTIFACT = {
    "corpus": "corpus",
    "dataset": "corpus",  # an old name of the corpus kind
    "run": "run",
    "assessment": "assessment",
    "model": "model",
    "suite": "suite",
}
_JSON_LIMIT = 32 * 1024 * 1024
#: A certificate published on its own (no manifest) is one JSON file of a few KB.
MAX_CERTIFICATE_BYTES = limits.MAX_CREDENTIAL_BYTES
_MAX_LANGS = 300
_MAX_GROUPS = 40
_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,31}$")
_EXTRA_TYPES = {
    ".jsonl": "application/jsonl",
    ".zst": "application/zstd",
    ".md": "text/markdown",
    ".npy": "application/octet-stream",
    ".parquet": "application/vnd.apache.parquet",
    ".jsonld": "application/ld+json",
}


class PublishError(Exception):
    """A refused upload; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Upload:
    """One uploaded file, already stored by hash."""

    sha256: str
    size: int


def media_type(path: str) -> str:
    for ext, mt in _EXTRA_TYPES.items():
        if path.endswith(ext):
            return mt
    guessed, _enc = mimetypes.guess_type(path, strict=False)
    return guessed or "application/octet-stream"


def _load_json(sha256: str) -> Any:
    try:
        return json.loads(storage.read_bytes(sha256, _JSON_LIMIT).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _strs(values: Any, limit: int = _MAX_LANGS) -> list[str]:
    if not isinstance(values, list):
        return []
    out = []
    for v in values:
        if isinstance(v, str) and v.strip() and len(v) <= 100 and v.strip() not in out:
            out.append(v.strip())
    return out[:limit]


def _obj(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


def _num(v: Any) -> float | int | None:
    return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def _stat(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, Mapping):
        return None
    out = {k: _num(entry.get(k)) for k in ("value", "ci_low", "ci_high", "n")}
    if out["value"] is None:
        return None
    out["small"] = bool(entry.get("small"))
    return out


def _run_note(task: str, info: Mapping[str, Any]) -> dict[str, Any] | None:
    """What a run page says beside a task's metrics: samples the scorer could not judge, per
    language, and the parse rate (flagged above 5 % unparsed, overall or in a language).
    Absent fields (older, imported and classifier runs) mean none; sizes are bounded."""
    unscored: list[dict[str, Any]] = []
    by_lang = info.get("unscored_by_language")
    if isinstance(by_lang, Mapping):
        for lang, n in list(by_lang.items())[:_MAX_LANGS]:
            if isinstance(lang, str) and isinstance(_num(n), int) and n > 0:
                unscored.append({"language": lang[:32], "n": n})
    parsing = None
    p = info.get("parsing")
    if isinstance(p, Mapping):

        def counts(row: Any) -> tuple[int, int] | None:
            r = _obj(row)
            n, k = _num(r.get("n")), _num(r.get("parsed"))
            if not isinstance(n, int) or not isinstance(k, int) or not 0 <= k <= n or n == 0:
                return None
            return n, k

        def over(n: int, k: int) -> bool:
            return (n - k) / n > UNPARSED_WARN

        overall = counts(p.get("overall"))
        if overall is not None:
            low = []
            rows = p.get("per_language")
            for row in (rows if isinstance(rows, list) else [])[:_MAX_LANGS]:
                c = counts(row)
                lang = _obj(row).get("language")
                if c is not None and isinstance(lang, str) and over(*c):
                    low.append({"language": lang[:32], "rate": round(c[1] / c[0], 4)})
            parsing = {
                "policy": "exclude" if p.get("policy") == "exclude" else "wrong",
                "n": overall[0],
                "parsed": overall[1],
                "rate": round(overall[1] / overall[0], 4),
                "excluded": _num(p.get("excluded")) or 0,
                "warn": over(*overall) or bool(low),
                "warn_languages": low,
            }
    if not unscored and parsing is None:
        return None
    return {
        "task": task[:100],
        "unscored": sum(r["n"] for r in unscored),
        "unscored_by_language": unscored,
        "parsing": parsing,
    }


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


def _describe_corpus(files: Mapping[str, str], manifest: Mapping[str, Any]) -> Described:
    d = Described()
    params = manifest.get("provenance", {}).get("parameters", {})
    if isinstance(params, Mapping) and isinstance(params.get("name"), str):
        d.name_hint = d.title = params["name"]
    audit = _load_json(files["audit.json"]) if "audit.json" in files else None
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
                        "documents": _num(info.get("documents")) or 0,
                        "share": _num(info.get("share")) or 0,
                        "characters": _num(info.get("characters")) or 0,
                        "removed": _num(info.get("removed")) or 0,
                    }
                )
        rows.sort(key=lambda r: -float(r["documents"]))
        d.metadata["audit_languages"] = rows[:_MAX_LANGS]
        d.languages = [str(r["language"]) for r in rows if r["documents"]][:_MAX_LANGS]
        totals = audit.get("totals")
        if isinstance(totals, Mapping):
            d.metadata["audit_totals"] = {
                k: _num(totals.get(k))
                for k in ("documents", "characters", "words", "removed", "dedup_removed")
                if _num(totals.get(k)) is not None
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


def _params(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    return _obj(_obj(manifest.get("provenance")).get("parameters"))


def _describe_suite(files: Mapping[str, str], manifest: Mapping[str, Any]) -> Described:
    """A suite exported with `puhui eval export`: what it is, from the manifest's parameters."""
    d = Described()
    p = _params(manifest)
    if isinstance(p.get("name"), str):
        d.name_hint = p["name"]
    d.title = str(p.get("title") or d.name_hint)[:300]
    d.description = str(p.get("description") or "")[:2000]
    d.languages = _strs(p.get("languages"))
    d.risk_areas = _strs(p.get("risk_areas"), 50)
    d.metadata["suite"] = {
        "license": str(p.get("license") or "")[:100],
        "tasks": _strs(p.get("tasks"), 100),
        "samples": _num(p.get("samples")),
    }
    return d


def _describe_model(files: Mapping[str, str], manifest: Mapping[str, Any]) -> Described:
    """A model card from `puhui models card`: its facts, and the runs it reports as lineage."""
    d = Described()
    p = _params(manifest)
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


def _describe_run(files: Mapping[str, str], manifest: Mapping[str, Any]) -> Described:
    d = Described()
    summary = _load_json(files["summary.json"]) if "summary.json" in files else None
    plan = _load_json(files["plan.json"]) if "plan.json" in files else None
    src = _obj(summary) or _obj(plan)
    suite = src.get("suite") if isinstance(src.get("suite"), str) else ""
    model = _obj(src.get("model"))
    model_name = model.get("name") if isinstance(model.get("name"), str) else ""
    d.title = " · ".join(x for x in (suite, model_name) if x)
    d.name_hint = "-".join(x for x in (suite, model_name) if x)
    d.metadata["run"] = {
        "suite": suite,
        "model": model_name,
        "model_identity": str(model.get("identity") or "")[:300],
        "task_kind": str(src.get("kind") or "")[:32],
        "samples": _num(src.get("samples")),
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
            note = _run_note(str(task), info) if isinstance(info, Mapping) else None
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
                    st = _stat(row)
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
                        for row in (rows if isinstance(rows, list) else [])[:_MAX_GROUPS]:
                            st = _stat(row)
                            if st is not None:
                                st["group"] = str(row.get("group"))[:100]
                                out.append(st)
                        groups[str(attr)[:50]] = out
                results.append(
                    {
                        "task": str(task)[:100],
                        "metric": str(metric)[:60],
                        "overall": _stat(m.get("overall")),
                        "per_language": per_lang[:_MAX_LANGS],
                        "per_group": groups,
                    }
                )
    d.metadata["results"] = results
    d.metadata["run_notes"] = notes
    d.languages = langs
    return d


def _describe_assessment(files: Mapping[str, str], manifest: Mapping[str, Any]) -> Described:
    d = Described()
    data = _load_json(files["assessment.json"]) if "assessment.json" in files else None
    if not isinstance(data, Mapping):
        return d
    system = _obj(data.get("system"))
    d.title = str(system.get("name") or "")[:300]
    d.name_hint = d.title
    d.description = str(system.get("intended_use") or "")[:2000]
    d.sector = str(system.get("sector") or "")[:100]
    d.languages = _strs(system.get("languages"))
    d.countries = [c.upper() for c in _strs(system.get("jurisdictions"), 50)]
    areas = _strs(data.get("risk_areas"), 50)
    risks = data.get("risks")
    if isinstance(risks, list):
        for r in risks:
            area = r.get("area") if isinstance(r, Mapping) else None
            if isinstance(area, str) and area not in areas:
                areas.append(area[:100])
    d.risk_areas = areas[:50]
    d.metadata["system"] = {
        k: system[k] for k in ("name", "version", "sector", "intended_use") if k in system
    }
    d.metadata["reports"] = [p for p in ("report.html", "report.pdf", "oscal.json") if p in files]
    evidence = data.get("evidence")
    for ev in evidence if isinstance(evidence, list) else []:
        if not isinstance(ev, Mapping):
            continue
        sha = ev.get("content_sha256") or ev.get("sha256")
        if isinstance(sha, str) and storage.SHA256_RE.match(sha):
            d.lineage.append(
                {
                    "relation": "uses_evidence",
                    "sha256": sha,
                    "kind": str(ev.get("kind") or "")[:16],
                    "label": str(ev.get("id") or ev.get("name") or sha[:16])[:300],
                }
            )
    return d


def _check_assessment(manifest: Mapping[str, Any], staged: list[storage.Staged]) -> None:
    """An assessment's assessment.json (staged, or already held), checked against
    ``assessment-1``; a 400 naming the file and the field otherwise."""
    from puhui.assess.types import Assessment

    sha = next((f["sha256"] for f in manifest["files"] if f["path"] == "assessment.json"), None)
    if sha is None:
        raise PublishError(400, _("an assessment must hold assessment.json"))
    held = next((one.tmp for one in staged if one.sha256 == sha), None)
    try:
        raw = held.read_bytes() if held is not None else storage.read_bytes(sha)
        Assessment.from_json(limits.loads(raw, "assessment.json", max_bytes=_JSON_LIMIT))
    except (OSError, limits.LimitError) as e:
        raise PublishError(400, str(e)) from None
    except PuhuiError as e:
        raise PublishError(400, e.message) from None


def _describe_certificate(cred: Mapping[str, Any]) -> Described:
    subject = cred.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    d = Described()
    d.title = str(subject.get("name") or _("certificate"))[:300]
    d.name_hint = f"{d.title}-certificate"
    d.description = str(subject.get("intendedUse") or "")[:2000]
    d.sector = str(subject.get("sector") or "")[:100]
    d.languages = _strs(subject.get("languages"))
    d.countries = [c.upper() for c in _strs(subject.get("jurisdictions"), 50)]
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


def _check_manifest(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PublishError(400, _("manifest.json is not valid UTF-8 JSON")) from None
    if not isinstance(data, dict):
        raise PublishError(400, _("manifest.json must be a JSON object"))
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(manifest_schema()).iter_errors(data)
    )
    if error is not None:
        raise PublishError(400, _("manifest.json: {why}").format(why=error.message[:300]))
    digest = content_digest(data["files"])
    if digest != data["content_sha256"] or data["id"] != f"{data['kind']}-{digest[:16]}":
        raise PublishError(400, _("manifest.json: content_sha256 or id does not match its files"))
    return data


def _check_run_summary(manifest: Mapping[str, Any], staged: list[storage.Staged]) -> RunSummary:
    """A run's summary.json (staged, or already held), checked against ``run-summary-1``;
    a 400 naming the file and the field otherwise."""
    sha = next((f["sha256"] for f in manifest["files"] if f["path"] == "summary.json"), None)
    if sha is None:
        raise PublishError(400, _("a run must hold summary.json"))
    held = next((one.tmp for one in staged if one.sha256 == sha), None)
    try:
        raw = held.read_bytes() if held is not None else storage.read_bytes(sha)
        doc = limits.loads(raw, "summary.json", max_bytes=_JSON_LIMIT)
        return RunSummary.from_json(doc, "summary.json")
    except (OSError, limits.LimitError) as e:
        raise PublishError(400, str(e)) from None
    except PuhuiError as e:
        raise PublishError(400, e.message) from None


def _choose_org(caller: Caller, org_slug: str) -> Organization:
    if org_slug:
        org = Organization.objects.filter(slug=org_slug).first()
        if org is None or not can_publish(caller, org):
            raise PublishError(
                403, _("you may not publish into organization {o}").format(o=org_slug)
            )
        return org
    orgs = list(publish_orgs(caller)[:2])
    if not orgs:
        raise PublishError(403, _("this token may not publish into any organization"))
    if len(orgs) > 1:
        raise PublishError(400, _("you belong to several organizations: name one with org"))
    return orgs[0]


def _next_version(org: Organization, kind: str, name: str) -> str:
    numbers = [
        int(v)
        for v in Item.objects.filter(org=org, kind=kind, name=name).values_list(
            "version", flat=True
        )
        if v.isdigit()
    ]
    return str(max(numbers, default=0) + 1)


def _stage(
    files: Iterable[IO[bytes]],
    accept: Callable[[str, int], bool],
    refused: str,
    staged: list[storage.Staged],
) -> dict[str, Upload]:
    """Stage the uploaded files (into ``staged``); refuse the upload at the first one ``accept``
    does not take, with the message ``refused`` (``{n}`` bytes, sha256 ``{s}``)."""
    by_sha: dict[str, Upload] = {}
    for f in files:
        try:
            one = storage.stage(f, accept)
        except storage.Refused as e:
            raise PublishError(400, refused.format(n=e.size, s=e.sha256[:12])) from None
        staged.append(one)
        by_sha[one.sha256] = Upload(one.sha256, one.size)
    return by_sha


def publish(
    caller: Caller,
    *,
    files: Iterable[IO[bytes]],
    manifest_raw: bytes | None,
    org_slug: str = "",
    visibility: str = "public",
    name: str = "",
    version: str = "",
) -> tuple[Item, bool]:
    """Create an item from uploaded files; return it and whether it is new.

    The form, the right to publish into the organization and the manifest are checked before a
    byte is read; each file is hashed into a staging area and refused as soon as it matches no
    manifest entry (or, without a manifest, is more than one certificate-sized file); the files
    reach the store only once the whole upload is accepted, so a refused upload leaves nothing
    behind. Publishing the same content again under the same name returns the existing item, if
    the caller may see it; an item the caller may not see is never named in the answer.
    """
    staged: list[storage.Staged] = []
    try:
        item, created = _publish(
            caller, files, manifest_raw, org_slug, visibility, name, version, staged
        )
    finally:
        for one in staged:
            storage.discard(one)  # what was kept is no longer there to discard
    return item, created


def _publish(
    caller: Caller,
    files: Iterable[IO[bytes]],
    manifest_raw: bytes | None,
    org_slug: str,
    visibility: str,
    name: str,
    version: str,
    staged: list[storage.Staged],
) -> tuple[Item, bool]:
    if visibility not in dict(VISIBILITIES):
        raise PublishError(400, _("visibility must be public, organization or private"))
    if version and not _VERSION_RE.match(version):
        raise PublishError(400, _("version must be up to 32 letters, digits, '.', '_' or '-'"))
    org = _choose_org(caller, org_slug)
    entries: list[dict[str, Any]]
    if manifest_raw is not None:
        manifest = _check_manifest(manifest_raw)
        kind = KIND_OF_ARTIFACT.get(manifest["kind"])
        if kind is None:
            raise PublishError(
                400, _("artifacts of kind {k} cannot be published").format(k=manifest["kind"])
            )
        for f in manifest["files"]:
            if not safe_path(f["path"]):
                raise PublishError(
                    400, _("unsafe file name in the manifest: {p!r}").format(p=f["path"])
                )
        wanted = {f["sha256"]: f["bytes"] for f in manifest["files"]}
        by_sha = _stage(
            files,
            lambda sha, size: wanted.get(sha) == size,
            _(
                "an uploaded file ({n} bytes, sha256 {s}…) matches no file of the manifest: "
                "changed after the manifest was written, or not part of the artifact"
            ),
            staged,
        )
        entries = []
        for f in manifest["files"]:
            rel, sha, size = f["path"], f["sha256"], f["bytes"]
            got = by_sha.get(sha)
            # a file the hub already holds need not be sent again, but only by a caller who may
            # read it: otherwise knowing a private file's hash and size would be enough to
            # publish it into a public item and download it from there
            if got is None and storage.has(sha) and can_download(caller, sha):
                got = Upload(sha, storage.blob_path(sha).stat().st_size)
            if got is None:
                raise PublishError(400, _("file {p} was not uploaded").format(p=rel))
            if got.size != size:
                raise PublishError(400, _("file {p} has the wrong size").format(p=rel))
            entries.append({"path": rel, "sha256": sha, "size": size})
        staged.append(storage.stage(io.BytesIO(manifest_raw)))
        entries.append(
            {"path": "manifest.json", "sha256": staged[-1].sha256, "size": staged[-1].size}
        )
        if kind == "run":  # the summary every page of the run is drawn from: checked first
            _check_run_summary(manifest, staged)
        if kind == "assessment":  # what the item's page, lineage and certificates rest on
            _check_assessment(manifest, staged)
        for one in staged:  # the upload is complete and consistent: into the store
            storage.keep(one)
        content_sha = manifest["content_sha256"]
        manifest_id = manifest["id"]
        by_path = {e["path"]: e["sha256"] for e in entries}
        describe = {
            "corpus": _describe_corpus,
            "run": _describe_run,
            "assessment": _describe_assessment,
            "suite": _describe_suite,
            "model": _describe_model,
        }.get(kind)
        desc = describe(by_path, manifest) if describe else Described()
        relation = "uses_evidence" if kind == "assessment" else "derived_from"
        # a model card's inputs are runs of the model: they link to it (evaluates_model) already
        inputs = [] if kind == "model" else manifest["provenance"].get("inputs", [])
        for inp in inputs:
            sha = inp.get("sha256")
            if isinstance(sha, str) and storage.SHA256_RE.match(sha):
                desc.lineage.append(
                    {
                        "relation": relation,
                        "sha256": sha,
                        "kind": str(inp.get("kind") or "")[:16],
                        "label": str(inp.get("id") or inp.get("name") or sha[:16])[:300],
                    }
                )
    else:
        files = list(files)
        if len(files) != 1:
            raise PublishError(400, _("send an artifact's manifest.json, or one certificate file"))
        by_sha = _stage(
            files,
            lambda sha, size: size <= MAX_CERTIFICATE_BYTES,
            _("the file ({n} bytes) is too large for a certificate"),
            staged,
        )
        (only,) = by_sha.values()
        try:  # within the size and depth limits: nothing recursive reads a hostile document
            cred = limits.loads(staged[0].tmp.read_bytes(), _("the certificate"))
        except (OSError, limits.LimitError) as e:
            raise PublishError(400, str(e)) from None
        types = cred.get("type") if isinstance(cred, dict) else None
        if not isinstance(types, list) or "VerifiableCredential" not in types:
            raise PublishError(400, _("the file is not a certificate (a verifiable credential)"))
        storage.keep(staged[0])
        kind = "certificate"
        entries = [{"path": "certificate.json", "sha256": only.sha256, "size": only.size}]
        content_sha = only.sha256
        manifest_id = ""
        desc = _describe_certificate(cred)
        if not signed_by_trusted_issuer(cred):
            # anybody can sign a certificate with a key of their own: only a trusted issuer's
            # may say it certifies another organization's assessment
            for ref in desc.lineage:
                if ref["relation"] == "certifies":
                    ref["same_org_only"] = "1"
    base = slugify(name or desc.name_hint or manifest_id or kind)[:100] or kind
    with transaction.atomic():
        # only an item the caller may see is "the same": naming another member's private item
        # (its id, URN, title) to whoever sends the same content would leak it
        same = visible_items(caller).filter(
            org=org, kind=kind, name=base, content_sha256=content_sha
        )
        existing = same.first()
        if existing is not None:
            return existing, False
        ver = version or _next_version(org, kind, base)
        if Item.objects.filter(org=org, kind=kind, name=base, version=ver).exists():
            raise PublishError(409, _("{n}@{v} already exists").format(n=base, v=ver))
        item = Item(
            kind=kind,
            name=base,
            version=ver,
            urn=Item.make_urn(kind, org.slug, base, ver),
            org=org,
            created_by=caller.user,
            title=(desc.title or base)[:300],
            description=desc.description,
            visibility=visibility,
            languages=desc.languages or [],
            sector=desc.sector,
            countries=desc.countries or [],
            risk_areas=desc.risk_areas or [],
            metadata=desc.metadata or {},
            manifest_id=manifest_id,
            content_sha256=content_sha,
            size=sum(e["size"] for e in entries),
        )
        item.search_text = search.text_of(item)
        item.facet_terms = search.facet_terms_of(item)
        item.save()
        ItemFile.objects.bulk_create(
            ItemFile(
                item=item,
                path=e["path"],
                sha256=e["sha256"],
                size=e["size"],
                media_type=media_type(e["path"]),
            )
            for e in entries
        )
        _link(item, desc.lineage)
        search.index(item)
    return item, True


def _link(item: Item, refs: list[dict[str, str]]) -> None:
    """Write the item's lineage, resolving targets already in the catalog, and resolve older
    items' dangling references to this one."""
    seen = set()
    for ref in refs:
        # one edge per target: an artifact named both by the manifest's inputs and by the
        # assessment's evidence list is the same sha256
        if ref.get("sha256"):
            key: tuple[str, ...] = (ref["relation"], ref["sha256"])
        else:
            key = (ref["relation"], ref.get("kind", ""), ref.get("name", ""))
        if key in seen:
            continue
        seen.add(key)
        target = None
        if ref.get("sha256"):
            found = Item.objects.filter(content_sha256=ref["sha256"]).exclude(pk=item.pk)
            if ref.get("same_org_only"):
                found = found.filter(org_id=item.org_id)
            target = found.first()
        elif ref.get("kind") and ref.get("name"):
            named = Item.objects.filter(kind=ref["kind"], name=slugify(ref["name"]))
            target = named.filter(org_id=item.org_id).first() or named.order_by("-created").first()
        Lineage.objects.create(
            from_item=item,
            to_item=target,
            relation=ref["relation"],
            target_kind=ref.get("kind", "")[:16],
            target_name=slugify(ref.get("name", ""))[:200],
            target_sha256=ref.get("sha256", ""),
            target_label=ref.get("label", "")[:300],
        )
    dangling = (
        Lineage.objects.filter(to_item__isnull=True)
        .filter(
            Q(target_sha256=item.content_sha256)
            | Q(target_sha256="", target_kind=item.kind, target_name=item.name)
        )
        .exclude(from_item=item)
    )
    # another organization's certificate certifies this item only if a trusted issuer signed it
    foreign = Q(relation="certifies") & ~Q(from_item__org_id=item.org_id)
    vouched = [
        ln.pk
        for ln in dangling.filter(foreign).select_related("from_item")[:100]
        if signed_by_trusted_issuer(stored_certificate(ln.from_item))
    ]
    dangling.exclude(foreign).update(to_item=item)
    Lineage.objects.filter(pk__in=vouched).update(to_item=item)
