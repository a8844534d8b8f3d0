"""What the sharing pages and API do, in one place: read and set an item's policy, make and
decide access requests through the transition table (:mod:`.machine`), and write the audit log.

Every step that changes a request writes its :class:`~.models.AuditEvent` in the same database
transaction, so the log never misses a step nor records one that did not happen.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from puhui.errors import PuhuiError
from puhui.hub.catalog.access import Caller, acts_in
from puhui.hub.catalog.models import Item, Organization
from puhui.sharing.policy import from_odrl, to_odrl
from puhui.sharing.types import PURPOSES, Policy

from . import machine
from .machine import OPEN, Refused
from .models import (
    MAX_CONDITION,
    MAX_CONDITIONS,
    MAX_STATEMENT,
    AccessRequest,
    AuditEvent,
    ItemPolicy,
)

#: A grant lasts this long unless the admin says otherwise.
DEFAULT_GRANT_DAYS = 365
MAX_GRANT_DAYS = 3650
POLICY_ROLES = ("admin", "member")


class SharingError(Exception):
    """A request the caller may not make or that is malformed; ``status`` is the HTTP answer
    (400, 403, 404 or 409) and the message one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ------------------------------------------------------------------------------------ policy


def policy_of(item: Item) -> Policy | None:
    """The item's usage policy, or None when it has none (its visibility alone decides)."""
    row = ItemPolicy.objects.filter(item=item).first()
    if row is None:
        return None
    return from_odrl(row.odrl, f"item {item.pk} policy")


def odrl_of(item: Item) -> dict[str, Any] | None:
    """The item's policy as stored (an ODRL JSON-LD document), or None."""
    row = ItemPolicy.objects.filter(item=item).only("odrl").first()
    return None if row is None else dict(row.odrl)


def may_set_policy(caller: Caller, item: Item) -> bool:
    return acts_in(caller, item.org, POLICY_ROLES)


def set_policy(caller: Caller, item: Item, doc: object) -> Policy:
    """Store ``doc`` (ODRL JSON) as the item's policy: checked with
    :func:`~puhui.sharing.policy.from_odrl`, written back in Puhui's form with the item as its
    target and the organization as assigner, and audited (``policy-set``)."""
    if not may_set_policy(caller, item):
        raise SharingError(
            403, _("only admins and members of the item's organization set its policy")
        )
    try:
        policy = from_odrl(doc, _("the policy"))
    except PuhuiError as e:
        raise SharingError(400, str(e).splitlines()[0]) from None
    return store_policy(caller, item, policy)


def store_policy(caller: Caller, item: Item, policy: Policy) -> Policy:
    if not policy.assigner:
        policy = replace(policy, assigner=item.org.slug)
    doc = to_odrl(policy, target=item.urn)
    with transaction.atomic():
        ItemPolicy.objects.update_or_create(
            item=item,
            defaults={
                "odrl": doc,
                "on_request": policy.on_request,
                "set_by": caller.user,
                "updated": timezone.now(),
            },
        )
        _audit(item, None, caller, "policy-set", {"preset": policy.preset, "uid": policy.uid})
    return policy


# ------------------------------------------------------------------------------------ requests


def role_of(caller: Caller, item: Item, req: AccessRequest | None) -> machine.Role:
    """The caller's role towards a request on ``item`` (``req`` None: one not made yet)."""
    if caller.anonymous or not caller.can_publish_scope:
        return "other"
    if acts_in(caller, item.org, ("admin",)):
        return "admin"
    if caller.role_in(item.org) is not None:
        return "member"
    if req is None or req.requester_id == caller.user.pk:
        return "requester"
    return "other"


def state_of(req: AccessRequest | None) -> str:
    return "none" if req is None else req.effective_state()


def open_request(caller: Caller, item: Item) -> AccessRequest | None:
    """The caller's pending or active request on ``item``, if any."""
    if caller.anonymous:
        return None
    for req in AccessRequest.objects.filter(
        item=item, requester=caller.user, state__in=OPEN
    ).order_by("-created"):
        if req.effective_state() in OPEN:
            return req
    return None


def _refused(e: Refused) -> SharingError:
    return SharingError(403, _("not allowed: {why}").format(why=str(e)))


