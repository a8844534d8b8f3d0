"""Trusted issuers and their revocation lists: who may register a key, which lists are held.

An admin of an organization (or a site superuser) registers the organization's signing keys
(``did:key``) as trusted issuers, and may remove them; a key belongs to one organization. The
hub then holds each trusted issuer's signed BitstringStatusListCredential: anyone may send one,
and it is kept only when its proof verifies with its issuer's key, that issuer is trusted here,
and it is not older (``validFrom``) than the list already held under that id. Nothing is
fetched: an issuer's list reaches the hub only by being sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from puhui.certify import dataintegrity as di
from puhui.certify import limits, statuslist
from puhui.hub.catalog.access import Caller, acts_in
from puhui.hub.catalog.models import Organization, StatusList, TrustedIssuer


class IssuerError(Exception):
    """A refused registration or list; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def can_manage(caller: Caller, org: Organization) -> bool:
    """Admins of ``org`` (with a publish-scope credential tied to no other organization) and
    site superusers may register and remove its issuers."""
    return acts_in(caller, org, ("admin",))


def _admin_org(caller: Caller, org_slug: str) -> Organization:
    if org_slug:
        org = Organization.objects.filter(slug=org_slug).first()
        if org is None or not can_manage(caller, org):
            raise IssuerError(
                403, _("only an admin of {o} may manage its trusted issuers").format(o=org_slug)
            )
        return org
    if caller.anonymous or not caller.can_publish_scope:
        raise IssuerError(403, _("managing trusted issuers needs a token with publish scope"))
    if caller.superuser and caller.org_id is None:
        raise IssuerError(400, _("name the organization with org"))
    mine = caller.memberships(("admin",)).select_related("org")
    orgs = [m.org for m in mine[:2]]
    if not orgs:
        raise IssuerError(403, _("you are not an admin of any organization"))
    if len(orgs) > 1:
        raise IssuerError(400, _("you are an admin of several organizations: name one with org"))
    return orgs[0]


def _did(value: str) -> str:
    did = value.strip().split("#", 1)[0]
    try:
        di.resolve_did_key(did)
    except di.ResolutionError as e:
        raise IssuerError(400, str(e)) from None
    return did


def register(
    caller: Caller,
    did: str,
    *,
    org_slug: str = "",
    name: str = "",
    status_list: dict[str, Any] | None = None,
) -> tuple[TrustedIssuer, bool]:
    """Register ``did`` as a trusted issuer of the caller's organization; return it and whether
    it is new. Registering it again updates the name; a status list given is accepted as by
    :func:`accept_status_list` (and must be the key's own)."""
    key = _did(did)
    org = _admin_org(caller, org_slug)
    if status_list is not None:  # checked before anything is registered
        if _list_issuer(status_list) != key:
            raise IssuerError(400, _("the status list sent is not {d}'s").format(d=key))
        try:
            statuslist.read_list(status_list)
        except ValueError as e:
            raise IssuerError(400, str(e)) from None
    with transaction.atomic():
        issuer = TrustedIssuer.objects.select_for_update().filter(did=key).first()
        created = issuer is None
        if issuer is not None and issuer.org_id != org.pk:
            raise IssuerError(
                409,
                _("{d} is already a trusted issuer of another organization").format(d=key),
            )
        if issuer is None:
            try:
                with transaction.atomic():
                    issuer = TrustedIssuer.objects.create(
                        org=org, did=key, name=name[:200], added_by=caller.user
                    )
            except IntegrityError:  # registered at the same moment by someone else
                raise IssuerError(
                    409, _("{d} was registered at the same time; try again").format(d=key)
                ) from None
        elif name and issuer.name != name[:200]:
            issuer.name = name[:200]
            issuer.save(update_fields=["name"])
    if status_list is not None:
        accept_status_list(status_list)
    return issuer, created


