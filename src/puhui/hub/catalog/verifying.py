"""Certificate verification on the server, with no outside call, for the pages and the API.

The credential is checked with :func:`puhui.certify.credential.verify`, given the hub's trusted
issuers (keys that organizations' admins registered, :class:`~.models.TrustedIssuer`) and the
issuer's signed status list when the hub holds it (:class:`~.models.StatusList`). The outcome is
one of :data:`puhui.certify.credential.STATUSES`, shown as :data:`LABELS`: a certificate signed
by a key nobody here vouches for is never "Valid", however good its signature.

When the assessment it certifies is in the catalog and the caller may see it, its files are laid
out (as links to the stored blobs) in a temporary folder so the report and assessment hashes are
checked too.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from puhui.certify import credential as vc
from puhui.certify import limits
from puhui.hub.catalog import storage
from puhui.hub.catalog.access import Caller, visible_items
from puhui.hub.catalog.models import Item, StatusList, TrustedIssuer
from puhui.hub.catalog.storage import safe_path

MAX_ASSESSMENT_BYTES = 64 * 1024 * 1024
#: What each outcome is called on the pages (and in the API's ``status_label``).
LABELS: dict[str, Any] = {
    "valid": _("Valid"),
    "issuer_not_trusted": _("Signature valid, issuer not trusted"),
    "revoked": _("Revoked"),
    "revocation_not_checked": _("Signature valid, revocation not checked"),
    "invalid": _("Invalid"),
}
_CSS = {"valid": "ok", "issuer_not_trusted": "unk", "revocation_not_checked": "unk"}


@dataclass
class Outcome:
    """A verification on this hub: the checks, what they come to, who vouches for the key."""

    result: vc.Verification
    status: str
    assessment: Item | None = None
    issuer: TrustedIssuer | None = None

    @property
    def valid(self) -> bool:
        return self.status == "valid"

    @property
    def label(self) -> str:
        return str(LABELS[self.status])

    @property
    def css(self) -> str:
        return _CSS.get(self.status, "bad")


def certified_assessment(cred: Any, caller: Caller) -> Item | None:
    subject = cred.get("credentialSubject") if isinstance(cred, dict) else None
    pinned = subject.get("assessment") if isinstance(subject, dict) else None
    sha = pinned.get("contentSha256") if isinstance(pinned, dict) else None
    if not isinstance(sha, str) or not storage.SHA256_RE.match(sha):
        return None
    return (
        visible_items(caller).filter(kind="assessment", content_sha256=sha).order_by("-created")
    ).first()


def _list_id(cred: dict[str, Any]) -> str | None:
    status = cred.get("credentialStatus")
    for entry in status if isinstance(status, list) else [status]:
        if isinstance(entry, dict) and entry.get("statusPurpose") == "revocation":
            ref = entry.get("statusListCredential")
            return ref if isinstance(ref, str) else None
    return None


def trust_of(cred: dict[str, Any]) -> tuple[TrustedIssuer | None, dict[str, Any] | None]:
    """The trusted issuer the credential names, and the status list held for it, if any."""
    did = vc.issuer_id(cred)
    if not isinstance(did, str) or len(did) > 100:
        return None, None
    issuer = TrustedIssuer.objects.select_related("org").filter(did=did).first()
    if issuer is None:
        return None, None
    list_id = _list_id(cred)
    held = StatusList.objects.filter(issuer=issuer, list_id=list_id).first() if list_id else None
    return issuer, held.document if held is not None else None


def _verify(cred: dict[str, Any], report_dir: Path | None) -> Outcome:
    issuer, status_list = trust_of(cred)
    trusted = [issuer.did] if issuer is not None else []
    result = vc.verify(cred, report_dir=report_dir, trusted=trusted, status_list=status_list)
    from puhui.hub.federation import origin  # a mirror revoked at its origin hub is revoked

    result = origin.mark(cred, result)
    return Outcome(result, vc.status_of(result), issuer=issuer)


def verify(cred: dict[str, Any], caller: Caller) -> Outcome:
    """Verify ``cred`` against the hub's trusted issuers and held status lists, with the
    certified assessment's files when the caller may see them."""
    assessment = certified_assessment(cred, caller)
    if assessment is None or assessment.size > MAX_ASSESSMENT_BYTES:
        outcome = _verify(cred, None)
        outcome.assessment = assessment
        return outcome
    with tempfile.TemporaryDirectory(prefix="puhui-verify-") as tmp:
        root = Path(tmp)
        for f in assessment.files.all():
            if not safe_path(f.path) or not storage.has(f.sha256):
                continue
            target = root / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(storage.blob_path(f.sha256), target)
        outcome = _verify(cred, root)
    outcome.assessment = assessment
    return outcome


def signed_by_trusted_issuer(cred: Any) -> bool:
    """Whether a trusted issuer of this hub signed ``cred`` with its own key (the proof valid,
    made by the issuer named), whatever else its checks say: the condition for linking a
    certificate to another organization's assessment."""
    if not isinstance(cred, dict):
        return False
    issuer, _held = trust_of(cred)
    if issuer is None:
        return False
    result = vc.verify(cred, trusted=[issuer.did])
    checks = {c.name: c.ok for c in result.checks}
    return all(checks.get(name) is True for name in ("proof", "issuer", "trust"))


def stored_certificate(item: Item) -> dict[str, Any] | None:
    """The credential a certificate item holds, read within the limits; None if unreadable."""
    f = item.files.filter(path="certificate.json").first()
    if f is None or not storage.has(f.sha256):
        return None
    try:
        raw = storage.read_bytes(f.sha256, limits.MAX_CREDENTIAL_BYTES + 1)
        data = limits.loads(raw, "certificate.json")
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