def request_access(
    caller: Caller,
    item: Item,
    *,
    purpose: str,
    country: str,
    statement: str,
    org: Organization | None = None,
) -> AccessRequest:
    """Make a request (state ``pending``) and audit it (``requested``)."""
    try:
        machine.transition("none", role_of(caller, item, None), "request")
    except Refused as e:
        raise _refused(e) from None
    country = country.strip().upper()
    statement = statement.strip()
    if purpose not in PURPOSES:
        raise SharingError(400, _("purpose: choose one of {all}").format(all=", ".join(PURPOSES)))
    if len(country) != 2 or not country.isalpha() or not country.isascii():
        raise SharingError(400, _("country: give a two-letter ISO 3166 code, e.g. KE"))
    if not statement or len(statement) > MAX_STATEMENT:
        raise SharingError(
            400,
            _("statement: say in at most {n} characters what you will do").format(n=MAX_STATEMENT),
        )
    if org is not None and caller.role_in(org) is None:
        raise SharingError(400, _("organization: you are not a member of {o}").format(o=org.slug))
    with transaction.atomic():
        if open_request(caller, item) is not None:
            raise SharingError(409, _("you already have an open request for this item"))
        req = AccessRequest.objects.create(
            item=item,
            requester=caller.user,
            requester_org=org,
            purpose=purpose,
            country=country,
            statement=statement,
            state="pending",
        )
        _audit(item, req, caller, "requested",
               {"purpose": purpose, "country": country})  # fmt: skip
    return req


def decide(
    caller: Caller,
    req: AccessRequest,
    action: str,
    *,
    reason: str = "",
    conditions: list[str] | None = None,
    days: int | None = None,
) -> AccessRequest:
    """Withdraw, grant, deny or revoke ``req`` as the transition table allows, and audit it.

    A grant takes ``conditions`` (at most 20 lines) and lasts ``days`` (default 365); a denial
    needs a ``reason``; a revocation may give one."""
    with transaction.atomic():
        req = AccessRequest.objects.select_for_update().select_related("item__org").get(pk=req.pk)
        item = req.item
        try:
            nxt = machine.transition(state_of(req), role_of(caller, item, req), action)
        except Refused as e:
            raise _refused(e) from None
        reason = reason.strip()
        if len(reason) > MAX_STATEMENT:
            raise SharingError(400, _("reason: at most {n} characters").format(n=MAX_STATEMENT))
        detail: dict[str, Any] = {}
        now = timezone.now()
        if action == "grant":
            conds = [c.strip() for c in conditions or [] if c.strip()]
            if len(conds) > MAX_CONDITIONS or any(len(c) > MAX_CONDITION for c in conds):
                raise SharingError(
                    400,
                    _("conditions: at most {n} lines of {m} characters").format(
                        n=MAX_CONDITIONS, m=MAX_CONDITION
                    ),
                )
            days = DEFAULT_GRANT_DAYS if days is None else days
            if not 1 <= days <= MAX_GRANT_DAYS:
                raise SharingError(
                    400, _("expiry: between 1 and {n} days").format(n=MAX_GRANT_DAYS)
                )
            req.conditions = conds
            req.expires = now + timedelta(days=days)
            detail = {"conditions": conds, "expires": req.expires.isoformat()}
        if action == "deny" and not reason:
            raise SharingError(400, _("reason: say why the request is denied"))
        if reason:
            req.reason = reason
            detail["reason"] = reason
        if action != "withdraw":
            req.decided_by = caller.user
            req.decided = now
        req.state = nxt
        req.save()
        _audit(item, req, caller, machine.AUDIT_ACTIONS[action], detail)
    return req


def record_download(caller: Caller, req: AccessRequest, path: str) -> None:
    """Audit one download under a grant."""
    _audit(req.item, req, caller, "downloaded", {"file": path[:500]})


def _audit(
    item: Item, req: AccessRequest | None, caller: Caller, action: str, detail: dict[str, Any]
) -> AuditEvent:
    user = caller.user
    return AuditEvent.objects.create(
        item=item,
        request=req,
        actor=user,
        actor_name=getattr(user, "username", "") if user is not None else "",
        action=action,
        detail=detail,
    )


def events(item: Item) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(item=item).select_related("request").order_by("at", "id"))
