"""Completion badges: Open Badges 3.0 ``OpenBadgeCredential`` (a W3C VC 2.0), signed offline.

A badge says that one person earned one achievement (a workshop's or a course's completion).
The person is named only by a salted hash of their contact key (an OB 3.0 ``IdentityObject``
with ``hashed: true``): the credential carries no name, e-mail address or phone number. Whoever
knows the person's contact key and the salt printed in the badge can check that it is theirs.

Badges are signed like certificates (``eddsa-jcs-2022``, a ``did:key`` issuer), get an index
in the issuer's status list (so ``puhui cert revoke`` revokes them) and are verified by
:func:`puhui.certify.credential.verify` (``puhui cert verify``), offline. :func:`badge_page`
draws the printable page with a QR code that carries the whole signed badge.
"""

from __future__ import annotations

import html
import os
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from puhui.artifacts import atomic_write_bytes, atomic_write_text
from puhui.certify import dataintegrity as di
from puhui.certify import keys, page, qr, statuslist
from puhui.certify.credential import (
    BADGE_TYPE,
    OB_V3,
    VC_V2,
    CertError,
    _allocate_indices,
    achievement_of,
    ensure_status_list,
    issuer_id,
)
from puhui.i18n import _

#: A recipient named by e-mail address: ``identityType`` ``emailAddress`` (OB 3.0
#: IdentifierTypeEnum).
EMAIL = "emailAddress"
#: A recipient named by phone number. OB 3.0's IdentifierTypeEnum has no term for phones and
#: is extended only with ``ext:`` terms, so the badge says ``identityType`` ``ext:phone``.
PHONE = "phone"
_IDENTITY_TYPES = {EMAIL: EMAIL, PHONE: "ext:phone"}
#: ``achievementType`` of every badge Puhui issues (OB 3.0 AchievementType).
ACHIEVEMENT_TYPE = "Certificate"
_HASH = re.compile(r"sha256\$[0-9a-fA-F]{64}")
_MAX_NAME = 300  # characters of an achievement's or issuer's name
_MAX_TEXT = 4000  # characters of a description, a criteria narrative, an id or a salt


@dataclass(frozen=True)
class Recipient:
    """Who receives a badge: ``identity_hash`` (``sha256$<hex>`` of the contact key followed by
    ``salt``), the salt itself, and what the key is (:data:`EMAIL`, :data:`PHONE` or another
    OB 3.0 ``ext:`` term). A mapping with these keys may stand for it."""

    identity_hash: str
    salt: str
    identity_type: str = EMAIL


def _text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CertError(
            _("`achievement`: field {f} is missing or empty").format(f=field),
            _("give the achievement an id, name, description and criteria narrative"),
        )
    if len(value) > limit:
        raise CertError(
            _("`achievement`: field {f} has {n} characters (at most {m})").format(
                f=field, n=len(value), m=limit
            ),
            _("shorten it"),
        )
    return value.strip()


def _achievement(achievement: Mapping[str, Any]) -> dict[str, Any]:
    """The OB 3.0 ``Achievement`` for ``achievement`` (id, name, description, criteria)."""
    ach_id = _text(achievement.get("id"), "id", _MAX_TEXT)
    if ":" not in ach_id or any(c.isspace() for c in ach_id):
        raise CertError(
            _("`achievement`: field id {v} is not a URI").format(v=ach_id[:100]),
            _("use e.g. urn:puhui:programme:NAME:COHORT or the cohort's https address"),
        )
    criteria = achievement.get("criteria")
    narrative = criteria.get("narrative") if isinstance(criteria, Mapping) else criteria
    return {
        "id": ach_id,
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPE,
        "name": _text(achievement.get("name"), "name", _MAX_NAME),
        "description": _text(achievement.get("description"), "description", _MAX_TEXT),
        "criteria": {"narrative": _text(narrative, "criteria.narrative", _MAX_TEXT)},
    }


