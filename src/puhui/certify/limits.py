"""Size and depth limits for certificates and status lists, and a JSON reader that keeps them.

A certificate is a few KB, nested five levels deep; whatever is far larger or deeper is hostile
input, refused before it costs anything: the limits here are the one place the hub (request
bodies, the /verify/ page, certificate uploads) and the engines (QR payloads, files on disk)
take them from. :func:`loads` checks the nesting with a linear scan *before* parsing, so a
deeply nested document never reaches a recursive parser (``json``, ``copy.deepcopy``, RFC 8785),
and says in one line what is wrong and where.
"""

from __future__ import annotations

import json
import re
import reprlib
from typing import Any

from puhui.i18n import _

#: The largest certificate accepted: a request body to verify, an upload, a QR payload.
MAX_CREDENTIAL_BYTES = 64 * 1024
#: The largest status list accepted (a 131,072-entry list with many bits set is ~25 KB).
MAX_STATUS_LIST_BYTES = 512 * 1024
#: The deepest nesting of objects and arrays accepted (a certificate has 5 levels).
MAX_JSON_DEPTH = 32
#: The most ``relatedResource`` entries a certificate may pin (Puhui pins up to 3 reports).
MAX_RELATED_RESOURCES = 16

_TOKENS = re.compile(r'[\\"\[\]{}]')


class LimitError(ValueError):
    """Input over a size or depth limit, or not JSON; the message is one line."""


def too_deep_at(text: str, max_depth: int = MAX_JSON_DEPTH) -> int | None:
    """The character offset where JSON ``text`` nests deeper than ``max_depth``, else None.

    Linear in the length and never recursive: it visits only brackets, quotes and backslashes
    and skips string contents. Malformed JSON is the parser's business, not this scan's.
    """
    depth = 0
    in_string = False
    skip = -1  # the character escaped by a backslash inside a string
    for m in _TOKENS.finditer(text):
        pos = m.start()
        if pos == skip:
            continue
        c = text[pos]
        if in_string:
            if c == "\\":
                skip = pos + 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            if depth > max_depth:
                return pos
        elif c in "]}":
            depth -= 1
    return None


def deeper_than(obj: Any, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether a parsed JSON value nests objects/arrays deeper than ``max_depth`` (iterative)."""
    stack: list[tuple[Any, int]] = [(obj, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        if depth + 1 > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads(
    raw: bytes | str,
    what: str,
    *,
    max_bytes: int = MAX_CREDENTIAL_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
) -> Any:
    """Parse JSON within the limits; :class:`LimitError` (one line naming ``what``) otherwise."""
    size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
    if size > max_bytes:
        raise LimitError(
            _("{w} is {n:,} bytes; at most {m:,} are accepted").format(w=what, n=size, m=max_bytes)
        )
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as e:
        raise LimitError(
            _("{w} is not UTF-8 text (byte {at})").format(w=what, at=e.start)
        ) from None
    at = too_deep_at(text, max_depth)
    if at is not None:
        raise LimitError(
            _("{w} nests objects and arrays deeper than {d} levels (at character {at})").format(
                w=what, d=max_depth, at=at
            )
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise LimitError(
            _("{w} line {line}, column {col}: not valid JSON ({why})").format(
                w=what, line=e.lineno, col=e.colno, why=e.msg
            )
        ) from None
    except ValueError as e:  # e.g. an integer of more than 4,300 digits
        raise LimitError(_("{w}: not valid JSON ({why})").format(w=what, why=e)) from None
    except RecursionError:  # only with a tiny recursion limit left; the scan bounds the depth
        raise LimitError(_("{w} is nested too deeply").format(w=what)) from None


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 80
_SHORT.maxlevel = 2


def short(value: Any) -> str:
    """A short ``repr`` of an untrusted value, for one-line reasons (never the whole value)."""
    return _SHORT.repr(value)
