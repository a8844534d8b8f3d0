"""What the hub's rating API and pages do, with Django models but no requests or templates.

- :func:`upload`: an organization's ``task.json`` checked (:meth:`RatingTask.from_json`, size,
  :data:`~puhui.rating.task.MAX_ITEMS`) and kept; the same task again changes nothing, another
  task under the same id is refused.
- :func:`make_invite` / :func:`join`: single-use join links (only their sha256 is kept); joining
  makes the person a rater of the organization (unless they already have a role there) and
  assigns them to the task in the invite's languages.
- :func:`next_for`: the item a rater gets next, by the one assignment rule
  (:func:`puhui.rating.task.next_item`) over the hub's labels.
- :func:`submit`: a rater's answers, checked by :func:`puhui.rating.task.check_label`, kept once
  per client key, replacing the rater's earlier answer to the same question.
- :func:`labels_of` / :func:`stats_of`: the labels with raters named by a pseudonym (the API) or
  by user name (the task's page for its organization's admins), and :func:`task_stats` over them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from puhui.certify import limits
from puhui.errors import PuhuiError
from puhui.hub.catalog.access import Caller, acts_in
from puhui.hub.catalog.middleware import RATING_TASK_BYTES
from puhui.hub.catalog.models import Membership, Organization
from puhui.hub.rating.models import Invite, Label, Rater, Submission, Task
from puhui.lang import matches, normalize_tag
from puhui.rating import types as rt
from puhui.rating.stats import task_stats
from puhui.rating.task import MAX_ITEMS, check_label, next_item

#: Who may upload a task, invite raters and read labels through the API.
MANAGERS = ("admin", "member")
#: Who sees a task's page with its raters by name.
ADMINS = ("admin",)
#: A client key: what the rating form's hidden field holds (secrets.token_urlsafe).
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
TASK_ID_RE = re.compile(r"^[A-Za-z0-9-]{1,40}$")
MAX_INVITE_DAYS = 365
MAX_ITEM_ID = 40


class RatingError(Exception):
    """A request the hub refuses: an HTTP status and a one-line reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


# ---------------------------------------------------------------- tasks


def parse_upload(raw: bytes) -> tuple[str, rt.RatingTask]:
    """``(org slug, task)`` from an upload's body ``{"org": SLUG, "task": {...}}``."""
    try:
        doc = limits.loads(raw, _("the request body"), max_bytes=RATING_TASK_BYTES)
    except limits.LimitError as e:
        raise RatingError(413 if len(raw) > RATING_TASK_BYTES else 400, str(e)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("task"), dict):
        raise RatingError(400, _('send {"org": SLUG, "task": <task.json>}'))
    org = doc.get("org")
    if not isinstance(org, str) or not org.strip():
        raise RatingError(400, _("org: name the organization the task belongs to"))
    return org.strip(), check_task(doc["task"])


def check_task(doc: dict[str, Any]) -> rt.RatingTask:
    """The :class:`RatingTask` of ``doc``; a 400 with a one-line reason when it is not one."""
    try:
        if int(doc.get("schema", rt.TASK_SCHEMA)) > rt.TASK_SCHEMA:
            raise RatingError(400, _("task: schema is newer than this hub reads; upgrade the hub"))
        items = doc.get("items")
        if isinstance(items, list) and len(items) > MAX_ITEMS:
            raise RatingError(
                400,
                _("task: {n} items is more than a task holds ({m})").format(
                    n=len(items), m=MAX_ITEMS
                ),
            )
        task = rt.RatingTask.from_json(doc)
    except RatingError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise RatingError(400, _("task: not a rating task ({why})").format(why=e)) from None
    problem = None
    if not TASK_ID_RE.match(task.id):
        problem = _("id {v!r} is not a task id").format(v=task.id[:60])
    elif not task.items:
        problem = _("it has no items")
    elif not task.questions or any(q not in rt.QUESTIONS for q in task.questions):
        problem = _("questions must be some of {names}").format(names=", ".join(rt.QUESTIONS))
    elif not 1 <= task.overlap <= 20:
        problem = _("overlap must be 1 to 20")
    else:
        ids = [i.id for i in task.items]
        if len(set(ids)) != len(ids):
            problem = _("two items have the same id")
        elif any(not i or len(i) > MAX_ITEM_ID for i in ids):
            problem = _("an item id is empty or longer than {n} characters").format(n=MAX_ITEM_ID)
        elif any(not i.lang or len(i.lang) > 35 for i in task.items):
            problem = _("an item has no language")
    if problem:
        raise RatingError(400, _("task: {why}").format(why=problem))
    return task


