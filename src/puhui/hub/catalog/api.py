"""The hub's JSON API under ``/api/v1`` (django-ninja); OpenAPI at ``/api/v1/openapi.json``.

Callers are anonymous, signed in (session cookie, read only) or send ``Authorization: Bearer
TOKEN`` (``puhui hub token new``). Every answer is filtered by :mod:`.access`; what a caller may
not see is 404. Files are served by sha256 with HTTP Range support. ``catalog.jsonld`` is a DCAT-AP
3 catalog of the public items only.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Body, File, Form, NinjaAPI, P, PathEx, QueryEx, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.parser import Parser
from pydantic import Field

from puhui._version import __version__
from puhui.certify import limits
from puhui.hub.catalog import dcat, issuers, storage
from puhui.hub.catalog.access import (
    Caller,
    caller_from_session,
    caller_from_token,
    can_download,
    visible_items,
)
from puhui.hub.catalog.models import KIND_ALIASES, Item, ItemFile, StatusList, TrustedIssuer
from puhui.hub.catalog.publish import PublishError, publish
from puhui.hub.catalog.search import search
from puhui.hub.catalog.verifying import verify as verify_credential
from puhui.hub.sharing import gate as sharing_gate
from puhui.hub.sharing.service import odrl_of


class BodyRefused(ValueError):
    """A JSON request body over its limits or not JSON; the message is one line."""


class BoundedParser(Parser):
    """JSON bodies within :mod:`puhui.certify.limits`: nesting is checked by a linear scan
    before parsing, so a deeply nested body is a 400 with its reason, never a RecursionError."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data: dict[str, Any] = limits.loads(
                request.body,
                _("the request body"),
                max_bytes=limits.MAX_STATUS_LIST_BYTES + 16 * 1024,
            )
        except limits.LimitError as e:
            raise BodyRefused(str(e)) from None
        return data


api = NinjaAPI(
    title="Puhui hub",
    version="1",
    description=(
        "Publish, find and verify Puhui artifacts: corpora, runs, assessments, certificates."
    ),
    docs_url=None,  # the interactive docs load scripts from a CDN; the spec is enough
    urls_namespace="api",
    parser=BoundedParser(),
)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's answer to an HttpError, but a refused body says why (ninja wraps a parser's
    exception into a bare "Cannot parse request body")."""
    cause = exc.__cause__
    detail = str(cause) if isinstance(cause, BodyRefused) else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


class Error(Schema):
    detail: str


class FileOut(Schema):
    path: str
    sha256: str
    size: int
    media_type: str
    url: str


class LinkOut(Schema):
    relation: str
    item_id: int | None
    urn: str | None
    kind: str
    label: str


class ItemOut(Schema):
    id: int
    urn: str
    kind: str
    name: str
    version: str
    title: str
    description: str
    visibility: str
    org: str
    languages: list[str]
    sector: str
    countries: list[str]
    risk_areas: list[str]
    content_sha256: str
    manifest_id: str
    size: int
    created: datetime
    url: str


class ItemDetail(ItemOut):
    metadata: dict[str, Any]
    files: list[FileOut]
    derived_from: list[LinkOut]
    used_by: list[LinkOut]


class FacetValue(Schema):
    value: str
    count: int


class SearchOut(Schema):
    total: int
    capped: bool = Field(
        description="True when more items match than the newest `total` a search looks at"
    )
    page: int
    pages: int
    items: list[ItemOut]
    facets: dict[str, list[FacetValue]]


class CheckOut(Schema):
    name: str
    ok: bool | None
    reason: str


class VerifyOut(Schema):
    valid: bool = Field(description="True exactly when status is valid.")
    status: str = Field(
        description=(
            "valid; issuer_not_trusted (signature valid, but no organization here registered "
            "the key); revoked; revocation_not_checked (trusted issuer, no status list held); "
            "invalid (see the failed checks)."
        )
    )
    status_label: str
    checks: list[CheckOut]
    summary: dict[str, Any]
    assessment: str | None = Field(None, description="URN of the certified assessment, if held.")
    issuer_org: str | None = Field(
        None, description="The organization that registered the issuer's key, if trusted."
    )


class StatusListOut(Schema):
    id: str
    issuer: str
    valid_from: datetime
    updated: datetime


class IssuerOut(Schema):
    did: str
    org: str
    name: str
    added_by: str | None
    added: datetime
    status_lists: list[StatusListOut]


class IssuerIn(Schema):
    did: str = Field(max_length=200, description="did:key:z6Mk… (the key's public half)")
    org: str = Field("", max_length=64, description="Needed if you administer several.")
    name: str = Field("", max_length=200)
    status_list: dict[str, Any] | None = Field(
        None, description="The key's signed BitstringStatusListCredential (status-list.json)."
    )


class StatusListAccepted(StatusListOut):
    changed: bool = Field(description="False when the hub already held this very list.")


def caller_of(request: HttpRequest) -> Caller:
    """The caller behind a request: a bearer token if one is sent, else the session."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HttpError(401, _("send the token as 'Authorization: Bearer TOKEN'"))
        caller = caller_from_token(token.strip())
        if caller is None:
            raise HttpError(401, _("the token is unknown, expired or revoked"))
        return caller
    return caller_from_session(request)