def _identity(recipient: Recipient | Mapping[str, str], n: int) -> dict[str, Any]:
    where = _("`recipients` item {n}").format(n=n)
    if isinstance(recipient, Mapping):
        recipient = Recipient(
            str(recipient.get("identity_hash", "")),
            str(recipient.get("salt", "")),
            str(recipient.get("identity_type", EMAIL)),
        )
    if not isinstance(recipient.identity_hash, str) or not _HASH.fullmatch(recipient.identity_hash):
        raise CertError(
            _("{w}: the identity hash must be sha256$ and 64 hex digits").format(w=where),
            _("hash the contact key with its salt (sha256 of key + salt)"),
        )
    salt = recipient.salt
    if not isinstance(salt, str) or not salt or len(salt) > _MAX_TEXT:
        raise CertError(
            _("{w}: the salt is missing or longer than {m} characters").format(
                w=where, m=_MAX_TEXT
            ),
            _("give the salt the hash was made with"),
        )
    kind = _IDENTITY_TYPES.get(recipient.identity_type, recipient.identity_type)
    if kind != EMAIL and not (isinstance(kind, str) and kind.startswith("ext:") and len(kind) > 4):
        raise CertError(
            _("{w}: identity type {t} is not {e} or an ext: term").format(
                w=where, t=str(kind)[:100], e=EMAIL
            ),
            _("use {e} for an e-mail address, {p} for a phone number").format(e=EMAIL, p=PHONE),
        )
    return {
        "type": "IdentityObject",
        "identityHash": recipient.identity_hash,
        "identityType": kind,
        "hashed": True,
        "salt": salt,
    }


def issue_badges(
    *,
    achievement: Mapping[str, Any],
    recipients: Sequence[Recipient | Mapping[str, str]],
    key_dir: str | os.PathLike[str],
    issuer_name: str | None = None,
    valid_days: int | None = None,
    now: datetime | None = None,
    status_list: str | os.PathLike[str] | None = None,
) -> list[dict[str, Any]]:
    """One signed ``OpenBadgeCredential`` per recipient, in order, for ``achievement``.

    ``achievement`` holds ``id`` (a URI), ``name``, ``description`` and ``criteria`` (a mapping
    with ``narrative``, or the narrative itself). ``issuer_name`` is the issuing organization
    (default: the key folder's name). The badges never expire unless ``valid_days`` is given.
    Everything is checked before anything is allocated; the key folder is locked once and its
    status index written once, however many recipients there are.
    """
    if valid_days is not None and valid_days < 1:
        raise CertError(_("`valid_days` must be at least 1"), _("give a number of days"))
    ach = _achievement(achievement)
    identities = [_identity(r, n) for n, r in enumerate(recipients, start=1)]
    kdir = Path(key_dir)
    pair = keys.load_key_dir(kdir)
    name = (issuer_name if issuer_name is not None else pair.name or "").strip()
    if not name or len(name) > _MAX_NAME:
        raise CertError(
            _("`issuer_name` is missing or longer than {m} characters").format(m=_MAX_NAME),
            _("give the issuing organization's name"),
        )
    if not identities:
        return []
    start = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    created = di.format_datetime(start)
    ids = [f"urn:uuid:{uuid.uuid4()}" for _i in identities]
    with keys.locked(kdir):
        sl = ensure_status_list(kdir, pair, Path(status_list) if status_list else None)
        indices = _allocate_indices(kdir, str(sl["id"]), ids)
    issuer = {"id": pair.did, "type": ["Profile"], "name": name}
    dates = {"validFrom": created}
    if valid_days is not None:
        dates["validUntil"] = di.format_datetime(start + timedelta(days=valid_days))
    badges: list[dict[str, Any]] = []
    for cred_id, identity, index in zip(ids, identities, indices, strict=True):
        unsigned: dict[str, Any] = {
            "@context": [VC_V2, OB_V3],
            "id": cred_id,
            "type": ["VerifiableCredential", BADGE_TYPE],
            "name": ach["name"],
            "issuer": issuer,
            **dates,
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [identity],
                "achievement": ach,
            },
            "credentialStatus": statuslist.entry(str(sl["id"]), index),
        }
        badges.append(
            di.sign(unsigned, pair.private_key, pair.verification_method, created=created)
        )
    return badges


