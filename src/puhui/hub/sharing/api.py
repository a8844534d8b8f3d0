"""The sharing part of the JSON API (a router mounted on the catalog's ``/api/v1``):

- ``GET /items/{id}/policy``: the item's ODRL policy (404 when it has none);
- ``PUT /items/{id}/policy``: set it (ODRL JSON body; a publish token of an admin or member
  of the item's organization);
- ``POST /items/{id}/requests``: ask for access (purpose, country, statement);
- ``POST /requests/{id}/{action}``: withdraw, grant (conditions, days), deny or revoke (reason).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from puhui.hub.catalog.api import Error, caller_of, get_visible
from puhui.hub.catalog.models import Organization

from . import service
from .models import MAX_STATEMENT, AccessRequest

router = Router(tags=["sharing"])


class RequestIn(Schema):
    purpose: str
    country: str = Field(max_length=2)
    statement: str = Field(max_length=MAX_STATEMENT)
    org: str = ""


class DecisionIn(Schema):
    reason: str = Field("", max_length=MAX_STATEMENT)
    conditions: list[str] = Field(default_factory=list, max_length=20)
    days: int | None = None


class RequestOut(Schema):
    id: int
    item_id: int
    requester: str
    purpose: str
    country: str
    state: str
    reason: str
    conditions: list[str]
    expires: str | None


def request_out(req: AccessRequest) -> dict[str, Any]:
    return {
        "id": req.pk,
        "item_id": req.item_id,
        "requester": req.requester.username,
        "purpose": req.purpose,
        "country": req.country,
        "state": req.effective_state(),
        "reason": req.reason,
        "conditions": list(req.conditions),
        "expires": req.expires.isoformat() if req.expires else None,
    }


def _need_token(request: HttpRequest) -> None:
    if not request.headers.get("Authorization"):
        raise HttpError(401, _("this needs an API token (puhui hub token new --scope publish)"))


def _fail(e: service.SharingError) -> HttpError:
    return HttpError(e.status, e.message)


@router.get(
    "/items/{item_id}/policy",
    response={200: dict[str, Any], 401: Error, 404: Error},
    summary="An item's usage policy (ODRL 2.2 JSON-LD)",
)
def get_policy(request: HttpRequest, item_id: int) -> dict[str, Any]:
    item = get_visible(caller_of(request), item_id)
    doc = service.odrl_of(item)
    if doc is None:
        raise HttpError(404, _("this item has no usage policy; its visibility alone decides"))
    return doc


@router.put(
    "/items/{item_id}/policy",
    response={200: dict[str, Any], 400: Error, 401: Error, 403: Error, 404: Error},
    summary="Set an item's usage policy (ODRL 2.2 JSON-LD)",
)
def put_policy(request: HttpRequest, item_id: int, policy: Body[dict[str, Any]]) -> dict[str, Any]:
    _need_token(request)
    caller = caller_of(request)
    item = get_visible(caller, item_id)
    try:
        service.set_policy(caller, item, policy)
    except service.SharingError as e:
        raise _fail(e) from None
    return service.odrl_of(item) or {}


@router.post(
    "/items/{item_id}/requests",
    response={201: RequestOut, 400: Error, 401: Error, 403: Error, 404: Error, 409: Error},
    summary="Ask the item's owner for access",
)
def post_request(
    request: HttpRequest, item_id: int, body: Body[RequestIn]
) -> tuple[int, dict[str, Any]]:
    _need_token(request)
    caller = caller_of(request)
    item = get_visible(caller, item_id)
    org = None
    if body.org:
        org = Organization.objects.filter(slug=body.org).first()
        if org is None:
            raise HttpError(400, _("organization: no such organization"))
    try:
        req = service.request_access(
            caller, item, purpose=body.purpose, country=body.country,
            statement=body.statement, org=org,
        )  # fmt: skip
    except service.SharingError as e:
        raise _fail(e) from None
    return 201, request_out(req)


@router.post(
    "/requests/{request_id}/{action}",
    response={200: RequestOut, 400: Error, 401: Error, 403: Error, 404: Error},
    summary="Withdraw, grant, deny or revoke an access request",
)
def post_decision(
    request: HttpRequest, request_id: int, action: str, body: Body[DecisionIn]
) -> dict[str, Any]:
    _need_token(request)
    caller = caller_of(request)
    req = (
        AccessRequest.objects.select_related("item__org", "requester").filter(pk=request_id).first()
    )
    if req is None or action not in ("withdraw", "grant", "deny", "revoke"):
        raise HttpError(404, _("no such request"))
    get_visible(caller, req.item_id)
    if service.role_of(caller, req.item, req) == "other":
        raise HttpError(404, _("no such request"))
    try:
        req = service.decide(
            caller, req, action, reason=body.reason, conditions=body.conditions, days=body.days
        )
    except service.SharingError as e:
        raise _fail(e) from None
    return request_out(req)
