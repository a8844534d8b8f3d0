"""Assessment certificates: issue, verify and revoke W3C Verifiable Credentials 2.0, offline.

A certificate is a VC 2.0 whose subject is the assessed AI system: its scope (name, version,
sector, languages, intended use, jurisdictions), the assessment artifact it rests on (manifest
id and ``content_sha256``) and the report files pinned by hash (``relatedResource`` with
``digestSRI``). It carries a revocation ``credentialStatus`` (Bitstring Status List) and an
``eddsa-jcs-2022`` Data Integrity proof by a ``did:key`` issuer.

:func:`verify` never fetches anything: contexts must be ones vendored in ``contexts/``, the key
comes from the did:key itself, report files and the status list are read from disk. Each check
comes back with a reason; a check that could not be made says "not checked" and never passes
silently.

:func:`verify` also accepts an Open Badges 3.0 ``OpenBadgeCredential`` (a completion badge from
:mod:`puhui.certify.badges`): its shape is checked instead of the certificate's, and the report
and assessment checks are "not applicable"; proof, issuer, trust, validity and revocation are
the same.

Why one file of ~680 lines: issuing and verifying are the two halves of one credential format
(its contexts, fields, pinned files and status entry); keeping them side by side is how a field
added on one side is seen on the other. Keys, proofs, status lists, QR codes, the certificate
page and the size limits are already modules of their own; the verification checks
(:func:`verify` and its ``_check_*`` helpers) are the part to move out if this file grows.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import uuid
from base64 import b64encode
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from puhui.artifacts import MANIFEST, atomic_write_json, content_digest, sha256_file
from puhui.artifacts import check as check_artifact
from puhui.certify import dataintegrity as di
from puhui.certify import keys, statuslist
from puhui.certify.limits import MAX_JSON_DEPTH, MAX_RELATED_RESOURCES, deeper_than, short
from puhui.errors import PuhuiError
from puhui.i18n import _
from puhui.schemas import validate

VC_V2 = "https://www.w3.org/ns/credentials/v2"
CONTEXT_V1 = "https://w3id.org/puhui/v1"  # Puhui's own JSON-LD context (vendored)
CERT_TYPE = "PuhuiAssessmentCertificate"
#: Open Badges 3.0 (1EdTech): the context and the credential type of a completion badge
#: (issued by :mod:`puhui.certify.badges`, verified here like a certificate).
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
BADGE_TYPE = "OpenBadgeCredential"
#: Every @context URL a certificate may use, with the vendored file that defines it.
KNOWN_CONTEXTS: dict[str, str] = {
    VC_V2: "credentials-v2.jsonld",
    CONTEXT_V1: "puhui-v1.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.jsonld",
}
#: Report files pinned when present: (file name, media type). report.html is required.
REPORT_FILES: tuple[tuple[str, str], ...] = (
    ("report.html", "text/html"),
    ("report.pdf", "application/pdf"),
    ("oscal.json", "application/json"),
)
DIGEST = "sha384"
_SRI_ALGOS = {"sha256", "sha384", "sha512"}


class CertError(PuhuiError):
    """An assessment, key or certificate file Puhui cannot use (not an invalid certificate)."""


@cache
def context_document(url: str) -> dict[str, Any]:
    """The vendored JSON-LD context for ``url`` (``KeyError`` if not vendored). Never fetches."""
    name = KNOWN_CONTEXTS[url]
    text = resources.files("puhui.certify").joinpath("contexts", name).read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


# ---------------------------------------------------------------- reading inputs


def _read_json(path: Path, hint: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CertError(_("{p} not found").format(p=path), hint) from None
    except IsADirectoryError:
        raise CertError(_("{p} is a folder, not a file").format(p=path), hint) from None
    except UnicodeDecodeError:
        raise CertError(_("{p} is not UTF-8 text").format(p=path), hint) from None
    except json.JSONDecodeError as e:
        raise CertError(
            _("{p} line {line}, column {col}: not valid JSON ({why})").format(
                p=path, line=e.lineno, col=e.colno, why=e.msg
            ),
            hint,
        ) from None
    except ValueError as e:  # e.g. an integer of more than 4,300 digits
        raise CertError(_("{p}: not valid JSON ({why})").format(p=path, why=e), hint) from None
    except RecursionError:
        raise CertError(_("{p}: JSON nested too deeply").format(p=path), hint) from None


def load_json_object(path: str | os.PathLike[str], what: str) -> dict[str, Any]:
    """Read a JSON object from ``path`` or raise a one-line :class:`CertError`."""
    p = Path(path)
    data = _read_json(p, _("give a {w} file").format(w=what))
    if not isinstance(data, dict):
        raise CertError(
            _("{p}: expected a JSON object ({w})").format(p=p, w=what),
            _("give a {w} file").format(w=what),
        )
    return data


def _need(obj: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    value = obj.get(key)
    if value is None or not isinstance(value, kind) or value in ("", []):
        raise CertError(
            _("{where}: field {key} is missing or empty").format(where=where, key=key),
            _("complete the assessment with `puhui assess` and write it again"),
        )
    return value


def load_assessment(folder: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read and check an assessment folder; return ``(scope, manifest data)``.

    ``scope`` holds the system fields a certificate states. The folder's manifest must verify
    (every file unchanged) and be of kind ``assessment``; ``report.html`` must be in it;
    ``assessment.json`` must match the ``assessment-1`` schema.
    """
    root = Path(folder)
    if not root.is_dir():
        raise CertError(
            _("assessment folder {p} does not exist").format(p=root),
            _("give the folder written by `puhui assess`"),
        )
    path = root / "assessment.json"
    data = load_json_object(path, _("assessment"))
    where = f"{path}"
    system = _need(data, "system", where, dict)
    where_sys = f"{path}: system"
    scope: dict[str, Any] = {
        "name": _need(system, "name", where_sys, str),
        "sector": _need(system, "sector", where_sys, str),
        "languages": _need(system, "languages", where_sys, list),
        "intendedUse": _need(system, "intended_use", where_sys, str),
    }
    if not all(isinstance(t, str) and t for t in scope["languages"]):
        raise CertError(
            _("{where}: field languages must be a list of BCP-47 tags").format(where=where_sys),
            _("fix the assessment and write it again"),
        )
    if system.get("version"):
        scope["version"] = str(system["version"])
    juris = system.get("jurisdictions") or []
    if not isinstance(juris, list) or not all(isinstance(j, str) for j in juris):
        raise CertError(
            _("{where}: field jurisdictions must be a list of strings").format(where=where_sys),
            _("fix the assessment and write it again"),
        )
    if juris:
        scope["jurisdictions"] = juris
    try:  # the whole document is what `puhui assess` writes (certify cannot import assess)
        validate(data, "assessment-1", path, _("write the assessment again with `puhui assess`"))
    except PuhuiError as e:
        raise CertError(e.message, e.hint) from None
    if not (root / MANIFEST).is_file():
        raise CertError(
            _("{p} has no {m}").format(p=root, m=MANIFEST),
            _("only a finished assessment folder can be certified; run `puhui assess` again"),
        )
    manifest = check_artifact(root)
    if manifest.kind != "assessment":
        raise CertError(
            _("{p} is a {k} artifact, not an assessment").format(p=root, k=manifest.kind),
            _("give the folder written by `puhui assess`"),
        )
    listed = {f["path"] for f in manifest.files}
    if "report.html" not in listed:
        raise CertError(
            _("{p}: report.html is missing").format(p=root),
            _("render the report with `puhui assess` first"),
        )
    return scope, dict(manifest.data)


