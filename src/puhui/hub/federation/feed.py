"""The hub's change feed: ``GET /api/v1/feed?after=SEQ&limit=100``, pages signed by this hub.

A page lists the events after ``after`` (at most ``limit``, up to :data:`MAX_LIMIT`) as DCAT
dataset entries (``items``), ``tombstones`` of withdrawn items and ``revoked`` certificates
(each with its ``credential`` id),
with the ``cursor`` to ask from next and ``next`` (a URL, or null at the end). Every term is
mapped to DCAT-AP 3 / Dublin Core / SPDX / ODRL in the page's ``@context``. The page is signed
with ``eddsa-jcs-2022`` by the hub's key (:mod:`.identity`); ``hub`` names that key's DID.

What a page never holds:

- anything but public items;
- mirrors of other hubs' items (a hub re-publishes none of what it mirrors: a peer of a peer
  learns an item from its origin, under the origin's key, or not at all);
- an item whose usage policy forbids re-publication: a policy limited to some recipient
  countries or regions, or one needing an access request (``on_request``), keeps the item out of
  every feed. An item with an open policy carries it as ODRL in ``policy``. (Read from
  ``puhui.hub.sharing``'s ``ItemPolicy`` when that app is installed; a policy that cannot be
  read keeps the item out.)

Events filtered out still move the cursor, so a peer never asks for them again.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from puhui.certify import dataintegrity as di
from puhui.hub.catalog.models import Item
from puhui.hub.federation.identity import hub_key
from puhui.hub.federation.models import FeedEvent

MAX_LIMIT = 100
#: On PostgreSQL two transactions may commit out of ``seq`` order: an event younger than this
#: is served on a later request, so a cursor never skips one still committing. (SQLite runs one
#: writer at a time.)
SETTLE = timedelta(seconds=2)
CONTEXT: dict[str, Any] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "spdx": "http://spdx.org/rdf/terms#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "puhui": "https://puhui.org/ns/federation#",
    "type": "@type",
    "hub": {"@id": "dct:publisher", "@type": "@id"},
    "items": "dcat:dataset",
    "urn": "dct:identifier",
    "kind": "dct:type",
    "title": "dct:title",
    "description": "dct:description",
    "languages": "dct:language",
    "version": "dcat:version",
    "files": "dcat:distribution",
    "path": "puhui:path",
    "url": {"@id": "dcat:downloadURL", "@type": "@id"},
    "bytes": "dcat:byteSize",
    "media_type": "dcat:mediaType",
    "sha256": "spdx:checksumValue",
    "content_sha256": "puhui:contentSha256",
    "policy": "odrl:hasPolicy",
    "at": "dct:modified",
    "seq": "puhui:seq",
    "tombstones": "puhui:withdrawn",
    "revoked": "puhui:revoked",
    "credential": "puhui:credentialId",
    "cursor": "puhui:cursor",
    "next": {"@id": "hydra:next", "@type": "@id"},
}


def policy_of(item: Item) -> tuple[bool, dict[str, Any] | None]:
    """(may the item be re-published, its ODRL policy if it has one)."""
    try:
        model = apps.get_model("sharing", "ItemPolicy")
    except LookupError:
        return True, None  # no policies on this hub yet
    try:
        row = model.objects.filter(item=item).first()
    except Exception:  # an ItemPolicy of another shape than expected: keep the item out
        return False, None
    if row is None:
        return True, None
    doc = next(
        (
            getattr(row, a)
            for a in ("odrl", "document", "policy")
            if isinstance(getattr(row, a, None), dict)
        ),
        None,
    )
    if doc is None:
        return False, None
    from puhui.errors import PuhuiError
    from puhui.sharing.policy import from_odrl

    try:
        policy = from_odrl(doc, item.urn)
    except PuhuiError:
        return False, None
    return not (policy.recipients or policy.on_request), doc


def _entry(request: HttpRequest, item: Item, seq: int, at: str) -> dict[str, Any] | None:
    if item.visibility != "public" or hasattr(item, "mirror"):
        return None
    allowed, policy = policy_of(item)
    if not allowed:
        return None
    files = []
    for f in item.files.all():
        url = request.build_absolute_uri(reverse("api:file", kwargs={"sha256": f.sha256}))
        files.append(
            {
                "path": f.path,
                "sha256": f.sha256,
                "bytes": f.size,
                "media_type": f.media_type,
                "url": f"{url}?name={f.path.rsplit('/', 1)[-1]}",
            }
        )
    entry: dict[str, Any] = {
        "seq": seq,
        "at": at,
        "urn": item.urn,
        "kind": item.kind,
        "org": item.org.slug,
        "name": item.name,
        "version": item.version,
        "title": item.title,
        "description": item.description,
        "languages": list(item.languages),
        "content_sha256": item.content_sha256,
        "files": files,
    }
    if policy is not None:
        entry["policy"] = policy
    return entry


def page(request: HttpRequest, after: int, limit: int) -> dict[str, Any]:
    """The unsigned page of events after ``after``."""
    events = FeedEvent.objects.filter(seq__gt=after)
    if connection.vendor != "sqlite":
        events = events.filter(at__lte=timezone.now() - SETTLE)
    rows = list(events.order_by("seq")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    urns = {e.urn for e in rows if e.kind in ("item", "revoked")}
    by_urn = {
        i.urn: i
        for i in Item.objects.filter(urn__in=urns)
        .select_related("org", "mirror")
        .prefetch_related("files")
    }
    items, tombstones, revoked = [], [], []
    for e in rows:
        at = di.format_datetime(e.at)
        item = by_urn.get(e.urn)
        if e.kind == "item" and item is not None:
            entry = _entry(request, item, e.seq, at)
            if entry is not None:
                items.append(entry)
        elif e.kind == "withdrawn":
            tombstones.append({"seq": e.seq, "urn": e.urn, "at": at})
        elif e.kind == "revoked" and item is not None and _entry(request, item, e.seq, at):
            gone = {"seq": e.seq, "urn": e.urn, "at": at}
            if isinstance(e.payload.get("credential"), str):
                gone["credential"] = e.payload["credential"]
            revoked.append(gone)
    cursor = rows[-1].seq if rows else after
    base = request.build_absolute_uri(request.path)
    return {
        "@context": CONTEXT,
        "type": "puhui:FeedPage",
        "hub": hub_key().did,
        "items": items,
        "tombstones": tombstones,
        "revoked": revoked,
        "cursor": cursor,
        "next": f"{base}?after={cursor}&limit={limit}" if more else None,
    }


def _int(value: str | None, default: int, low: int, high: int) -> int | None:
    if value is None or value == "":
        return default
    if not value.isdigit() or len(value) > 18:
        return None
    n = int(value)
    return n if low <= n <= high else None


@require_GET
def feed_view(request: HttpRequest) -> HttpResponse:
    after = _int(request.GET.get("after"), 0, 0, 2**62)
    limit = _int(request.GET.get("limit"), MAX_LIMIT, 1, MAX_LIMIT)
    if after is None or limit is None:
        return JsonResponse(
            {"detail": _("after must be a whole number ≥ 0 and limit one from 1 to 100")},
            status=400,
        )
    pair = hub_key()
    signed = di.sign(page(request, after, limit), pair.private_key, pair.verification_method)
    body = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body.encode("utf-8"), content_type="application/ld+json")
