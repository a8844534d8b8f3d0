"""The rating part of the JSON API (a router mounted on the catalog's ``/api/v1``):

- ``POST /rating/tasks`` ``{"org": SLUG, "task": <task.json>}``: keep a rating task (201; the
  same task again 200; another task under the same id 409). A publish token of an admin or
  member of the organization. The body (at most 20 MB) is read here, in bounded chunks.
- ``POST /rating/tasks/{id}/invites`` ``{"languages": [...], "days": 14}``: a single-use join
  link for raters.
- ``GET /rating/tasks/{id}/labels``: every label, raters named by a stable pseudonym.
- ``GET /rating/tasks/{id}/stats``: agreement and rater quality (:func:`task_stats`).

A task the caller may not manage is 404, so its existence does not leak.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Body, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from puhui.hub.catalog.access import Caller, acts_in
from puhui.hub.catalog.api import Error, caller_of
from puhui.hub.catalog.middleware import RATING_TASK_BYTES, too_large
from puhui.hub.rating import service
from puhui.hub.rating.models import Task

router = Router(tags=["rating"])
CHUNK = 64 * 1024


class TaskOut(Schema):
    id: str
    url: str = Field(description="The task's page on the hub.")
    items: int
    created: bool


class InviteIn(Schema):
    languages: list[str] = Field(min_length=1, max_length=50)
    days: int = Field(14, ge=1, le=service.MAX_INVITE_DAYS)


class InviteOut(Schema):
    url: str = Field(description="The join link: give it to one rater; it works once.")
    expires: str
    languages: list[str]


class LabelOut(Schema):
    item: str
    rater: str = Field(description="A pseudonym, stable within the task.")
    question: str
    value: str
    at: str


class LabelsOut(Schema):
    task: str
    labels: list[LabelOut]


def _absolute(request: HttpRequest, name: str, *args: str) -> str:
    with translation.override("en"):  # no language prefix: the link follows the reader's
        return request.build_absolute_uri(reverse(name, args=args))


def _read_body(request: HttpRequest) -> bytes:
    """The request body, read in chunks and refused (413) as soon as it passes the limit."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    what = _("a rating task")
    if declared > RATING_TASK_BYTES:
        raise HttpError(413, too_large(declared, RATING_TASK_BYTES, what))
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = request.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > RATING_TASK_BYTES:
            raise HttpError(413, too_large(size, RATING_TASK_BYTES, what))
        parts.append(chunk)
    return b"".join(parts)


def _need_token(request: HttpRequest) -> Caller:
    if not request.headers.get("Authorization"):
        raise HttpError(401, _("this needs an API token (puhui hub token new --scope publish)"))
    return caller_of(request)


def _task(caller: Caller, task_id: str, *, write: bool) -> Task:
    row = Task.objects.select_related("org").filter(task_id=task_id[:40]).first()
    allowed = row is not None and (
        acts_in(caller, row.org, service.MANAGERS) if write else service.may_read(caller, row.org)
    )
    if row is None or not allowed:
        raise HttpError(404, _("no such rating task"))
    return row


def _fail(e: service.RatingError) -> HttpError:
    return HttpError(e.status, e.message)


_TASK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["org", "task"],
                    "properties": {
                        "org": {"type": "string", "maxLength": 64},
                        "task": {
                            "type": "object",
                            "description": "task.json made by `puhui rate new`",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/rating/tasks",
    response={200: TaskOut, 201: TaskOut, 400: Error, 401: Error, 403: Error, 409: Error,
              413: Error},
    summary="Add a rating task (task.json of `puhui rate new`) to an organization",
    openapi_extra=_TASK_BODY,
)  # fmt: skip
def post_task(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    caller = _need_token(request)
    if not caller.can_publish_scope:
        raise HttpError(403, _("this token may only read; make one with --scope publish"))
    try:
        row, created = service.upload(caller, _read_body(request))
    except service.RatingError as e:
        raise _fail(e) from None
    out = {
        "id": row.task_id,
        "url": _absolute(request, "rating:task", row.task_id),
        "items": row.items,
        "created": created,
    }
    return (201 if created else 200), out


@router.post(
    "/rating/tasks/{task_id}/invites",
    response={201: InviteOut, 400: Error, 401: Error, 404: Error},
    summary="Make a single-use link that makes one person a rater of the task",
)
def post_invite(request: HttpRequest, task_id: str, body: Body[InviteIn]) -> tuple[int, Any]:
    caller = _need_token(request)
    row = _task(caller, task_id, write=True)
    try:
        token, invite = service.make_invite(row, caller.user, body.languages, body.days)
    except service.RatingError as e:
        raise _fail(e) from None
    return 201, {
        "url": _absolute(request, "rating:join", token),
        "expires": invite.expires.isoformat(),
        "languages": invite.languages,
    }


@router.get(
    "/rating/tasks/{task_id}/labels",
    response={200: LabelsOut, 401: Error, 404: Error},
    summary="Every label of a rating task (raters by pseudonym)",
)
def get_labels(request: HttpRequest, task_id: str) -> dict[str, Any]:
    row = _task(caller_of(request), task_id, write=False)
    labels = [
        {"item": x.item, "rater": x.rater, "question": x.question, "value": x.value, "at": x.at}
        for x in service.labels_of(row)
    ]
    return {"task": row.task_id, "labels": labels}


@router.get(
    "/rating/tasks/{task_id}/stats",
    response={200: dict[str, Any], 401: Error, 404: Error},
    summary="Agreement per language and question, and rater quality (raters by pseudonym)",
)
def get_stats(request: HttpRequest, task_id: str) -> dict[str, Any]:
    row = _task(caller_of(request), task_id, write=False)
    return service.stats_of(row)