def sri(path: Path, algorithm: str = DIGEST) -> str:
    """Subresource Integrity string (``sha384-<base64>``) of a file."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return f"{algorithm}-{b64encode(h.digest()).decode('ascii')}"


# ---------------------------------------------------------------- status list in the key folder


def ensure_status_list(
    key_dir: str | os.PathLike[str], pair: keys.KeyPair, path: Path | None = None
) -> dict[str, Any]:
    """Load the issuer's status list (``KEYDIR/status-list.json``), creating a signed one."""
    target = path or Path(key_dir) / keys.STATUS_LIST
    if target.exists():
        data = load_json_object(target, _("status list"))
        issuer = data.get("issuer")
        if issuer != pair.did:
            raise CertError(
                _("{p} belongs to issuer {i}, not to this key ({d})").format(
                    p=target, i=issuer, d=pair.did
                ),
                _("give a status list created with this key"),
            )
        return data
    now = di.format_datetime(datetime.now(UTC))
    doc = di.sign(
        statuslist.new_list(pair.did, valid_from=now),
        pair.private_key,
        pair.verification_method,
        created=now,
    )
    atomic_write_json(target, doc)
    return doc


def _allocate_index(key_dir: Path, list_id: str, credential_id: str) -> int:
    """A random, never-reused index in ``list_id``, recorded in ``KEYDIR/status-index.json``."""
    return _allocate_indices(key_dir, list_id, [credential_id])[0]


