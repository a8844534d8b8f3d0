"""Sharing pages (no JavaScript): an item's policy editor (its organization's admins and
members), the access-request form, "my requests" with the owner's Grant/Deny/Revoke forms, and
the item's audit log (its organization's admins only). What a caller may not see is 404."""

from __future__ import annotations

import contextlib

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puhui.errors import PuhuiError
from puhui.hub.catalog.access import Caller, acts_in, caller_from_session, visible_items
from puhui.hub.catalog.models import Item, Organization
from puhui.sharing.policy import describe, preset
from puhui.sharing.types import PRESETS, PURPOSES

from . import machine, service
from .models import AccessRequest, AuditEvent


def _item(caller: Caller, pk: int) -> Item:
    item = visible_items(caller).select_related("org").filter(pk=pk).first()
    if item is None:
        raise Http404(_("no such item"))
    return item


@login_required
def policy_page(request: HttpRequest, pk: int) -> HttpResponse:
    caller = caller_from_session(request)
    item = _item(caller, pk)
    if not service.may_set_policy(caller, item):
        raise Http404(_("no such item"))
    error = ""
    recipients = ""
    current = service.policy_of(item)
    if request.method == "POST":
        name = request.POST.get("preset", "")
        recipients = request.POST.get("recipients", "")[:500]
        places = [p.strip().upper() for p in recipients.replace(";", ",").split(",") if p.strip()]
        try:
            if name not in PRESETS:
                raise PuhuiError(_("choose a preset"))
            policy = preset(
                name, uid=f"urn:puhui:policy:{item.urn}", assigner=item.org.slug, recipients=places
            )
            service.store_policy(caller, item, policy)
        except PuhuiError as e:
            error = str(e).splitlines()[0]
        else:
            return redirect(reverse("sharing:policy", args=[item.pk]))
    return render(
        request,
        "sharing/policy.html",
        {
            "item": item,
            "presets": PRESETS,
            "current": current,
            "terms": describe(current) if current else [],
            "odrl": service.odrl_of(item),
            "recipients": recipients or (", ".join(sorted(current.recipients)) if current else ""),
            "error": error,
        },
    )


@login_required
def request_page(request: HttpRequest, pk: int) -> HttpResponse:
    caller = caller_from_session(request)
    item = _item(caller, pk)
    error = ""
    form = {"purpose": "research", "country": "", "statement": "", "org": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "")[:1200] for k in form}
        org = None
        if form["org"]:
            org = Organization.objects.filter(slug=form["org"]).first()
        try:
            service.request_access(
                caller, item, purpose=form["purpose"], country=form["country"],
                statement=form["statement"], org=org,
            )  # fmt: skip
        except service.SharingError as e:
            error = e.message
        else:
            return redirect(reverse("sharing:requests"))
    policy = service.policy_of(item)
    orgs = Organization.objects.filter(memberships__user=request.user).order_by("slug")
    return render(
        request,
        "sharing/request.html",
        {
            "item": item,
            "terms": describe(policy) if policy else [],
            "purposes": PURPOSES,
            "form": form,
            "orgs": orgs,
            "error": error,
            "open": service.open_request(caller, item),
            "role": service.role_of(caller, item, None),
        },
    )


def _rows(caller: Caller, reqs: list[AccessRequest]) -> list[dict[str, object]]:
    rows = []
    for r in reqs:
        state = r.effective_state()
        rows.append(
            {"r": r, "state": state,
             "actions": machine.allowed(state, service.role_of(caller, r.item, r))}
        )  # fmt: skip
    return rows


@login_required
def requests_page(request: HttpRequest) -> HttpResponse:
    caller = caller_from_session(request)
    mine = list(
        AccessRequest.objects.filter(requester=request.user)
        .select_related("item__org")
        .order_by("-created")[:200]
    )
    admin_orgs = caller.memberships(("admin",)).values("org_id")
    owned = list(
        AccessRequest.objects.filter(item__org_id__in=admin_orgs)
        .select_related("item__org", "requester", "requester_org")
        .order_by("-created")[:200]
    )
    return render(
        request,
        "sharing/requests.html",
        {
            "mine": _rows(caller, mine),
            "owned": _rows(caller, owned),
            "default_days": service.DEFAULT_GRANT_DAYS,
            "error": request.GET.get("error", "")[:300],
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, rid: int, action: str) -> HttpResponse:
    caller = caller_from_session(request)
    req = AccessRequest.objects.select_related("item__org").filter(pk=rid).first()
    if req is None or action not in machine.ACTIONS or action == "request":
        raise Http404(_("no such request"))
    if service.role_of(caller, req.item, req) == "other":
        raise Http404(_("no such request"))
    days = None
    with contextlib.suppress(ValueError):
        days = int(request.POST.get("days", "") or service.DEFAULT_GRANT_DAYS)
    try:
        service.decide(
            caller, req, action,
            reason=request.POST.get("reason", "")[:1200],
            conditions=request.POST.get("conditions", "")[:8000].splitlines(),
            days=days if days is not None else 0,
        )  # fmt: skip
    except service.SharingError as e:
        return render(
            request, "sharing/requests.html", {"error": e.message, "mine": [], "owned": []},
            status=e.status,
        )  # fmt: skip
    return redirect(reverse("sharing:requests"))


@login_required
def audit_page(request: HttpRequest, pk: int) -> HttpResponse:
    caller = caller_from_session(request)
    item = _item(caller, pk)
    if not acts_in(caller, item.org, ("admin",)):
        raise Http404(_("no such item"))
    events = list(
        AuditEvent.objects.filter(item=item).select_related("request").order_by("at", "id")[:2000]
    )
    return render(request, "sharing/audit.html", {"item": item, "events": events})