def page_url(request: HttpRequest, item: Item) -> str:
    with translation.override("en"):
        return request.build_absolute_uri(reverse("catalog:item", args=[item.pk]))


def file_url(request: HttpRequest, f: ItemFile) -> str:
    path = reverse("api:file", kwargs={"sha256": f.sha256})
    return request.build_absolute_uri(path) + "?name=" + f.path.rsplit("/", 1)[-1]


def item_out(request: HttpRequest, item: Item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "urn": item.urn,
        "kind": item.kind,
        "name": item.name,
        "version": item.version,
        "title": item.title,
        "description": item.description,
        "visibility": item.visibility,
        "org": item.org.slug,
        "languages": item.languages,
        "sector": item.sector,
        "countries": item.countries,
        "risk_areas": item.risk_areas,
        "content_sha256": item.content_sha256,
        "manifest_id": item.manifest_id,
        "size": item.size,
        "created": item.created,
        "url": page_url(request, item),
    }


def links(item: Item, caller: Caller) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Lineage both ways, naming only the linked items the caller may see."""
    outgoing = list(item.lineage_out.select_related("to_item"))
    incoming = list(item.lineage_in.select_related("from_item"))
    ids = {ln.to_item_id for ln in outgoing if ln.to_item_id} | {ln.from_item_id for ln in incoming}
    visible = set(visible_items(caller).filter(pk__in=ids).values_list("pk", flat=True))
    out = []
    for ln in outgoing:
        target = ln.to_item if ln.to_item_id in visible else None
        out.append(
            {
                "relation": ln.relation,
                "item_id": target.pk if target else None,
                "urn": target.urn if target else None,
                "kind": ln.target_kind or (target.kind if target else ""),
                "label": (target.title if target else "") or ln.target_label,
            }
        )
    used = [
        {
            "relation": ln.relation,
            "item_id": ln.from_item.pk,
            "urn": ln.from_item.urn,
            "kind": ln.from_item.kind,
            "label": ln.from_item.title,
        }
        for ln in incoming
        if ln.from_item_id in visible
    ]
    return out, used


def get_visible(caller: Caller, item_id: int) -> Item:
    item = visible_items(caller).select_related("org").filter(pk=item_id).first()
    if item is None:
        raise HttpError(404, _("no such item"))
    return item


@api.get("/items", response={200: SearchOut, 401: Error}, summary="Search the catalog")
def list_items(
    request: HttpRequest,
    q: QueryEx[str, P(max_length=500, description="Words, each matched as a word prefix.")] = "",
    kind: QueryEx[
        list[str] | None,
        P(description="corpus, model, suite, run, assessment, certificate (dataset: corpus)"),
    ] = None,
    language: QueryEx[list[str] | None, P(description="BCP-47 tags")] = None,
    sector: QueryEx[list[str] | None, P()] = None,
    country: QueryEx[list[str] | None, P(description="ISO 3166 codes")] = None,
    risk_area: QueryEx[list[str] | None, P()] = None,
    page: QueryEx[int, P(ge=1, le=100_000)] = 1,
    per_page: QueryEx[int, P(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    caller = caller_of(request)
    facets = {
        "kind": [KIND_ALIASES.get(k, k) for k in kind or []],
        "language": language or [],
        "sector": sector or [],
        "country": country or [],
        "risk_area": risk_area or [],
    }
    res = search(q, facets, caller, page=page, per_page=per_page)
    return {
        "total": res.total,
        "capped": res.capped,
        "page": res.page,
        "pages": res.pages,
        "items": [item_out(request, i) for i in res.items],
        "facets": {
            f: [{"value": v, "count": n} for v, n in values] for f, values in res.facets.items()
        },
    }


@api.get("/items/{item_id}", response={200: ItemDetail, 401: Error, 404: Error}, summary="One item")
def get_item(request: HttpRequest, item_id: int) -> dict[str, Any]:
    caller = caller_of(request)
    item = get_visible(caller, item_id)
    out, used = links(item, caller)
    return {
        **item_out(request, item),
        "metadata": item.metadata,
        "files": [
            {
                "path": f.path,
                "sha256": f.sha256,
                "size": f.size,
                "media_type": f.media_type,
                "url": file_url(request, f),
            }
            for f in item.files.all()
        ],
        "derived_from": out,
        "used_by": used,
    }


@api.get(
    "/items/{item_id}/croissant",
    response={200: dict[str, Any], 401: Error, 404: Error},
    summary="Croissant JSON-LD of a corpus",
)
def get_croissant(request: HttpRequest, item_id: int) -> HttpResponse:
    caller = caller_of(request)
    item = get_visible(caller, item_id)
    f = item.files.filter(path="croissant.json").first()
    if item.kind != "corpus" or f is None or not storage.has(f.sha256):
        raise HttpError(404, _("this item has no Croissant description"))
    raw = storage.read_bytes(f.sha256)
    policy = odrl_of(item)
    if policy is not None:  # the usage policy travels in Croissant too, as in DCAT
        raw = _with_policy(raw, policy)
    return HttpResponse(raw, content_type="application/ld+json")


#: The largest croissant.json the policy is added to (bigger ones are served as stored).
MAX_CROISSANT_BYTES = 16 * 1024 * 1024


def _with_policy(raw: bytes, policy: dict[str, Any]) -> bytes:
    """``raw`` Croissant JSON-LD with ``odrl:hasPolicy`` (and the ``odrl`` prefix in its
    ``@context``); unchanged when it is not a JSON object within the limits."""
    try:
        doc = limits.loads(raw, "croissant.json", max_bytes=MAX_CROISSANT_BYTES)
    except limits.LimitError:
        return raw
    if not isinstance(doc, dict):
        return raw
    ctx = doc.get("@context")
    odrl_ns = "http://www.w3.org/ns/odrl/2/"
    if isinstance(ctx, dict):
        ctx.setdefault("odrl", odrl_ns)
    else:
        doc["@context"] = [
            *(ctx if isinstance(ctx, list) else [ctx] if ctx else []),
            {"odrl": odrl_ns},
        ]
    doc["odrl:hasPolicy"] = policy
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


@api.post(
    "/items",
    response={
        200: ItemOut,
        201: ItemOut,
        400: Error,
        401: Error,
        403: Error,
        409: Error,
        413: Error,
    },
    summary="Publish an artifact (its manifest.json and files) or a certificate",
)
def publish_item(
    request: HttpRequest,
    files: File[list[UploadedFile]],
    manifest: File[UploadedFile | None] = None,
    org: Form[str] = "",
    visibility: Form[str] = "public",
    name: Form[str] = "",
    version: Form[str] = "",
) -> tuple[int, dict[str, Any]]:
    if not request.headers.get("Authorization"):
        raise HttpError(401, _("publishing needs an API token (puhui hub token new)"))
    caller = caller_of(request)
    if not caller.can_publish_scope:
        raise HttpError(403, _("this token may only read; make one with --scope publish"))
    for f in files:
        f.seek(0)
    raw = manifest.read() if manifest is not None else None
    try:
        item, created = publish(
            caller,
            files=files,
            manifest_raw=raw,
            org_slug=org.strip(),
            visibility=visibility.strip(),
            name=name.strip(),
            version=version.strip(),
        )
    except PublishError as e:
        raise HttpError(e.status, e.message) from None
    return (201 if created else 200), item_out(request, item)


@api.get(
    "/files/{sha256}",
    response={200: None, 206: None, 401: Error, 404: Error, 416: Error},
    url_name="file",
    summary="Download a file by sha256 (HTTP Range supported)",
)
def get_file(
    request: HttpRequest,
    sha256: str,
    name: QueryEx[str, P(max_length=255, description="File name to suggest.")] = "",
) -> HttpResponse:
    caller = caller_of(request)
    if not storage.SHA256_RE.match(sha256) or not can_download(caller, sha256):
        raise HttpError(404, _("no such file"))
    if refusal := sharing_gate.refuse_file(caller, sha256, name):
        raise HttpError(403, refusal)
    if not storage.has(sha256) and not storage.fetch_missing(sha256):
        raise HttpError(404, _("the file is listed but missing from the store"))
    row = ItemFile.objects.filter(sha256=sha256).first()
    media = row.media_type if row else "application/octet-stream"
    size = storage.blob_path(sha256).stat().st_size
    rng = storage.parse_range(request.headers.get("Range", ""), size)
    if rng == "unsatisfiable":
        resp = JsonResponse({"detail": _("range not satisfiable")}, status=416)
        resp["Content-Range"] = f"bytes */{size}"
        return resp
    if isinstance(rng, tuple):
        start, end = rng
        resp = StreamingHttpResponse(storage.iter_range(sha256, start, end), status=206)
        resp["Content-Range"] = f"bytes {start}-{end}/{size}"
        resp["Content-Length"] = str(end - start + 1)
    else:
        resp = StreamingHttpResponse(storage.iter_range(sha256, 0, size - 1))
        resp["Content-Length"] = str(size)
    resp["Content-Type"] = media
    resp["Accept-Ranges"] = "bytes"
    resp["ETag"] = f'"{sha256}"'
    resp["Cache-Control"] = "private, max-age=86400"
    # An uploaded HTML report must not run script in the hub's origin.
    resp["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    )
    safe = "".join(c for c in name if c.isalnum() or c in "._-")[:100]
    if safe:
        resp["Content-Disposition"] = f'inline; filename="{safe}"'
    return resp


@api.post(
    "/verify",
    response={200: VerifyOut, 400: Error, 401: Error, 413: Error},
    summary="Verify a certificate (W3C VC 2.0), offline on the server",
)
def verify(request: HttpRequest, credential: Body[dict[str, Any]]) -> dict[str, Any]:
    caller = caller_of(request)
    try:
        outcome = verify_credential(credential, caller)
    except (TypeError, ValueError, AttributeError, KeyError) as e:
        raise HttpError(400, _("not a certificate: {why}").format(why=e)) from None
    d = outcome.result.to_dict()
    return {
        "valid": outcome.valid,
        "status": outcome.status,
        "status_label": outcome.label,
        "checks": d["checks"],
        "summary": {k: v for k, v in d.items() if k not in ("valid", "checks")},
        "assessment": outcome.assessment.urn if outcome.assessment else None,
        "issuer_org": outcome.issuer.org.slug if outcome.issuer else None,
    }


def list_out(row: StatusList, did: str) -> dict[str, Any]:
    return {"id": row.list_id, "issuer": did, "valid_from": row.valid_from, "updated": row.updated}


def issuer_out(issuer: TrustedIssuer) -> dict[str, Any]:
    return {
        "did": issuer.did,
        "org": issuer.org.slug,
        "name": issuer.name,
        "added_by": issuer.added_by.get_username() if issuer.added_by else None,
        "added": issuer.added,
        "status_lists": [list_out(r, issuer.did) for r in issuer.lists.order_by("list_id")],
    }


@api.get(
    "/issuers",
    response={200: list[IssuerOut], 401: Error},
    summary="The trusted issuers: keys organizations registered as their own",
)
def list_issuers(
    request: HttpRequest, org: QueryEx[str, P(max_length=64, description="One organization.")] = ""
) -> list[dict[str, Any]]:
    caller_of(request)  # a bad token is refused, even here
    rows = TrustedIssuer.objects.select_related("org", "added_by").prefetch_related("lists")
    if org:
        rows = rows.filter(org__slug=org)
    return [issuer_out(i) for i in rows[:1000]]


@api.post(
    "/issuers",
    response={200: IssuerOut, 201: IssuerOut, 400: Error, 401: Error, 403: Error, 409: Error,
              413: Error},
    summary="Register a key as a trusted issuer of your organization (its admins only)",
)  # fmt: skip
def add_issuer(request: HttpRequest, body: Body[IssuerIn]) -> tuple[int, dict[str, Any]]:
    if not request.headers.get("Authorization"):
        raise HttpError(401, _("registering an issuer needs an API token (puhui hub token new)"))
    caller = caller_of(request)
    try:
        issuer, created = issuers.register(
            caller,
            body.did,
            org_slug=body.org.strip(),
            name=body.name.strip(),
            status_list=body.status_list,
        )
    except issuers.IssuerError as e:
        raise HttpError(e.status, e.message) from None
    return (201 if created else 200), issuer_out(issuer)


@api.delete(
    "/issuers/{did}",
    response={204: None, 400: Error, 401: Error, 404: Error},
    summary="Remove a trusted issuer (an admin of its organization)",
)
def remove_issuer(request: HttpRequest, did: PathEx[str, P(max_length=200)]) -> tuple[int, None]:
    if not request.headers.get("Authorization"):
        raise HttpError(401, _("removing an issuer needs an API token (puhui hub token new)"))
    try:
        issuers.remove(caller_of(request), did)
    except issuers.IssuerError as e:
        raise HttpError(e.status, e.message) from None
    return 204, None


@api.post(
    "/status-lists",
    response={200: StatusListAccepted, 400: Error, 401: Error, 403: Error, 409: Error,
              413: Error},
    summary="Send a trusted issuer's signed revocation list (anyone may; it must verify)",
)  # fmt: skip
def send_status_list(request: HttpRequest, status_list: Body[dict[str, Any]]) -> dict[str, Any]:
    caller_of(request)  # a bad token is refused; no token is needed
    try:
        accepted = issuers.accept_status_list(status_list)
    except issuers.IssuerError as e:
        raise HttpError(e.status, e.message) from None
    did = accepted.row.issuer.did
    return {**list_out(accepted.row, did), "changed": accepted.changed}


@api.get(
    "/catalog.jsonld",
    response={200: dict[str, Any]},
    url_name="catalog",
    summary="DCAT-AP 3 catalog (JSON-LD) of the public items",
)
def catalog(request: HttpRequest, page: QueryEx[int, P(ge=1, le=100_000)] = 1) -> HttpResponse:
    doc = dcat.catalog(request, page=page)
    return HttpResponse(
        json.dumps(doc, ensure_ascii=False, default=str), content_type="application/ld+json"
    )


@api.get("/version", response={200: dict[str, str]}, summary="Hub software version")
def version(request: HttpRequest) -> dict[str, str]:
    return {"puhui": __version__, "api": "1"}