def _allocate_indices(key_dir: Path, list_id: str, credential_ids: Sequence[str]) -> list[int]:
    """One random, never-reused index in ``list_id`` per credential, in order; the index file
    is read and written once (call it holding :func:`keys.locked`)."""
    path = key_dir / keys.STATUS_INDEX
    state: dict[str, Any] = (
        load_json_object(path, _("status index")) if path.exists() else {"lists": {}}
    )
    taken: dict[str, str] = state.setdefault("lists", {}).setdefault(list_id, {})
    if len(taken) + len(credential_ids) > statuslist.MIN_ENTRIES // 2:
        raise CertError(
            _("the status list {l} is half full").format(l=list_id),
            _("start a new key folder (or a new `status_list`) for further certificates"),
        )
    indices: list[int] = []
    for credential_id in credential_ids:
        while True:
            index = secrets.randbelow(statuslist.MIN_ENTRIES)
            if str(index) not in taken:
                break
        taken[str(index)] = credential_id
        indices.append(index)
    atomic_write_json(path, state)
    return indices


# ---------------------------------------------------------------- issue


def issue(
    assessment_dir: str | os.PathLike[str],
    key_dir: str | os.PathLike[str],
    *,
    valid_days: int = 365,
    now: datetime | None = None,
    status_list: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Build and sign a certificate for the assessment in ``assessment_dir``.

    Allocates a revocation index in the issuer's status list (``KEYDIR/status-list.json``, or
    ``status_list``) and returns the signed credential; the caller writes it where it wants.
    """
    if valid_days < 1:
        raise CertError(_("`valid_days` must be at least 1"), _("give a number of days"))
    root = Path(assessment_dir)
    scope, manifest = load_assessment(root)
    kdir = Path(key_dir)
    pair = keys.load_key_dir(kdir)
    start = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    cred_id = f"urn:uuid:{uuid.uuid4()}"
    with keys.locked(kdir):
        sl = ensure_status_list(kdir, pair, Path(status_list) if status_list else None)
        index = _allocate_index(kdir, str(sl["id"]), cred_id)
    issuer: str | dict[str, str] = {"id": pair.did, "name": pair.name} if pair.name else pair.did
    listed = {f["path"] for f in manifest["files"]}
    related = [
        {
            "id": f"urn:puhui:{manifest['id']}/{name}",
            "name": name,
            "mediaType": media,
            "digestSRI": sri(root / name),
        }
        for name, media in REPORT_FILES
        if name in listed
    ]
    subject = {
        "type": "AISystem",
        **scope,
        "assessment": {
            "id": f"urn:puhui:{manifest['id']}",
            "contentSha256": manifest["content_sha256"],
        },
    }
    unsigned: dict[str, Any] = {
        "@context": [VC_V2, CONTEXT_V1],
        "id": cred_id,
        "type": ["VerifiableCredential", CERT_TYPE],
        "name": "AI system assessment certificate",
        "issuer": issuer,
        "validFrom": di.format_datetime(start),
        "validUntil": di.format_datetime(start + timedelta(days=valid_days)),
        "credentialSubject": subject,
        "relatedResource": related,
        "credentialStatus": statuslist.entry(str(sl["id"]), index),
    }
    return di.sign(
        unsigned, pair.private_key, pair.verification_method, created=di.format_datetime(start)
    )


# ---------------------------------------------------------------- revoke


def revoke(
    credential: Mapping[str, Any],
    key_dir: str | os.PathLike[str],
    *,
    reason: str | None = None,
    status_list: str | os.PathLike[str] | None = None,
) -> tuple[Path, bool]:
    """Set the credential's revocation bit and re-sign the list; return (list path, was it new)."""
    kdir = Path(key_dir)
    pair = keys.load_key_dir(kdir)
    if issuer_id(credential) != pair.did:
        raise CertError(
            _("the certificate was issued by {i}, not by the key in {k}").format(
                i=issuer_id(credential), k=kdir
            ),
            _("revoke it with the issuer's key folder"),
        )
    status = credential.get("credentialStatus")
    entries = status if isinstance(status, list) else [status]
    entry = next(
        (e for e in entries if isinstance(e, dict) and e.get("statusPurpose") == "revocation"),
        None,
    )
    raw = entry.get("statusListIndex") if entry else None
    if entry is None or not isinstance(raw, str) or not statuslist.valid_index(raw):
        raise CertError(
            _("the certificate has no revocation entry (credentialStatus)"),
            _("it cannot be revoked; let it expire or warn its verifiers"),
        )
    path = Path(status_list) if status_list else kdir / keys.STATUS_LIST
    with keys.locked(kdir):
        current = ensure_status_list(kdir, pair, path)
        if current.get("id") != entry.get("statusListCredential"):
            raise CertError(
                _("the certificate uses status list {w}, but {p} is {g}").format(
                    w=entry.get("statusListCredential"), p=path, g=current.get("id")
                ),
                _("give that list with `status_list`"),
            )
        index = int(raw)
        bits = statuslist.decode_bits(current["credentialSubject"]["encodedList"])
        if statuslist.get_bit(bits, index):
            return path, False
        now = di.format_datetime(datetime.now(UTC))
        updated = statuslist.with_bit(current, index, valid_from=now)
        signed = di.sign(updated, pair.private_key, pair.verification_method, created=now)
        atomic_write_json(path, signed)
        record = {"credential": credential.get("id"), "index": index, "reason": reason, "at": now}
        with open(kdir / "revocations.jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path, True


# ---------------------------------------------------------------- verify


@dataclass
class Check:
    """One verification step. ``ok`` is None when it could not be made ("not checked")."""

    name: str
    ok: bool | None
    reason: str


@dataclass
class Verification:
    """The result of :func:`verify`: valid only if no check failed and the proof passed."""

    valid: bool
    checks: list[Check] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "checks": [asdict(c) for c in self.checks], **self.summary}

    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.ok is False]


