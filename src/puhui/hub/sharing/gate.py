"""The download gate: an item whose policy says "on request" gives its files only to members of
its own organization and to requesters holding a granted, unexpired, unrevoked request; each
download under a grant is audited (``downloaded``). Items without such a policy are left to
their visibility (:mod:`puhui.hub.catalog.access`), which is checked before this gate."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from puhui.hub.catalog.access import Caller, visible_items
from puhui.hub.catalog.models import Item

from . import service
from .models import AccessRequest, ItemPolicy


def _on_request(item: Item) -> bool:
    return ItemPolicy.objects.filter(item=item, on_request=True).exists()


def _grant(caller: Caller, item: Item) -> AccessRequest | None:
    if caller.anonymous:
        return None
    for req in AccessRequest.objects.filter(item=item, requester=caller.user, state="granted"):
        if req.effective_state() == "granted":
            return req
    return None


def _member(caller: Caller, item: Item) -> bool:
    return caller.superuser or caller.role_in(item.org) is not None


def may_download(caller: Caller, item: Item) -> bool:
    """Whether the policy lets ``caller`` download ``item``'s files (visibility aside)."""
    return not _on_request(item) or _member(caller, item) or _grant(caller, item) is not None


def refuse_file(caller: Caller, sha256: str, path: str = "") -> str | None:
    """None when ``caller`` may download the blob ``sha256`` (through some item it can see that
    holds it), auditing a download made under a grant; otherwise the one sentence to answer
    with a 403."""
    items = list(visible_items(caller).select_related("org").filter(files__sha256=sha256)[:50])
    refused: Item | None = None
    for item in items:
        if not _on_request(item) or _member(caller, item):
            return None
        req = _grant(caller, item)
        if req is not None:
            service.record_download(caller, req, path or sha256)
            return None
        refused = refused or item
    if refused is None:
        return None  # no visible item holds it: the visibility check answers (404)
    url = reverse("sharing:request", args=[refused.pk])
    return _(
        "This file is shared on request: sign in and ask its owner for access at {url}"
    ).format(url=url)
