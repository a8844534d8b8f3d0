"""Certificate verification on the server, with no outside call, for the page and the API.

The credential is checked with :func:`puhui.certify.credential.verify`. When the assessment it
certifies is in the catalog and the caller may see it, its files are laid out (as links to the
stored blobs) in a temporary folder so the report and assessment hashes are checked too.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from puhui.certify import credential as vc
from puhui.hub.catalog import storage
from puhui.hub.catalog.access import Caller, visible_items
from puhui.hub.catalog.models import Item
from puhui.hub.catalog.storage import safe_path

MAX_ASSESSMENT_BYTES = 64 * 1024 * 1024


def certified_assessment(cred: Any, caller: Caller) -> Item | None:
    subject = cred.get("credentialSubject") if isinstance(cred, dict) else None
    pinned = subject.get("assessment") if isinstance(subject, dict) else None
    sha = pinned.get("contentSha256") if isinstance(pinned, dict) else None
    if not isinstance(sha, str) or not storage.SHA256_RE.match(sha):
        return None
    return (
        visible_items(caller).filter(kind="assessment", content_sha256=sha).order_by("-created")
    ).first()


def verify(cred: dict[str, Any], caller: Caller) -> tuple[vc.Verification, Item | None]:
    """Verify ``cred``; return the result and the certified assessment item, if found."""
    assessment = certified_assessment(cred, caller)
    if assessment is None or assessment.size > MAX_ASSESSMENT_BYTES:
        return vc.verify(cred), assessment
    with tempfile.TemporaryDirectory(prefix="puhui-verify-") as tmp:
        root = Path(tmp)
        for f in assessment.files.all():
            if not safe_path(f.path) or not storage.has(f.sha256):
                continue
            target = root / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(storage.blob_path(f.sha256), target)
        return vc.verify(cred, report_dir=root), assessment