def issuer_id(credential: Mapping[str, Any]) -> Any:
    """The issuer's id, whether ``issuer`` is a string or an object."""
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def kind_of(cred: Mapping[str, Any]) -> str:
    """``"badge"`` for an Open Badges 3.0 ``OpenBadgeCredential``, else ``"certificate"``."""
    types = cred.get("type")
    if isinstance(types, list) and BADGE_TYPE in types and CERT_TYPE not in types:
        return "badge"
    return "certificate"


def achievement_of(cred: Mapping[str, Any]) -> Mapping[str, Any]:
    """A badge's ``credentialSubject.achievement`` (empty when absent or malformed)."""
    subject = cred.get("credentialSubject")
    found = subject.get("achievement") if isinstance(subject, dict) else None
    return found if isinstance(found, dict) else {}


def _badge_shape(cred: Mapping[str, Any]) -> list[str]:
    """What an Open Badges 3.0 completion badge needs beyond a VC 2.0: the OB context, an
    ``AchievementSubject`` with a named ``Achievement``, and recipients named only by hash."""
    problems: list[str] = []
    ctx = cred.get("@context")
    if not isinstance(ctx, list) or OB_V3 not in ctx:
        problems.append(_("@context must include {v}").format(v=OB_V3))
    subject = cred.get("credentialSubject")
    if not isinstance(subject, dict):
        return problems
    stypes = subject.get("type")
    if not isinstance(stypes, list) or "AchievementSubject" not in stypes:
        problems.append(_("credentialSubject.type must include AchievementSubject"))
    achievement = achievement_of(cred)
    atypes = achievement.get("type")
    if not isinstance(atypes, list) or "Achievement" not in atypes:
        problems.append(_("credentialSubject.achievement must be an Achievement"))
    name = achievement.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(_("credentialSubject.achievement.name is missing"))
    ids = subject.get("identifier")
    if not isinstance(ids, list) or not ids:
        problems.append(_("credentialSubject.identifier is missing (who received the badge)"))
    elif not all(
        isinstance(i, dict)
        and i.get("hashed") is True
        and isinstance(i.get("identityHash"), str)
        and i["identityHash"].startswith("sha256$")
        for i in ids
    ):
        problems.append(_("credentialSubject.identifier: every identity must be hashed (sha256$…)"))
    return problems


