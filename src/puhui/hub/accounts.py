"""The hub's people, organizations and tokens, managed from this machine (no web request).

``puhui hub init / createuser / token new`` and ``puhui demo`` call these functions; they open the
hub's database (:func:`open_database`), create or update a person and their role in an
organization (:func:`save_user`), and issue API tokens (:func:`issue_token`). Django is imported
inside the functions only, so importing this module stays cheap. Errors are one-line
:class:`~puhui.errors.PuhuiError` s whose hints name parameters in backquotes.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from puhui.errors import PuhuiError
from puhui.i18n import _

ROLES = ("admin", "member", "viewer")
SCOPES = ("read", "publish")
#: An organization's slug: what ``org`` may be.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def open_database(upgrading: Callable[[int], None] | None = None) -> list[tuple[Path, int]]:
    """Configure Django and create or update the hub's database (:func:`puhui.hub.migrate`).

    Returns the hub files whose permissions had to be tightened (path, old mode). A database
    that cannot be opened (wrong ``PUHUI_HUB_DATABASE_URL``, server down) is a one-line error.
    """
    from puhui import hub

    try:
        return hub.migrate(upgrading=upgrading)
    except Exception as e:
        from django.db import DatabaseError

        if isinstance(e, DatabaseError):
            raise PuhuiError(
                _("cannot open the hub database: {why}").format(why=str(e).splitlines()[0]),
                _("check PUHUI_HUB_DATABASE_URL and that the database server is running"),
            ) from None
        raise


def database_label() -> str:
    """The hub's database in words: the SQLite file, or ``PostgreSQL NAME``."""
    from django.conf import settings as dj

    db = dj.DATABASES["default"]
    return str(db["NAME"]) if db["ENGINE"].endswith("sqlite3") else f"PostgreSQL {db['NAME']}"


def _check_choice(value: str, allowed: tuple[str, ...], parameter: str) -> None:
    if value not in allowed:
        raise PuhuiError(
            _("{o} {v!r}: not one of {a}").format(
                o=f"`{parameter}`", v=value, a=", ".join(allowed)
            ),
            _("pick one of those"),
        )


def user_exists(name: str) -> bool:
    """Whether the hub has a person signing in as ``name`` (after :func:`open_database`)."""
    from django.contrib.auth import get_user_model

    return bool(get_user_model().objects.filter(username=name).exists())


def save_user(
    name: str,
    *,
    org: str | None = None,
    role: str = "member",
    password: str | None = None,
    superuser: bool = False,
    org_name: str | None = None,
) -> dict[str, Any]:
    """Create the person ``name`` or update them, in one transaction (after
    :func:`open_database`).

    ``password`` (checked by the hub's password rules) is set when given; a new person needs one.
    ``superuser`` makes them a site administrator. With ``org``, the organization is created if
    missing (named ``org_name``, default the slug) and the person gets ``role`` in it. Returns
    what was done: ``{"user", "created", "org", "role"}`` (``role`` None without ``org``).
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from puhui.hub.catalog.models import Membership, Organization

    _check_choice(role, ROLES, "role")
    if org is not None and not SLUG.match(org):
        raise PuhuiError(
            _("{o} {v!r}: use lower-case letters, digits and '-'").format(o="`org`", v=org),
            _("e.g. {o} knbs").format(o="`org`"),
        )
    user_model = get_user_model()
    user = user_model.objects.filter(username=name).first()
    created = user is None
    if created and password is None:
        raise PuhuiError(_("a new user needs a password: {u}").format(u=name), _("pass `password`"))
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as e:
            raise PuhuiError(
                _("password refused: {why}").format(why=" ".join(e.messages)),
                _("choose a longer, less common one"),
            ) from None
    with transaction.atomic():
        if user is None:
            user = user_model(username=name)
        if password is not None:
            user.set_password(password)
        if superuser:
            user.is_superuser = user.is_staff = True
        user.save()
        if org is not None:
            organization, _new = Organization.objects.get_or_create(
                slug=org, defaults={"name": org_name or org}
            )
            Membership.objects.update_or_create(
                user=user, org=organization, defaults={"role": role}
            )
    return {"user": name, "created": created, "org": org, "role": role if org else None}


def issue_token(
    username: str,
    *,
    scope: str = "read",
    org: str | None = None,
    days: int | None = None,
    name: str = "",
) -> str:
    """A new API token of ``username`` (after :func:`open_database`), shown once: the hub keeps
    only its digest.

    ``scope`` is ``read`` or ``publish``; ``org`` limits it to one organization the person belongs
    to; it expires after ``days`` (never when None). It can never do more than its owner may.
    """
    from django.contrib.auth import get_user_model

    from puhui.hub.catalog.access import new_token
    from puhui.hub.catalog.models import Membership, Organization

    _check_choice(scope, SCOPES, "scope")
    owner = get_user_model().objects.filter(username=username).first()
    if owner is None:
        raise PuhuiError(
            _("no user {u}").format(u=username), _("create it with `puhui hub createuser`")
        )
    organization = None
    if org is not None:
        organization = Organization.objects.filter(slug=org).first()
        if organization is None or (
            not owner.is_superuser
            and not Membership.objects.filter(user=owner, org=organization).exists()
        ):
            raise PuhuiError(
                _("{u} is not in organization {o}").format(u=username, o=org),
                _("add them with `puhui hub createuser {u} --org {o}`").format(u=username, o=org),
            )
    return new_token(owner, scope=scope, org=organization, days=days, name=name)


def local_publisher(username: str, org_slug: str, org_name: str, password_file: Path) -> str:
    """An admin of organization ``org_slug`` on this machine's hub, and a one-day publish token.

    Creates the hub's database if needed, the person (with a random password written to
    ``password_file``, readable by the owner only, when they are new or the file is gone) and
    the organization, makes the person its admin, and returns a new token with the publish
    scope. Used by ``puhui demo``.
    """
    open_database()
    password = None
    if not user_exists(username) or not password_file.exists():
        password = secrets.token_urlsafe(12)
    save_user(username, org=org_slug, role="admin", password=password, org_name=org_name)
    if password is not None:
        password_file.write_text(password + "\n", encoding="utf-8")
        password_file.chmod(0o600)
    return issue_token(username, scope="publish", org=org_slug, days=1, name="puhui demo")
