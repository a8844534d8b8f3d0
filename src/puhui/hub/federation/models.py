"""Federation's data: the change feed this hub publishes, the peers it pulls from, mirrors.

:class:`FeedEvent` rows are the feed (``GET /api/v1/feed``, :mod:`.feed`): one per item
published, withdrawn or revoked, numbered by ``seq``. :class:`Peer` is another hub this one
mirrors, pinned to its signing key; :class:`Mirror` marks a catalog item as a copy of a peer's
item (so the catalog's own tables are unchanged), and :class:`MirrorFile` says where each of its
files can be fetched from on first download.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puhui.hub.catalog.models import Item

EVENT_KINDS: tuple[tuple[str, Any], ...] = (
    ("item", _("item published")),
    ("withdrawn", _("item withdrawn")),
    ("revoked", _("certificate revoked")),
)


class FeedEvent(models.Model):
    """One change of the public catalog, in the order the feed gives it."""

    seq = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=16, choices=EVENT_KINDS)
    urn = models.CharField("URN", max_length=300, db_index=True)
    at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("seq",)


class Peer(models.Model):
    """Another hub whose feed this one pulls, trusted only under its key ``did``."""

    name = models.SlugField(_("name"), max_length=48, unique=True)
    url = models.URLField(_("URL"), max_length=300)
    did = models.CharField("DID", max_length=100)
    cursor = models.BigIntegerField(default=0)
    last_sync = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    added = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def org_slug(self) -> str:
        return f"peer-{self.name}"


class Mirror(models.Model):
    """``item`` is a copy of the item ``remote_urn`` of ``peer``."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="mirror")
    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="mirrors")
    remote_urn = models.CharField(max_length=300)
    remote_seq = models.BigIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    #: The revoked credential's id, as the origin's ``revoked`` entry gives it (see .origin).
    credential_id = models.CharField(max_length=300, blank=True, db_index=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["peer", "remote_urn"], name="one_mirror_per_urn"),
        )


class MirrorFile(models.Model):
    """Where a mirrored file is fetched from (the peer's download URL) when first asked for."""

    mirror = models.ForeignKey(Mirror, on_delete=models.CASCADE, related_name="sources")
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField()
    url = models.URLField(max_length=1000)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["mirror", "sha256"], name="one_source_per_file"),
        )