def _shape(cred: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    badge = kind_of(cred) == "badge"
    ctx = cred.get("@context")
    if not isinstance(ctx, list) or not ctx or ctx[0] != VC_V2:
        problems.append(_("@context must be a list starting with {v}").format(v=VC_V2))
    types = cred.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        problems.append(_("type must include VerifiableCredential"))
    elif not badge and CERT_TYPE not in types:
        problems.append(_("type must include {t}").format(t=CERT_TYPE))
    if not isinstance(issuer_id(cred), str):
        problems.append(_("issuer is missing"))
    if not isinstance(cred.get("credentialSubject"), dict):
        problems.append(_("credentialSubject must be an object"))
    for key in ("validFrom", "validUntil"):
        if badge and key == "validUntil" and key not in cred:
            continue  # a badge need not expire
        if di.parse_datetime(cred.get(key)) is None:
            problems.append(_("{k} is missing or not a dateTime").format(k=key))
    if badge:
        problems += _badge_shape(cred)
    if "proof" not in cred:
        problems.append(_("proof is missing (unsigned)"))
    return problems


def _check_contexts(cred: Mapping[str, Any]) -> Check:
    ctx = cred.get("@context")
    entries: Iterable[Any] = ctx if isinstance(ctx, list) else [ctx]
    unknown = [e for e in entries if not isinstance(e, str) or e not in KNOWN_CONTEXTS]
    if unknown:
        shown = ", ".join(
            e[:100] if isinstance(e, str) else _("(inline object)") for e in unknown[:3]
        ) + (", …" if len(unknown) > 3 else "")
        return Check(
            "context",
            False,
            _("unknown @context {u}: only vendored contexts are accepted (none is fetched)").format(
                u=shown
            ),
        )
    return Check(
        "context", True, _("all @context entries are vendored ({n})").format(n=len(list(entries)))
    )


def _check_validity(cred: Mapping[str, Any], at: datetime) -> Check:
    start = di.parse_datetime(cred.get("validFrom"))
    end = di.parse_datetime(cred.get("validUntil"))
    when = di.format_datetime(at)
    open_ended = kind_of(cred) == "badge" and "validUntil" not in cred
    if start is None or (end is None and not open_ended):
        return Check("validity", False, _("validFrom/validUntil missing or malformed"))
    if at < start:
        return Check(
            "validity",
            False,
            _("not yet valid: valid from {s} (checked at {w})").format(s=cred["validFrom"], w=when),
        )
    if end is None:
        return Check("validity", True, _("valid from {s}, no end date").format(s=cred["validFrom"]))
    if at > end:
        return Check(
            "validity",
            False,
            _("expired on {e} (checked at {w})").format(e=cred["validUntil"], w=when),
        )
    return Check(
        "validity", True, _("valid {s} to {e}").format(s=cred["validFrom"], e=cred["validUntil"])
    )


def _check_reports(cred: Mapping[str, Any], report_dir: Path | None) -> Check:
    """The pinned report files against their ``digestSRI``: at most
    :data:`~puhui.certify.limits.MAX_RELATED_RESOURCES` entries, repeats ignored, each file
    hashed at most once per algorithm (however often it is named)."""
    related = cred.get("relatedResource")
    if not isinstance(related, list) or not related:
        return Check("report", False, _("the certificate pins no report (relatedResource)"))
    if len(related) > MAX_RELATED_RESOURCES:
        return Check(
            "report",
            False,
            _("relatedResource has {n} entries; a certificate pins at most {m} files").format(
                n=len(related), m=MAX_RELATED_RESOURCES
            ),
        )
    if report_dir is None:
        return Check("report", None, _("not checked: no report folder given (--report-dir)"))
    good: list[str] = []
    missing: list[str] = []
    bad: list[str] = []
    seen: set[tuple[str, str]] = set()
    hashed: dict[tuple[str, str], str] = {}  # (file name, algorithm) → its SRI
    for item in related:
        name = item.get("name") if isinstance(item, dict) else None
        digest = item.get("digestSRI") if isinstance(item, dict) else None
        if (
            not isinstance(name, str)
            or not name
            or "/" in name
            or "\\" in name
            or name in (".", "..")
            or not isinstance(digest, str)
            or digest.split("-", 1)[0] not in _SRI_ALGOS
        ):
            bad.append(_("malformed relatedResource entry {e}").format(e=short(item)))
            continue
        if (name, digest) in seen:
            continue
        seen.add((name, digest))
        path = report_dir / name
        if not path.is_file():
            if name not in missing:
                missing.append(name)
            continue
        algo = digest.split("-", 1)[0]
        if (name, algo) not in hashed:
            hashed[name, algo] = sri(path, algo)
        if hashed[name, algo] != digest:
            bad.append(_("{n} does not match its pinned {a} hash").format(n=name[:100], a=algo))
        elif name not in good:
            good.append(name)
    if bad:
        return Check("report", False, "; ".join(bad))
    if not good:
        return Check(
            "report",
            None,
            _("not checked: none of {f} found in {d}").format(f=", ".join(missing), d=report_dir),
        )
    text = _("{g} match their pinned hashes").format(g=", ".join(good))
    if missing:
        text += "; " + _("not found, not checked: {m}").format(m=", ".join(missing))
    return Check("report", True, text)


def _check_assessment(cred: Mapping[str, Any], report_dir: Path | None) -> Check:
    subject = cred.get("credentialSubject")
    pinned = subject.get("assessment") if isinstance(subject, dict) else None
    want = pinned.get("contentSha256") if isinstance(pinned, dict) else None
    if not isinstance(want, str):
        return Check("assessment", False, _("the certificate pins no assessment content hash"))
    if report_dir is None or not (report_dir / MANIFEST).is_file():
        return Check("assessment", None, _("not checked: no assessment manifest.json found"))
    try:
        data = json.loads((report_dir / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        changed = [
            f["path"]
            for f in files
            if not (report_dir / f["path"]).is_file()
            or sha256_file(report_dir / f["path"]) != f["sha256"]
        ]
        digest = content_digest(files)
    except (OSError, ValueError, KeyError, TypeError) as e:
        return Check("assessment", False, _("manifest.json is unreadable: {e}").format(e=e))
    if changed:
        return Check(
            "assessment",
            False,
            _("assessment files changed or missing: {f}").format(f=", ".join(changed[:5])),
        )
    if digest != want:
        return Check(
            "assessment",
            False,
            _("the assessment's content_sha256 {got:.12}… is not the certified {want:.12}…").format(
                got=digest, want=want
            ),
        )
    return Check("assessment", True, _("assessment content matches ({d:.12}…)").format(d=want))


def verify(
    credential: Mapping[str, Any],
    *,
    report_dir: str | os.PathLike[str] | None = None,
    status_list: Mapping[str, Any] | None = None,
    trusted: Iterable[str] | None = None,
    at: datetime | None = None,
) -> Verification:
    """Verify a certificate offline. ``trusted`` holds issuer DIDs (``did:key:…``).

    Never raises on a malformed credential: a document nested deeper than
    :data:`~puhui.certify.limits.MAX_JSON_DEPTH` levels fails the format check unread. The
    summary's ``revoked`` is True or False when a status list settled it, else None (see
    :func:`status_of`).
    """
    when = (at or datetime.now(UTC)).astimezone(UTC)
    cred = credential
    if deeper_than(cred, MAX_JSON_DEPTH):
        reason = _("nested deeper than {d} levels: not a certificate").format(d=MAX_JSON_DEPTH)
        return Verification(
            False,
            [Check("format", False, reason)],
            {"id": None, "issuer": None, "revoked": None, "checked_at": di.format_datetime(when)},
        )
    checks: list[Check] = []
    badge = kind_of(cred) == "badge"
    problems = _shape(cred)
    fine = _("a VC 2.0 Open Badges 3.0 badge") if badge else _("a VC 2.0 Puhui certificate")
    checks.append(Check("format", not problems, "; ".join(problems) or fine))
    checks.append(_check_contexts(cred))
    proof = di.verify_proof(cred, at=when)
    checks.append(Check("proof", proof.ok, proof.reason))
    issuer = issuer_id(cred)
    if proof.controller is None:
        checks.append(Check("issuer", False, _("the signing key could not be resolved")))
    elif proof.controller != issuer:
        checks.append(
            Check(
                "issuer",
                False,
                _("signed by {k}, but the issuer is {i}").format(
                    k=proof.controller, i=short(issuer)
                ),
            )
        )
    else:
        checks.append(Check("issuer", True, _("signed by the issuer {i}").format(i=issuer)))
    trust = set(trusted) if trusted is not None else None
    if trust is None:
        checks.append(
            Check(
                "trust", None, _("not checked: any did:key issuer accepted (pin one with --trust)")
            )
        )
    elif issuer in trust:
        checks.append(Check("trust", True, _("issuer is trusted")))
    else:
        checks.append(Check("trust", False, _("issuer not trusted: {i}").format(i=short(issuer))))
    checks.append(_check_validity(cred, when))
    rdir = Path(report_dir) if report_dir is not None else None
    if badge:  # a badge pins no report and rests on no assessment
        checks.append(Check("report", None, _("not applicable: a badge pins no report")))
        checks.append(Check("assessment", None, _("not applicable: a badge certifies no system")))
    else:
        checks.append(_check_reports(cred, rdir))
        checks.append(_check_assessment(cred, rdir))
    revoked: bool | None = None
    if status_list is None:
        checks.append(
            Check("revocation", None, _("not checked: no status list given (--status-list)"))
        )
    else:
        res = statuslist.check(cred, status_list)
        revoked = res.revoked
        checks.append(Check("revocation", res.ok, res.reason))
    valid = proof.ok and all(c.ok is not False for c in checks)
    subject = cred.get("credentialSubject")
    summary = {
        "id": cred.get("id"),
        "kind": "badge" if badge else "certificate",
        "issuer": issuer,
        "system": subject.get("name") if isinstance(subject, dict) and not badge else None,
        "achievement": achievement_of(cred).get("name") if badge else None,
        "validFrom": cred.get("validFrom"),
        "validUntil": cred.get("validUntil"),
        "revoked": revoked,
        "checked_at": di.format_datetime(when),
    }
    return Verification(valid, checks, summary)


#: What a verification comes to, the most serious first (see :func:`status_of`).
STATUSES = ("invalid", "revoked", "issuer_not_trusted", "revocation_not_checked", "valid")


def status_of(result: Verification) -> str:
    """One of :data:`STATUSES` for a result of :func:`verify`:

    - ``invalid``: a check other than trust and revocation failed (signature, format, dates,
      pinned reports, assessment), or the status list given could not settle the question;
    - ``revoked``: the issuer's status list marks the certificate revoked;
    - ``issuer_not_trusted``: nothing else failed, but the issuer is not in ``trusted`` (or
      no ``trusted`` was given);
    - ``revocation_not_checked``: the issuer is trusted, but no status list was given;
    - ``valid``: nothing failed, the issuer is trusted and its status list says not revoked.

    A report or assessment that could not be checked (not at hand) does not lower the status;
    its check says "not checked".
    """
    by_name = {c.name: c for c in result.checks}
    if any(c.ok is False for c in result.checks if c.name not in ("trust", "revocation")):
        return "invalid"
    if result.summary.get("revoked") is True:
        return "revoked"
    revocation = by_name.get("revocation")
    if revocation is not None and revocation.ok is False:
        return "invalid"
    trust = by_name.get("trust")
    if trust is None or trust.ok is not True:
        return "issuer_not_trusted"
    if revocation is None or revocation.ok is None:
        return "revocation_not_checked"
    return "valid"
