"""What a peer's feed says about a certificate this hub mirrors: revoked at its origin.

A trusted issuer's status list is held by the hub its organization uses; a peer learns of a
revocation only from that hub's signed feed (a ``revoked`` entry naming the item and the
credential's id, applied by :func:`puhui.hub.federation.peers.apply_page` to the
:class:`~.models.Mirror`). The catalog's verification (:mod:`puhui.hub.catalog.verifying`)
asks :func:`mark` about every certificate it checks, on the item page, ``/verify`` and
``POST /api/v1/verify``: a credential whose id is that of a mirror its origin revoked is
reported revoked, whatever the status list held here says (it may be older than the origin's).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _

from puhui.certify import credential as vc
from puhui.hub.federation.models import Mirror

MAX_ID = 300


def revoked_mirror(cred: Any) -> Mirror | None:
    """The mirror, revoked at its origin, of the certificate with ``cred``'s id; else None."""
    cid = cred.get("id") if isinstance(cred, dict) else None
    if not isinstance(cid, str) or not cid or len(cid) > MAX_ID:
        return None
    return (
        Mirror.objects.select_related("peer")
        .filter(credential_id=cid, revoked_at__isnull=False)
        .order_by("revoked_at")
        .first()
    )


def reason_of(mirror: Mirror) -> str:
    at = mirror.revoked_at.date().isoformat() if mirror.revoked_at else "?"
    return _("revoked at hub {name} (feed of {at})").format(name=mirror.peer.name, at=at)


def mark(cred: Any, result: vc.Verification) -> vc.Verification:
    """``result`` with its revocation check failed and ``revoked`` set when ``cred`` is a
    mirrored certificate its origin hub revoked; ``result`` itself otherwise."""
    mirror = revoked_mirror(cred)
    if mirror is None:
        return result
    check = vc.Check("revocation", False, reason_of(mirror))
    checks = [c for c in result.checks if c.name != "revocation"] + [check]
    summary = dict(result.summary, revoked=True, revoked_at_origin=mirror.peer.name)
    return replace(result, valid=False, checks=checks, summary=summary)
