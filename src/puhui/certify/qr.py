"""Compact transport of a certificate for QR codes: ``PUHUI1:`` + base45(zlib(JCS JSON)).

The credential is serialized with JCS (RFC 8785) — the same canonical form its proof signs —
compressed with zlib and encoded with base45 (RFC 9285), whose alphabet is exactly the QR
*alphanumeric* set, so a QR code stores 5.5 bits per character instead of 8 (the scheme EU
Digital COVID Certificates used with ``HC1:``). ``decode`` reverses it; the decoded dict
verifies with the same proof, because JCS is canonical. ``svg`` draws the QR with segno.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import segno

from puhui.certify.dataintegrity import canonicalize
from puhui.certify.limits import MAX_CREDENTIAL_BYTES, LimitError, loads

PREFIX = "PUHUI1:"
_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_INDEX = {c: i for i, c in enumerate(_B45)}
_MAX_JSON = MAX_CREDENTIAL_BYTES  # a certificate is a few KB; refuse to inflate more


def b45encode(data: bytes) -> str:
    """RFC 9285 base45."""
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        e, n = divmod(n, 45 * 45)
        d, c = divmod(n, 45)
        out.append(_B45[c] + _B45[d] + _B45[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out.append(_B45[c] + _B45[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """RFC 9285 base45 decoding; ``ValueError`` on a bad character, length or value."""
    try:
        vals = [_B45_INDEX[c] for c in text]
    except KeyError as e:
        raise ValueError(f"not base45: {e.args[0]!r}") from None
    if len(vals) % 3 == 1:
        raise ValueError("base45 length is wrong")
    out = bytearray()
    for i in range(0, len(vals), 3):
        chunk = vals[i : i + 3]
        n = sum(v * 45**k for k, v in enumerate(chunk))
        if len(chunk) == 3:
            if n > 0xFFFF:
                raise ValueError("base45 value out of range")
            out += n.to_bytes(2, "big")
        else:
            if n > 0xFF:
                raise ValueError("base45 value out of range")
            out.append(n)
    return bytes(out)


def encode(credential: Mapping[str, Any]) -> str:
    """``PUHUI1:`` text for a credential (upper case + digits + ``$%*+-./: `` only)."""
    return PREFIX + b45encode(zlib.compress(canonicalize(dict(credential)), 9))


def decode(text: str) -> dict[str, Any]:
    """The credential inside a ``PUHUI1:`` text; ``ValueError`` with the reason otherwise."""
    body = text.strip()
    if not body.startswith(PREFIX):
        raise ValueError(f"does not start with {PREFIX}")
    raw = b45decode(body[len(PREFIX) :])
    d = zlib.decompressobj()
    try:
        data = d.decompress(raw, _MAX_JSON)
    except zlib.error as e:
        raise ValueError(f"not zlib data: {e}") from None
    if d.unconsumed_tail:
        raise ValueError(f"inflates to more than {_MAX_JSON // 1024} KB")
    if not d.eof or d.unused_data:  # cut short (or followed by junk): the checksum is not met
        raise ValueError("incomplete or trailing zlib data")
    try:
        obj = loads(data, "the JSON inside", max_bytes=_MAX_JSON)
    except LimitError as e:
        raise ValueError(str(e)) from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    return obj


def make(text: str) -> segno.QRCode:
    """The smallest QR code (error level at least L, raised when it costs no size)."""
    return segno.make_qr(text, error="l", boost_error=True)


def svg(text: str, *, scale: int = 2, title: str | None = None) -> str:
    """An SVG drawing of the QR code for ``text`` (e.g. from :func:`encode`)."""
    import io

    buf = io.BytesIO()
    make(text).save(buf, kind="svg", scale=scale, border=4, title=title, xmldecl=False)
    return buf.getvalue().decode("utf-8")
