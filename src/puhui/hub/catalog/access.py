"""Who may see and publish what: one policy, used both as a check and as a query filter.

Visibility of an item in organization O:

- ``public``: everyone, signed in or not;
- ``organization``: members of O in the roles admin, member, viewer (not raters);
- ``private``: the member who published it and O's admins.

Publishing into O needs the admin or member role. A site superuser sees and publishes everywhere.
An API token acts for its owner but can only narrow that: scope ``read`` cannot publish, and a
token tied to an organization sees non-public items and publishes only there. Anything a caller
may not see answers 404, so its existence does not leak.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from puhui.hub.catalog.models import ApiToken, Item, ItemFile, Membership, Organization

PUBLISHER_ROLES = ("admin", "member")
#: Roles that see the organization's non-public items (a rater only rates: see puhui.hub.rating).
MEMBER_ROLES = ("admin", "member", "viewer")
TOKEN_PREFIX = "phb_"


@dataclass(frozen=True)
class Caller:
    """The person behind a request and the limits of the credential used."""

    user: Any = None  # a User, or None when anonymous
    can_publish_scope: bool = False  # a session or a publish-scope token
    org_id: int | None = None  # a token tied to one organization

    @property
    def anonymous(self) -> bool:
        return self.user is None

    @property
    def superuser(self) -> bool:
        return bool(self.user is not None and self.user.is_superuser)

    def memberships(self, roles: tuple[str, ...] | None = None) -> QuerySet[Membership]:
        qs = Membership.objects.filter(user=self.user)
        if roles is not None:
            qs = qs.filter(role__in=roles)
        if self.org_id is not None:
            qs = qs.filter(org_id=self.org_id)
        return qs

    def role_in(self, org: Organization) -> str | None:
        if self.anonymous:
            return None
        m = self.memberships().filter(org=org).first()
        return m.role if m else None


ANONYMOUS = Caller()


def caller_from_session(request: HttpRequest) -> Caller:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    return Caller(user=user, can_publish_scope=True)


def caller_from_token(token: str) -> Caller | None:
    """The caller a bearer token stands for; None when unknown, expired or its owner inactive."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(token)).first()
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.expires is not None and row.expires <= now:
        return None
    if row.last_used is None or now - row.last_used > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used=now)
    return Caller(user=row.user, can_publish_scope=row.scope == "publish", org_id=row.org_id)


def new_token(
    user: Any,
    *,
    scope: str,
    org: Organization | None = None,
    days: int | None = None,
    name: str = "",
) -> str:
    """Create a token and return it; only its digest is kept, so it is shown once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=days) if days else None
    ApiToken.objects.create(
        user=user,
        name=name,
        prefix=token[: len(TOKEN_PREFIX) + 6],
        digest=ApiToken.hash(token),
        scope=scope,
        org=org,
        expires=expires,
    )
    return token


def visible_filter(caller: Caller) -> Q:
    """A filter on :class:`Item` selecting exactly what ``caller`` may see."""
    public = Q(visibility="public")
    if caller.anonymous:
        return public
    if caller.superuser:
        return Q() if caller.org_id is None else public | Q(org_id=caller.org_id)
    member_orgs = caller.memberships(MEMBER_ROLES).values("org_id")
    admin_orgs = caller.memberships(("admin",)).values("org_id")
    return (
        public
        | Q(visibility="organization", org_id__in=member_orgs)
        | Q(visibility="private", org_id__in=admin_orgs)
        | Q(visibility="private", created_by=caller.user, org_id__in=member_orgs)
    )


def visible_items(caller: Caller) -> QuerySet[Item]:
    return Item.objects.filter(visible_filter(caller))


def can_see(caller: Caller, item: Item) -> bool:
    return visible_items(caller).filter(pk=item.pk).exists()


def can_download(caller: Caller, sha256: str) -> bool:
    """A blob may be fetched when some item the caller can see holds it."""
    items = visible_items(caller).values("pk")
    return ItemFile.objects.filter(sha256=sha256, item_id__in=items).exists()


def acts_in(caller: Caller, org: Organization, roles: tuple[str, ...]) -> bool:
    """Whether ``caller`` may act in ``org`` with one of ``roles``: a session or publish-scope
    token tied to no other organization, and the role there (a site superuser has every role)."""
    if caller.anonymous or not caller.can_publish_scope:
        return False
    if caller.org_id is not None and caller.org_id != org.pk:
        return False
    if caller.superuser:
        return True
    return caller.memberships(roles).filter(org=org).exists()


def can_publish(caller: Caller, org: Organization) -> bool:
    return acts_in(caller, org, PUBLISHER_ROLES)


def publish_orgs(caller: Caller) -> QuerySet[Organization]:
    """Organizations the caller may publish into."""
    if caller.anonymous or not caller.can_publish_scope:
        return Organization.objects.none()
    if caller.superuser:
        qs = Organization.objects.all()
    else:
        qs = Organization.objects.filter(
            pk__in=caller.memberships(PUBLISHER_ROLES).values("org_id")
        )
    if caller.org_id is not None:
        qs = qs.filter(pk=caller.org_id)
    return qs