def issue_badge(
    *,
    achievement: Mapping[str, Any],
    recipient_hash: str,
    salt: str,
    key_dir: str | os.PathLike[str],
    issuer_name: str | None = None,
    identity_type: str = EMAIL,
    valid_days: int | None = None,
    now: datetime | None = None,
    status_list: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """One signed ``OpenBadgeCredential`` (see :func:`issue_badges`)."""
    return issue_badges(
        achievement=achievement,
        recipients=[Recipient(recipient_hash, salt, identity_type)],
        key_dir=key_dir,
        issuer_name=issuer_name,
        valid_days=valid_days,
        now=now,
        status_list=status_list,
    )[0]


# ---------------------------------------------------------------- the printable page


def _row(label: str, value: str) -> str:
    return f"<tr><th>{html.escape(label)}</th><td>{value}</td></tr>"


def badge_page(credential: Mapping[str, Any], *, recipient_name: str | None = None) -> str:
    """The badge as one self-contained HTML page (inline CSS and SVG): the achievement, the
    issuer, the dates, ``recipient_name`` when given (the badge holds none) and a QR code that
    carries the whole signed badge, for ``puhui cert verify`` offline."""
    e = html.escape
    ach = achievement_of(credential)
    criteria = ach.get("criteria")
    narrative = criteria.get("narrative", "") if isinstance(criteria, Mapping) else ""
    issuer = credential.get("issuer")
    issuer_name = issuer.get("name", "") if isinstance(issuer, Mapping) else ""
    title = str(ach.get("name", ""))
    until = credential.get("validUntil")
    rows = []
    if recipient_name:
        rows.append(_row(_("Awarded to"), e(recipient_name)))
    rows += [
        _row(_("Achievement"), e(title)),
        _row(_("Description"), e(str(ach.get("description", "")))),
        _row(_("Criteria"), e(str(narrative))),
        _row(
            _("Issuer"),
            e(str(issuer_name)) + f"<div><code>{e(str(issuer_id(credential)))}</code></div>",
        ),
        _row(_("Awarded on"), e(str(credential.get("validFrom", "?")))),
        _row(_("Valid until"), e(str(until)) if until else e(_("no end date"))),
        _row(_("Badge id"), f"<code>{e(str(credential.get('id', '')))}</code>"),
    ]
    payload = qr.encode(credential)
    code = qr.make(payload)
    how = _(
        "The QR code holds the whole signed badge ({n} characters, QR {v}). To check it "
        "offline: scan it, save the text (it starts with PUHUI1:) to a file, and run "
        "<code>puhui cert verify FILE</code>. The badge names its holder only by a salted hash "
        "of their e-mail address or phone number: the holder can show that it is theirs."
    ).format(n=len(payload), v=e(code.designator))
    sub = _(
        "An Open Badges 3.0 credential (W3C Verifiable Credential), signed with eddsa-jcs-2022."
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{page.CSS}</style></head><body>"
        f"<h1>{e(title)}</h1>"
        f'<p class="sub">{e(sub)}</p>'
        f"<table>{''.join(rows)}</table>"
        f'<div class="qr">{qr.svg(payload, scale=2, title=str(credential.get("id")))}'
        f'<p class="how">{how}</p></div>'
        "</body></html>"
    )


def write_badge_page(
    credential: Mapping[str, Any],
    html_path: str | os.PathLike[str],
    pdf_path: str | os.PathLike[str] | None = None,
    *,
    recipient_name: str | None = None,
) -> None:
    """Write :func:`badge_page` as HTML and, when ``pdf_path`` is given, as PDF (WeasyPrint)."""
    text = badge_page(credential, recipient_name=recipient_name)
    atomic_write_text(Path(html_path), text)
    if pdf_path is not None:
        from weasyprint import HTML

        atomic_write_bytes(Path(pdf_path), HTML(string=text).write_pdf())
