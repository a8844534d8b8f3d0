"""The sharing app's data: an item's usage policy, access requests and the audit log.

:class:`AuditEvent` is append-only: saving an existing row, deleting one, and updating or
deleting through a queryset all raise :class:`AuditIsAppendOnly`. An item with an audit trail
cannot be deleted either (the foreign keys protect it).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puhui.hub.catalog.models import Item, Organization
from puhui.sharing.types import PURPOSES

from .machine import EVENTS, STATES, effective_state

MAX_STATEMENT = 1000
MAX_CONDITIONS = 20
MAX_CONDITION = 300


class ItemPolicy(models.Model):
    """The ODRL policy (as :func:`puhui.sharing.policy.to_odrl` writes it) on one item. No row:
    the item's visibility alone decides who may use it."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="usage_policy")
    odrl = models.JSONField()
    on_request = models.BooleanField(default=False)  # copied from the policy, for queries
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated = models.DateTimeField(default=timezone.now)


class AccessRequest(models.Model):
    """Someone's request to use an item under its policy, and the owner's decision on it."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="access_requests")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests"
    )
    requester_org = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=[(p, p) for p in PURPOSES])
    country = models.CharField(_("country"), max_length=2)
    statement = models.TextField(_("statement"), max_length=MAX_STATEMENT)
    state = models.CharField(max_length=16, choices=[(s, s) for s in STATES], default="pending")
    created = models.DateTimeField(default=timezone.now, db_index=True)
    decided = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True, max_length=MAX_STATEMENT)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        indexes = (models.Index(fields=["item", "requester", "state"]),)

    def effective_state(self) -> str:
        """The state as it counts now (a grant past ``expires`` is ``expired``)."""
        return effective_state(self.state, self.expires, timezone.now())


class AuditIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditIsAppendOnly("audit events are never updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditIsAppendOnly("audit events are never deleted")


class AuditEvent(models.Model):
    """One step in an item's sharing history: a request made or decided, a download under a
    grant, a policy set. Written once, never changed."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        AccessRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=16, choices=[(e, e) for e in EVENTS])
    at = models.DateTimeField(default=timezone.now, db_index=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ("at", "id")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update"):
            raise AuditIsAppendOnly("audit events are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditIsAppendOnly("audit events are never deleted")
