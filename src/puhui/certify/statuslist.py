"""Revocation with a W3C Bitstring Status List v1.0 (Recommendation, 15 May 2025).

A ``BitstringStatusListCredential`` carries ``encodedList``: multibase base64url (``u``, no
padding) of the GZIP-compressed bitstring, at least 131,072 entries (16 KB), index 0 being the
left-most (most significant) bit of the first byte. A certificate points into it with a
``BitstringStatusListEntry`` (``statusPurpose`` revocation, ``statusListIndex`` as a decimal
string, ``statusListCredential`` = the list's ``id``). A set bit means revoked.

GZIP here uses zlib level 6 with a zero mtime, which reproduces the specification's example
``encodedList`` byte for byte (see ``tests/certify/test_certify.py``).
"""

from __future__ import annotations

import base64
import copy
import re
import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from puhui.certify import dataintegrity as di
from puhui.certify.limits import short
from puhui.i18n import _

MIN_ENTRIES = 131_072
VC_V2 = "https://www.w3.org/ns/credentials/v2"
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_INDEX = re.compile(r"[0-9]{1,12}")  # a decimal statusListIndex (lists hold < 10^12 bits)
_MAX_LIST_BYTES = 16 * 1024 * 1024  # refuse to inflate more than 16 MB (128 M entries)
# The longest encodedList that can hold such a list: deflate adds at most 5 bytes per 16 KB
# stored block, gzip a header and trailer; base64 makes 4 characters of 3 bytes. Longer text is
# refused before it is decoded.
_MAX_ENCODED_CHARS = 1 + (_MAX_LIST_BYTES + 5 * (_MAX_LIST_BYTES // 16384) + 1024) * 4 // 3


def encode_bits(bits: bytes | bytearray) -> str:
    """``u`` + base64url(no padding) of gzip(bits)."""
    c = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: gzip wrapper, mtime 0
    gz = c.compress(bytes(bits)) + c.flush()
    return "u" + base64.urlsafe_b64encode(gz).decode("ascii").rstrip("=")


def decode_bits(encoded: str) -> bytearray:
    """Inverse of :func:`encode_bits`; ``ValueError`` on a bad prefix, base64 or gzip stream."""
    if not isinstance(encoded, str) or not encoded.startswith("u") or "=" in encoded:
        raise ValueError("encodedList must be multibase base64url ('u', no padding)")
    if len(encoded) > _MAX_ENCODED_CHARS:
        raise ValueError("encodedList is longer than any list of at most 16 MB")
    body = encoded[1:]
    if not _B64URL.match(body):
        raise ValueError("encodedList is not base64url")
    try:
        gz = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, TypeError) as e:
        raise ValueError(f"encodedList is not base64url: {e}") from None
    d = zlib.decompressobj(31)
    try:
        out = d.decompress(gz, _MAX_LIST_BYTES)
    except zlib.error as e:
        raise ValueError(f"encodedList is not gzip: {e}") from None
    if d.unconsumed_tail:
        raise ValueError("encodedList inflates to more than 16 MB")
    return bytearray(out)


def get_bit(bits: bytes | bytearray, index: int) -> bool:
    if index < 0 or index >= len(bits) * 8:
        raise IndexError(index)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_bit(bits: bytearray, index: int, value: bool = True) -> None:
    if index < 0 or index >= len(bits) * 8:
        raise IndexError(index)
    if value:
        bits[index // 8] |= 0x80 >> (index % 8)
    else:
        bits[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF


def new_list(issuer: str, *, valid_from: str, list_id: str | None = None) -> dict[str, Any]:
    """An unsigned, all-clear revocation list credential of :data:`MIN_ENTRIES` entries."""
    lid = list_id or f"urn:uuid:{uuid.uuid4()}"
    return {
        "@context": [VC_V2],
        "id": lid,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{lid}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bits(bytes(MIN_ENTRIES // 8)),
        },
    }


def with_bit(
    status_list: Mapping[str, Any], index: int, *, valid_from: str, value: bool = True
) -> dict[str, Any]:
    """An unsigned copy of ``status_list`` with bit ``index`` set (proof dropped, date moved)."""
    doc = {k: copy.deepcopy(v) for k, v in status_list.items() if k != "proof"}
    subject = doc["credentialSubject"]
    bits = decode_bits(subject["encodedList"])
    set_bit(bits, index, value)
    subject["encodedList"] = encode_bits(bits)
    doc["validFrom"] = valid_from
    return doc


def valid_index(raw: str) -> bool:
    """Whether ``raw`` is a statusListIndex this module reads (1 to 12 decimal digits)."""
    return bool(_INDEX.fullmatch(raw))


def entry(list_id: str, index: int) -> dict[str, Any]:
    """The ``credentialStatus`` value pointing at ``index`` of list ``list_id``."""
    return {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": list_id,
    }


@dataclass(frozen=True)
class StatusResult:
    """``ok`` False with a reason when the status cannot be established or the bit is set."""

    ok: bool
    reason: str
    revoked: bool | None = None


def read_list(status_list: Mapping[str, Any]) -> tuple[bytearray, str]:
    """Check a revocation list on its own and return ``(bits, issuer DID)``.

    It must be a BitstringStatusListCredential whose proof verifies with its issuer's own key,
    for the revocation purpose, of at least :data:`MIN_ENTRIES` entries. ``ValueError`` with
    the reason otherwise (never another exception on malformed input).
    """
    types = status_list.get("type")
    if not isinstance(types, list) or "BitstringStatusListCredential" not in types:
        raise ValueError(_("the status list is not a BitstringStatusListCredential"))
    proof = di.verify_proof(status_list)
    if not proof.ok:
        raise ValueError(_("the status list's proof failed: {r}").format(r=proof.reason))
    list_issuer = status_list.get("issuer")
    list_issuer = list_issuer.get("id") if isinstance(list_issuer, dict) else list_issuer
    if not isinstance(list_issuer, str) or proof.controller != list_issuer:
        raise ValueError(_("the status list was not signed by its issuer's key"))
    subject = status_list.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise ValueError(_("the status list's credentialSubject is not a BitstringStatusList"))
    purposes = subject.get("statusPurpose")
    purposes = purposes if isinstance(purposes, list) else [purposes]
    if "revocation" not in purposes:
        raise ValueError(_("the status list is not a revocation list"))
    try:
        bits = decode_bits(subject.get("encodedList"))  # type: ignore[arg-type]
    except ValueError as exc:
        raise ValueError(_("the status list is malformed: {e}").format(e=exc)) from None
    if len(bits) * 8 < MIN_ENTRIES:
        raise ValueError(_("the status list has fewer than {n} entries").format(n=MIN_ENTRIES))
    return bits, list_issuer


def check(credential: Mapping[str, Any], status_list: Mapping[str, Any]) -> StatusResult:
    """The Bitstring Status List *validate* algorithm for a revocation entry.

    Verifies the list's own proof and that its issuer is the credential's issuer, then reads
    the bit. Never raises on malformed input.
    """
    status = credential.get("credentialStatus")
    entries = status if isinstance(status, list) else [status]
    mine = [
        e
        for e in entries
        if isinstance(e, dict)
        and e.get("type") == "BitstringStatusListEntry"
        and e.get("statusPurpose") == "revocation"
    ]
    if not mine:
        return StatusResult(False, _("the credential has no revocation entry"))
    e = mine[0]
    if status_list.get("id") != e.get("statusListCredential"):
        return StatusResult(
            False,
            _("the status list given is {got}, the credential points to {want}").format(
                got=short(status_list.get("id")), want=short(e.get("statusListCredential"))
            ),
        )
    try:
        bits, list_issuer = read_list(status_list)
    except ValueError as exc:
        return StatusResult(False, str(exc))
    cred_issuer = credential.get("issuer")
    cred_issuer = cred_issuer.get("id") if isinstance(cred_issuer, dict) else cred_issuer
    if list_issuer != cred_issuer:
        return StatusResult(False, _("the status list was not signed by the credential's issuer"))
    raw = e.get("statusListIndex")
    if not isinstance(raw, str) or not valid_index(raw):
        return StatusResult(
            False, _("statusListIndex {v} is not a decimal string").format(v=short(raw))
        )
    index = int(raw)
    if index >= len(bits) * 8:
        return StatusResult(False, _("statusListIndex {i} is outside the list").format(i=index))
    dated = short(status_list.get("validFrom", "?"))
    if get_bit(bits, index):
        return StatusResult(
            False, _("REVOKED (status list of {d}, index {i})").format(d=dated, i=index), True
        )
    return StatusResult(
        True, _("not revoked (status list of {d}, index {i})").format(d=dated, i=index), False
    )