def digest_of(task: rt.RatingTask) -> str:
    text = json.dumps(task.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def upload(caller: Caller, raw: bytes) -> tuple[Task, bool]:
    """Keep the task in ``raw``; returns ``(task, created)`` (False: it was already here)."""
    slug, task = parse_upload(raw)
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        raise RatingError(400, _("org: no organization {o!r} on this hub").format(o=slug[:64]))
    if not acts_in(caller, org, MANAGERS):
        raise RatingError(403, _("you may not add rating tasks to {o}").format(o=org.slug))
    digest = digest_of(task)

    def same(row: Task) -> tuple[Task, bool]:
        if row.org_id != org.pk:
            raise RatingError(409, _("task {t} belongs to another organization").format(t=task.id))
        if row.digest != digest:
            raise RatingError(
                409,
                _("task {t} is already here with other content; make a new task").format(t=task.id),
            )
        return row, False

    found = Task.objects.filter(task_id=task.id).first()
    if found is not None:
        return same(found)
    try:
        with transaction.atomic():
            row = Task.objects.create(
                task_id=task.id,
                org=org,
                title=task.title[:300],
                document=task.to_json(),
                digest=digest,
                items=len(task.items),
                languages=list(task.languages),
                created_by=caller.user,
            )
    except IntegrityError:  # the same upload at the same moment
        return same(Task.objects.get(task_id=task.id))
    return row, True


_CACHE: dict[int, tuple[str, rt.RatingTask]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def task_of(row: Task) -> rt.RatingTask:
    """The :class:`RatingTask` of a stored task (parsed once per process and version)."""
    with _CACHE_LOCK:
        hit = _CACHE.get(row.pk)
    if hit is not None and hit[0] == row.digest:
        return hit[1]
    task = rt.RatingTask.from_json(row.document)
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[row.pk] = (row.digest, task)
    return task


def may_read(caller: Caller, org: Organization) -> bool:
    """Whether ``caller`` (a session or a token of any scope) may read ``org``'s tasks' labels."""
    if caller.anonymous or (caller.org_id is not None and caller.org_id != org.pk):
        return False
    return caller.superuser or caller.memberships(MANAGERS).filter(org=org).exists()


# ---------------------------------------------------------------- raters


def _languages(task: rt.RatingTask, wanted: Iterable[str]) -> list[str]:
    langs: list[str] = []
    for raw in wanted:
        tag = normalize_tag(str(raw)[:35])
        if not any(matches(tag, i.lang) for i in task.items):
            raise RatingError(
                400,
                _("languages: task {t} has no items in {lang} (it has {have})").format(
                    t=task.id, lang=tag, have=", ".join(sorted({i.lang for i in task.items}))
                ),
            )
        if tag not in langs:
            langs.append(tag)
    if not langs:
        raise RatingError(400, _("languages: name at least one language of the task"))
    return langs


def make_invite(row: Task, user: Any, languages: Sequence[str], days: int) -> tuple[str, Invite]:
    """A new single-use join link's token (shown once) and its row."""
    if not 1 <= days <= MAX_INVITE_DAYS:
        raise RatingError(400, _("days: give 1 to {n}").format(n=MAX_INVITE_DAYS))
    langs = _languages(task_of(row), languages[:50])
    token = secrets.token_urlsafe(24)
    invite = Invite.objects.create(
        task=row,
        digest=Invite.hash(token),
        languages=langs,
        expires=timezone.now() + timedelta(days=days),
        created_by=user,
    )
    return token, invite


def open_invite(token: str) -> Invite | None:
    """The unused, unexpired invite of ``token``, or None."""
    if not token or len(token) > 100:
        return None
    invite = Invite.objects.select_related("task__org").filter(digest=Invite.hash(token)).first()
    if invite is None or invite.used is not None or invite.expires <= timezone.now():
        return None
    return invite


def join(token: str, user: Any) -> Rater:
    """Use the invite of ``token`` for ``user``: a rater role in the task's organization (unless
    they already have one there) and the invite's languages on the task."""
    with transaction.atomic():
        invite = Invite.objects.select_for_update().filter(digest=Invite.hash(token)).first()
        if invite is None or invite.used is not None or invite.expires <= timezone.now():
            raise RatingError(404, _("this invitation link is unknown, used or expired"))
        task = invite.task
        Membership.objects.get_or_create(user=user, org_id=task.org_id, defaults={"role": "rater"})
        rater, created = Rater.objects.get_or_create(
            task=task, user=user, defaults={"languages": list(invite.languages)}
        )
        if not created:
            rater.languages = [
                *rater.languages,
                *(x for x in invite.languages if x not in rater.languages),
            ]
            rater.save(update_fields=["languages"])
        invite.used, invite.used_by = timezone.now(), user
        invite.save(update_fields=["used", "used_by"])
    return rater


# ---------------------------------------------------------------- labels


def _labels(row: Task, name: Callable[[int], str]) -> list[rt.Label]:
    rows = Label.objects.filter(task=row).order_by("at", "id")
    return [
        rt.Label(
            item=item,
            rater=name(user),
            question=q,
            value=v,
            at=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            source="hub",
        )
        for item, user, q, v, at in rows.values_list("item", "user_id", "question", "value", "at")
    ]


def pseudonym(task_id: str, user_id: int) -> str:
    """A rater's stable name in a task's exported labels: never their user name or e-mail."""
    mac = hmac.new(
        settings.SECRET_KEY.encode("utf-8"), f"{task_id}\x1f{user_id}".encode(), hashlib.sha256
    )
    return "r-" + mac.hexdigest()[:10]


def labels_of(row: Task) -> list[rt.Label]:
    """Every label of the task, raters named by :func:`pseudonym`."""
    return _labels(row, lambda uid: pseudonym(row.task_id, uid))


def stats_of(row: Task, *, by_name: bool = False) -> dict[str, Any]:
    """:func:`task_stats` over the hub's labels; raters by pseudonym, or by user name."""
    if by_name:
        users = dict(get_user_model().objects.filter(rating_labels__task=row).distinct()
                     .values_list("pk", "username"))  # fmt: skip
        labels = _labels(row, lambda uid: str(users.get(uid, uid)))
    else:
        labels = labels_of(row)
    return task_stats(task_of(row), labels)


def next_for(row: Task, rater: Rater, skipped: Iterable[str] = ()) -> rt.Item | None:
    """The item ``rater`` rates next (:func:`next_item`), leaving out the ids ``skipped``."""
    task = task_of(row)
    leave = set(skipped)
    if leave:
        task = replace(task, items=tuple(i for i in task.items if i.id not in leave))
    return next_item(task, _labels(row, str), str(rater.user_id), rater.languages)


@dataclass(frozen=True)
class Submitted:
    item: str
    saved: int  #: labels written; 0 when the client key was already used
    repeat: bool


def submit(row: Task, rater: Rater, item_id: str, answers: dict[str, str], key: str) -> Submitted:
    """Keep ``answers`` (question -> value) of ``rater`` about item ``item_id``, once per ``key``.

    Every scored question of the task must be answered; an empty note is no label. A key seen
    before (a form sent twice, an offline queue replayed) changes nothing.
    """
    task = task_of(row)
    if not KEY_RE.match(key or ""):
        raise RatingError(400, _("the form has no valid key; reload the page"))
    item = task.item(item_id)
    if item is None or not any(matches(x, item.lang) for x in rater.languages):
        raise RatingError(400, _("item {i!r} is not yours to rate").format(i=item_id[:60]))
    labels: list[rt.Label] = []
    for q in task.questions:
        value = (answers.get(q) or "").strip()
        if not value:
            if rt.QUESTIONS[q].kind == "text":
                continue
            raise RatingError(400, _("answer every question (missing: {q})").format(q=q))
        label = rt.Label(item=item.id, rater=str(rater.user_id), question=q, value=value)
        try:
            check_label(task, label, _("the form"))
        except PuhuiError as e:
            raise RatingError(400, e.message) from None
        labels.append(label)
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                Submission.objects.create(key=key, task=row, user_id=rater.user_id, at=now)
        except IntegrityError:
            return Submitted(item.id, 0, True)
        for lab in labels:
            Label.objects.update_or_create(
                task=row, item=item.id, user_id=rater.user_id, question=lab.question,
                defaults={"value": lab.value, "at": now, "key": key},
            )  # fmt: skip
    return Submitted(item.id, len(labels), False)


def done_by(row: Task, rater: Rater) -> dict[str, int]:
    """``language -> items`` the rater answered every scored question of."""
    task = task_of(row)
    required = {q for q in task.questions if rt.QUESTIONS[q].kind != "text"}
    answered: dict[str, set[str]] = {}
    rows = Label.objects.filter(task=row, user_id=rater.user_id).values_list("item", "question")
    for item, q in rows:
        answered.setdefault(item, set()).add(q)
    out: dict[str, int] = {}
    for item_id, qs in answered.items():
        item = task.item(item_id)
        if item is not None and required <= qs:
            out[item.lang] = out.get(item.lang, 0) + 1
    return out


def progress(row: Task) -> list[dict[str, Any]]:
    """Per language: real items, items with a label, items with ``overlap`` raters, raters."""
    task = task_of(row)
    raters_of: dict[str, set[int]] = {}
    for item, user in Label.objects.filter(task=row).values_list("item", "user_id").distinct():
        raters_of.setdefault(item, set()).add(user)
    out: dict[str, dict[str, Any]] = {}
    for item in task.items:
        if item.is_gold:
            continue
        p = out.setdefault(item.lang, {"lang": item.lang, "items": 0, "started": 0, "full": 0})
        n = len(raters_of.get(item.id, ()))
        p["items"] += 1
        p["started"] += n > 0
        p["full"] += n >= task.overlap
    for r in Rater.objects.filter(task=row):
        for lang, p in out.items():
            if any(matches(x, lang) for x in r.languages):
                p["raters"] = p.get("raters", 0) + 1
    return [{**p, "raters": p.get("raters", 0)} for _l, p in sorted(out.items())]


def can_manage_page(caller: Caller, row: Task) -> bool:
    return acts_in(caller, row.org, ADMINS)
