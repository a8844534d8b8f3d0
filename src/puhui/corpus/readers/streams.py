"""Bounded byte streams of an input file: opening, decoding, encoding sniffing, JSON objects."""

from __future__ import annotations

import codecs
from typing import IO, Any

from puhui.corpus.bounded import (
    LimitExceeded,
    open_decompressed,
    read_capped,
)
from puhui.corpus.readers.files import TEXT_FIELDS, Document, InputFile, Problem, ReaderOptions
from puhui.i18n import _

# ---------------------------------------------------------------- byte streams


def open_input(f: InputFile, opts: ReaderOptions) -> IO[bytes]:
    """The file's bytes, decompressed in bounded reads (``reader.max_expansion`` enforced)."""
    return open_decompressed(f.path, f.compression, opts.max_expansion)


def too_long(what: str, opts: ReaderOptions) -> str:
    return _(
        "{what} is longer than {mb} MB (reader.max_record_mb); split it or raise the limit"
    ).format(what=what, mb=f"{opts.max_record_mb:g}")


def read_record_file(f: InputFile, opts: ReaderOptions) -> bytes:
    """A file read as one document, up to ``max_record_mb``."""
    with open_input(f, opts) as stream:
        data = read_capped(stream, opts.record_bytes)
    if data is None:
        raise LimitExceeded(too_long(_("the file"), opts))
    return data


def decode(data: bytes) -> str:
    """Decode bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else detected.

    Raises ValueError for binary data (NUL bytes without a UTF-16 BOM) or undetectable encodings.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    else:
        if "\x00" in text:
            raise ValueError(_("binary data (NUL bytes), not text"))
        return text
    if b"\x00" in data[:8192]:
        raise ValueError(_("binary data (NUL bytes), not text"))
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    if best is None or best.encoding is None:
        raise ValueError(_("not text in any known encoding"))
    return data.decode(best.encoding, errors="replace")


def pick_field(obj: dict[str, Any], wanted: str | None) -> str | None:
    if wanted is not None:
        return wanted if wanted in obj else None
    for name in TEXT_FIELDS:
        if name in obj:
            return name
    return None


def from_object(obj: Any, source: str, opts: ReaderOptions) -> Document | Problem:
    if not isinstance(obj, dict):
        return Problem(source, _("expected a JSON object, got {t}").format(t=type(obj).__name__))
    name = pick_field(obj, opts.text_field)
    if name is None:
        fields = ", ".join(list(obj)[:8]) or "-"
        wanted = opts.text_field or "/".join(TEXT_FIELDS[:3])
        return Problem(
            source,
            _("no {w!r} field (fields: {f}); choose one with --text-field").format(
                w=wanted, f=fields
            ),
        )
    value = obj[name]
    if not isinstance(value, str):
        return Problem(source, _("field {n!r} is not text").format(n=name))
    meta = {k: v for k, v in obj.items() if k != name and isinstance(v, str | int | float | bool)}
    return Document(source, value, meta)


def until_limit(read1: Any) -> bytes:
    """The next chunk, or b"" where a limit stops the stream: the encoding is found from what
    came before, and the reading pass reports the limit where the records meet it."""
    try:
        chunk: bytes = read1(1 << 16)
    except LimitExceeded:
        return b""
    return chunk


def sniff_encoding(f: InputFile, opts: ReaderOptions) -> tuple[str, str, bytes]:
    """(encoding, errors, BOM to drop) for a text file, by :func:`decode`'s rules, streaming."""
    check = codecs.getincrementaldecoder("utf-8")()
    head = b""
    utf8 = True
    nul = False
    with open_input(f, opts) as stream:
        read1 = getattr(stream, "read1", stream.read)
        while chunk := until_limit(read1):
            if len(head) < 1 << 20:
                head += chunk[: (1 << 20) - len(head)]
            if b"\x00" in chunk:
                nul = True
            if utf8:
                try:
                    check.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if not utf8 and len(head) >= 1 << 20:
                break
        if utf8:
            try:
                check.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8", "strict", b"\xef\xbb\xbf"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "strict", b""
    if utf8:
        if nul:
            raise ValueError(_("binary data (NUL bytes), not text"))
        return "utf-8", "strict", b""
    if b"\x00" in head[:8192]:
        raise ValueError(_("binary data (NUL bytes), not text"))
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is None or best.encoding is None:
        raise ValueError(_("not text in any known encoding"))
    return best.encoding, "replace", b""


try:
    from zlib import error as _zlib_error
except ImportError:  # pragma: no cover
    _zlib_error = OSError  # type: ignore[misc, assignment]

#: What a damaged zlib (gzip) stream raises.
ZLIB_ERROR: type[Exception] = _zlib_error


def short_error(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text[:200]
