"""What the change feed records: items published, items withdrawn, certificates revoked.

An ``item`` event is written once the publishing transaction commits (a ``post_save`` signal on
:class:`~puhui.hub.catalog.models.Item`, so the catalog's publish code is unchanged); a mirror
of another hub's item writes none (see :mod:`.feed`: mirrors are never re-published).
:func:`withdraw` deletes an item and leaves a tombstone. When a trusted issuer's newer status
list is accepted (``post_save`` on :class:`~puhui.hub.catalog.models.StatusList`), every public
certificate of that issuer whose bit is now set gets one ``revoked`` event.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from puhui.certify import statuslist
from puhui.errors import PuhuiError
from puhui.hub.catalog.models import Item, StatusList
from puhui.hub.catalog.verifying import stored_certificate
from puhui.hub.federation.models import FeedEvent

#: Set on an Item instance before saving it to say it is a mirror (no feed event).
MIRROR_FLAG = "_puhui_mirror"


def _item_saved(sender: type, instance: Item, created: bool, **kwargs: Any) -> None:
    if not created or getattr(instance, MIRROR_FLAG, False):
        return
    urn = instance.urn
    transaction.on_commit(lambda: FeedEvent.objects.create(kind="item", urn=urn))


def _list_saved(sender: type, instance: StatusList, **kwargs: Any) -> None:
    row_id = instance.pk
    transaction.on_commit(lambda: record_revocations(row_id))


def connect() -> None:
    post_save.connect(_item_saved, sender=Item, dispatch_uid="federation-item-event")
    post_save.connect(_list_saved, sender=StatusList, dispatch_uid="federation-revocations")


def record_revocations(list_pk: int) -> list[str]:
    """Write a ``revoked`` event for each public certificate the held list now revokes (once
    per certificate); the URNs written."""
    row = StatusList.objects.select_related("issuer").filter(pk=list_pk).first()
    if row is None:
        return []
    done = set(FeedEvent.objects.filter(kind="revoked").values_list("urn", flat=True))
    certs = Item.objects.filter(
        kind="certificate", visibility="public", metadata__certificate__issuer=row.issuer.did
    ).exclude(urn__in=done)
    written = []
    for item in certs.iterator():
        if hasattr(item, "mirror"):
            continue
        cred = stored_certificate(item)
        if cred is None or statuslist.check(cred, row.document).revoked is not True:
            continue
        cid = cred.get("id")
        payload = {"credential": cid} if isinstance(cid, str) and len(cid) <= 300 else {}
        FeedEvent.objects.create(kind="revoked", urn=item.urn, payload=payload)
        written.append(item.urn)
    return written


def withdraw(urn: str) -> dict[str, Any]:
    """Delete the item ``urn`` from this hub; a public item of its own leaves a tombstone in the
    feed, so peers delete their mirrors on their next sync."""
    with transaction.atomic():
        item = Item.objects.filter(urn=urn).first()
        if item is None:
            raise PuhuiError(
                _("no item {u} on this hub").format(u=urn[:300]),
                _("give the URN as the item's page shows it"),
            )
        mirrored = hasattr(item, "mirror")
        tombstone = item.visibility == "public" and not mirrored
        item.delete()
        if tombstone:
            FeedEvent.objects.create(kind="withdrawn", urn=urn)
    return {"withdrawn": urn, "tombstone": tombstone, "mirror": mirrored}