def remove(caller: Caller, did: str) -> TrustedIssuer:
    """Remove a trusted issuer (with its status lists); only an admin of its organization."""
    key = _did(did)
    issuer = TrustedIssuer.objects.select_related("org").filter(did=key).first()
    if issuer is None or not can_manage(caller, issuer.org):
        raise IssuerError(404, _("{d} is not a trusted issuer you manage").format(d=key))
    issuer.delete()
    return issuer


def _list_issuer(doc: dict[str, Any]) -> Any:
    issuer = doc.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


@dataclass
class Accepted:
    """A status list now held: the row, and whether it replaced an older one (or was new)."""

    row: StatusList
    changed: bool


def accept_status_list(doc: Any) -> Accepted:
    """Hold ``doc`` as its issuer's status list, if it is one a trusted issuer signed and it is
    not older than the list held under its id; :class:`IssuerError` says why not."""
    if not isinstance(doc, dict):
        raise IssuerError(400, _("a status list is a JSON object"))
    if limits.deeper_than(doc):
        raise IssuerError(400, _("the status list is nested too deeply"))
    list_id = doc.get("id")
    if not isinstance(list_id, str) or not list_id or len(list_id) > 300:
        raise IssuerError(400, _("the status list's id must be a URI of at most 300 characters"))
    when = di.parse_datetime(doc.get("validFrom"))
    if when is None:
        raise IssuerError(400, _("the status list's validFrom is missing or not a dateTime"))
    did = _list_issuer(doc)
    issuer = (
        TrustedIssuer.objects.filter(did=did).first()
        if isinstance(did, str) and len(did) <= 100
        else None
    )
    if issuer is None:
        raise IssuerError(
            403,
            _("the status list's issuer {d} is not a trusted issuer of this hub").format(
                d=limits.short(did)
            ),
        )
    try:
        bits, _did_of_list = statuslist.read_list(doc)  # type, proof by the issuer's key, bits
    except ValueError as e:
        raise IssuerError(400, str(e)) from None
    return _store(issuer, list_id, doc, when, bits)


def _only_adds(held: dict[str, Any], bits: bytearray) -> bool:
    """Whether ``bits`` keeps every bit of the held list set (it revokes, never restores)."""
    try:
        old = statuslist.decode_bits(held["credentialSubject"]["encodedList"])
    except (KeyError, TypeError, ValueError):
        return True
    return len(bits) >= len(old) and all(a & b == a for a, b in zip(old, bits, strict=False))


def _store(
    issuer: TrustedIssuer, list_id: str, doc: dict[str, Any], when: datetime, bits: bytearray
) -> Accepted:
    with transaction.atomic():
        held = StatusList.objects.select_for_update().filter(issuer=issuer, list_id=list_id).first()
        if held is not None and when < held.valid_from:
            raise IssuerError(
                409,
                _("the hub holds a newer list {i} (of {h}); this one is of {w}").format(
                    i=list_id, h=di.format_datetime(held.valid_from), w=di.format_datetime(when)
                ),
            )
        if held is not None and held.document == doc:
            return Accepted(held, False)
        if held is not None and when == held.valid_from and not _only_adds(held.document, bits):
            # validFrom has whole seconds: a list of the same second may add revocations, but
            # one that clears a bit could be an old list sent again
            raise IssuerError(
                409,
                _("list {i} of {w} would clear a revocation the hub holds for that time").format(
                    i=list_id, w=di.format_datetime(when)
                ),
            )
        if held is None:
            try:
                with transaction.atomic():
                    row = StatusList.objects.create(
                        issuer=issuer, list_id=list_id, document=doc, valid_from=when
                    )
            except IntegrityError:  # sent twice at the same moment: the other one is held
                raise IssuerError(
                    409, _("the list was sent twice at once; send it again")
                ) from None
            return Accepted(row, True)
        held.document = doc
        held.valid_from = when
        held.updated = timezone.now()
        held.save(update_fields=["document", "valid_from", "updated"])
        return Accepted(held, True)
