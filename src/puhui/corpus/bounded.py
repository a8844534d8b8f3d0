"""Bounded reading of untrusted input files: every read stops at a limit it can name.

A file a few megabytes on disk can inflate to gigabytes (a "decompression bomb"), and a line,
row or web page can be any length. The readers use these helpers so that memory stays bounded
whatever the input holds:

- :func:`open_decompressed` opens a plain, gzip, zstd, xz or bz2 file as a byte stream whose
  every ``read(n)``/``read1(n)`` returns at most ``n`` bytes (the decompressor never inflates
  more than asked), and that raises :class:`LimitExceeded` once the output passes
  ``max_expansion`` times the compressed size (``reader.max_expansion``);
- :func:`capped_lines` splits a stream into numbered lines, never holding more than one line's
  limit: a longer line is skipped (up to its end) and reported, and reading goes on after it;
- :func:`read_capped` reads a whole stream up to a limit;
- :func:`http_body` decodes a WARC record's HTTP body (chunked transfer coding; gzip, deflate
  or brotli content coding) in bounded steps, up to a limit.

:class:`LimitExceeded` carries the one-line reason the pipeline writes to ``quarantine/``; it
names the option to raise (e.g. ``reader.max_record_mb``), so it is never a ``MemoryError``.
"""

from __future__ import annotations

import bz2
import gzip
import importlib
import io
import lzma
import os
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import zstandard

from puhui.i18n import _

CHUNK = 1 << 16  # bytes asked of a decompressor per step
XZ_MEMLIMIT = 256 << 20  # xz -9 needs ~65 MB; a header asking for a 1.5 GB dictionary is refused
ZSTD_MAX_WINDOW = 1 << 27  # 128 MB, libzstd's default cap (zstd --long=27 / --ultra -22)
MIN_EXPANSION_ALLOWANCE = 1 << 20  # a tiny compressed file may always inflate to 1 MB


class LimitExceeded(ValueError):
    """Input passed a reader limit. ``str(e)`` is a one-line reason that names the limit."""


# ---------------------------------------------------------------- decompression


def open_decompressed(path: Path, compression: str, max_expansion: float | None) -> IO[bytes]:
    """Open ``path`` as a bounded byte stream (see the module docstring).

    ``compression`` is ``""``, ``gzip``, ``zstd``, ``xz`` or ``bz2``. ``max_expansion`` (None:
    no check) caps the total output at that many times the file's size (at least 1 MB).
    Truncated or corrupt compressed data raises EOFError, OSError, zlib.error, LZMAError or
    ZstdError as the standard library would, after the data before the damage was returned.
    """
    raw = open(path, "rb")  # noqa: SIM115 - owned by the returned stream, closed with it
    try:
        inner: IO[bytes]
        if compression == "":
            return raw
        if compression == "gzip":
            inner = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
        elif compression == "zstd":
            inner = _ZstdStream(raw, path)  # type: ignore[assignment]
        elif compression == "xz":
            inner = _XzStream(raw)  # type: ignore[assignment]
        elif compression == "bz2":
            inner = bz2.BZ2File(raw)
        else:
            raise ValueError(f"unknown compression {compression!r}")
    except BaseException:
        raw.close()
        raise
    allowed = None
    if max_expansion is not None:
        allowed = max(int(max_expansion * os.fstat(raw.fileno()).st_size), MIN_EXPANSION_ALLOWANCE)
    return _Metered(inner, raw, allowed, max_expansion)  # type: ignore[return-value]


class _Metered(io.RawIOBase):
    """Count a decompressor's output; raise LimitExceeded past the expansion allowance."""

    def __init__(
        self, inner: IO[bytes], raw: IO[bytes], allowed: int | None, ratio: float | None
    ) -> None:
        self._inner = inner
        self._raw = raw
        self._allowed = allowed
        self._ratio = ratio
        self._read1: Callable[[int], bytes] = getattr(inner, "read1", inner.read)
        self.total = 0

    def readable(self) -> bool:
        return True

    def _count(self, data: bytes) -> bytes:
        self.total += len(data)
        if self._allowed is not None and self.total > self._allowed:
            raise LimitExceeded(
                _(
                    "the file inflates to more than {r:g} times its compressed size "
                    "(reader.max_expansion): a decompression bomb, or raise the limit"
                ).format(r=self._ratio)
            )
        return data

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while chunk := self.read1(CHUNK):
                parts.append(chunk)
            return b"".join(parts)
        return self._count(self._inner.read(size))

    def read1(self, size: int = -1) -> bytes:
        return self._count(self._read1(CHUNK if size is None or size < 0 else size))

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._raw.close()
            super().close()


class _ZstdStream(io.RawIOBase):
    """Decompress a (multi-frame) zstd file in bounded reads; ZstdError if it ends mid-frame.

    ``zstandard``'s stream reader bounds each read's output but returns a short read, without
    error, for a file cut inside a frame; so at the end the frame headers are walked to check
    that the last frame is whole.
    """

    def __init__(self, raw: IO[bytes], path: Path) -> None:
        self._path = path
        dctx = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW)
        self._reader: Any = dctx.stream_reader(
            raw, read_size=CHUNK, read_across_frames=True, closefd=False
        )
        self._checked = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        size = CHUNK if size is None or size < 0 else size
        data: bytes = self._reader.read(size)
        if not data and size and not self._checked:
            self._checked = True
            if not zstd_frames_complete(self._path):
                raise zstandard.ZstdError("file ends in the middle of a zstd frame")
        return data

    read1 = read

    def close(self) -> None:
        self._reader.close()
        super().close()


_ZSTD_MAGIC = 0xFD2FB528
_FCS_SIZES = ((0, 2, 4, 8), (1, 2, 4, 8))  # by Single_Segment flag, then FCS flag
_DICT_ID_SIZES = (0, 1, 2, 4)


def zstd_frames_complete(path: Path) -> bool:
    """True when the file is a whole number of complete zstd (and skippable) frames.

    Reads only frame and block headers (RFC 8878, section 3.1), seeking over block contents.
    Data that is not a zstd frame at all counts as complete: the decompressor reports it.
    """
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        pos = 0
        while pos < size:
            f.seek(pos)
            head = f.read(5)
            if len(head) < 4:
                return False
            magic = int.from_bytes(head[:4], "little")
            if magic & 0xFFFFFFF0 == 0x184D2A50:  # skippable frame: magic, 4-byte size, data
                f.seek(pos + 4)
                n = f.read(4)
                if len(n) < 4:
                    return False
                pos += 8 + int.from_bytes(n, "little")
                continue
            if magic != _ZSTD_MAGIC:
                return True
            if len(head) < 5:
                return False
            desc = head[4]
            single = (desc >> 5) & 1
            header = 1 + (0 if single else 1) + _DICT_ID_SIZES[desc & 3]
            header += _FCS_SIZES[single][desc >> 6]
            pos += 4 + header
            while True:
                f.seek(pos)
                block = f.read(3)
                if len(block) < 3:
                    return False
                value = int.from_bytes(block, "little")
                kind, block_size = (value >> 1) & 3, value >> 3
                pos += 3 + (1 if kind == 1 else block_size)  # an RLE block stores one byte
                if value & 1:
                    break
            pos += 4 if (desc >> 2) & 1 else 0  # content checksum
        return pos == size


class _XzStream(io.RawIOBase):
    """Decompress .xz/.lzma (multi-stream, with padding) in bounded reads, with a memory limit.

    ``lzma.LZMAFile`` has no memory limit: a header may ask for a 1.5 GB dictionary.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._dec: lzma.LZMADecompressor | None = None  # None: between streams
        self._buf = b""  # input read but not yet given to a decompressor
        self._eof = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        size = CHUNK if size is None or size < 0 else size
        while size and not self._eof:
            if self._dec is None:
                if not self._buf:
                    self._buf = self._raw.read(CHUNK)
                    if not self._buf:
                        self._eof = True
                        break
                self._buf = self._buf.lstrip(b"\0")  # stream padding
                if not self._buf:
                    continue
                self._dec = lzma.LZMADecompressor(memlimit=XZ_MEMLIMIT)
            data = b""
            if self._dec.needs_input:
                data, self._buf = self._buf or self._raw.read(CHUNK), b""
                if not data:
                    raise EOFError("Compressed file ended before the end-of-stream marker")
            out = self._dec.decompress(data, max_length=size)
            if self._dec.eof:
                self._buf, self._dec = self._dec.unused_data, None
            if out:
                return out
        return b""

    read1 = read

    def close(self) -> None:
        self._raw.close()
        super().close()


# ---------------------------------------------------------------- lines and whole files


def capped_lines(
    stream: IO[bytes], max_bytes: int, *, keepends: bool = False
) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines (split at ``\\n``) of a byte stream; ``None`` for a line over ``max_bytes``.

    An over-long line is reported as soon as it passes the limit, then its bytes are dropped
    as they arrive and reading resumes after its end, so memory stays under ``max_bytes`` plus
    one read. Reads in small steps
    (``read1``) so that lines before a corrupt or truncated part are still yielded.
    ``keepends`` keeps each line's ``\\n`` (not counted in the limit).
    """
    read1 = getattr(stream, "read1", stream.read)
    pending: list[bytes] = []
    size = 0
    n = 0
    too_long = False  # the current line was reported (None) and is being skipped
    while chunk := read1(CHUNK):
        parts = chunk.split(b"\n")
        last = parts.pop()
        for part in parts:
            n += 1
            if too_long:
                pass
            elif size + len(part) > max_bytes:
                yield n, None
            else:
                line = b"".join((*pending, part)) if pending else part
                yield n, line + b"\n" if keepends else line
            pending, size, too_long = [], 0, False
        if last and not too_long:
            if size + len(last) > max_bytes:
                pending, size, too_long = [], 0, True
                yield n + 1, None  # now: the rest of the line may never come (a bomb)
            else:
                pending.append(last)
                size += len(last)
    if pending and not too_long:
        yield n + 1, b"".join(pending)


def read_capped(stream: IO[bytes], max_bytes: int) -> bytes | None:
    """The whole stream, or None as soon as it is longer than ``max_bytes`` (not read on)."""
    read1 = getattr(stream, "read1", stream.read)
    chunks: list[bytes] = []
    total = 0
    while chunk := read1(min(CHUNK * 16, max_bytes + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            return None
    return b"".join(chunks)


# ---------------------------------------------------------------- HTTP bodies (WARC)


def http_body(
    stream: Any, *, transfer_encoding: str, content_encoding: str, max_bytes: int
) -> bytes | None:
    """A WARC record's HTTP body, de-chunked and decoded, or None past ``max_bytes``.

    ``stream`` has ``read(n)`` and ``readline(n)`` (warcio's record stream, positioned after
    the HTTP headers). Unknown content codings are returned as stored; a body that does not
    decode from its first bytes is taken as stored (servers mislabel bodies), one that breaks
    later ends there: the same leniency as warcio's own ``content_stream()``, but every step
    inflates at most ``max_bytes + 1`` bytes.
    """
    chunked = transfer_encoding.strip().lower() == "chunked"
    pieces = _dechunked(stream) if chunked else iter(lambda: stream.read(CHUNK), b"")
    out = bytearray()
    decoder = _decoder(content_encoding.strip().lower())
    for piece in pieces:
        if decoder is None:
            out += piece
        else:
            try:
                decoder.feed(piece, out, max_bytes + 1 - len(out))
            except _DecodeError:
                if decoder.started:
                    break
                out += decoder.consumed  # not encoded after all
                decoder = None
        if len(out) > max_bytes or (decoder is not None and len(decoder.consumed) > max_bytes):
            return None
    return bytes(out)


class _DecodeError(Exception):
    pass


class _Decoder:
    """A content decoder fed in pieces, appending at most ``room`` bytes per call."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.started = False  # produced output: later errors end the body
        self.consumed = b""  # input fed before any output (to fall back to "as stored")
        self._zlib: Any = None
        self._brotli: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        else:  # br
            self._brotli = importlib.import_module("brotli").Decompressor()

    def feed(self, data: bytes, out: bytearray, room: int) -> None:
        if not self.started:
            self.consumed += data
        try:
            if self._zlib is not None:
                self._feed_zlib(data, out, room)
            else:
                self._feed_brotli(data, out, room)
        except _DecodeError:
            raise
        except Exception as e:  # zlib.error, brotli.error
            if self.encoding == "deflate" and not self.started and self._zlib is not None:
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
                self.encoding = "deflate-raw"
                data, self.consumed = self.consumed, b""
                self.feed(data, out, room)
                return
            raise _DecodeError(str(e)) from None
        if out:
            self.started = True
            self.consumed = b""

    def _feed_zlib(self, data: bytes, out: bytearray, room: int) -> None:
        while room > 0 and not self._zlib.eof:
            piece = self._zlib.decompress(data, room)
            out += piece
            room -= len(piece)
            data = self._zlib.unconsumed_tail
            if not data and room > 0:
                return

    def _feed_brotli(self, data: bytes, out: bytearray, room: int) -> None:
        dec = self._brotli
        while room > 0 and not dec.is_finished():
            piece = dec.process(data, output_buffer_limit=room)
            out += piece
            room -= len(piece)
            data = b""
            if dec.can_accept_more_data():
                return


def _decoder(encoding: str) -> _Decoder | None:
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Decoder(encoding)
    if encoding == "br":
        try:  # brotli is optional; only a version with output_buffer_limit is bounded
            importlib.import_module("brotli").Decompressor().process(b"", output_buffer_limit=1)
        except (ImportError, TypeError, AttributeError):
            return None  # no (bounded) brotli here: keep the body as stored
        return _Decoder(encoding)
    return None


def _dechunked(stream: Any) -> Iterator[bytes]:
    """HTTP/1.1 chunked transfer coding, in pieces of at most CHUNK bytes.

    A first size line that does not parse means the body was stored de-chunked: it is then
    passed on as is. A later broken line ends the body.
    """
    first = True
    while True:
        line = stream.readline(64)
        try:
            if not line.endswith(b"\n"):
                raise ValueError
            size = int(line.split(b";", 1)[0].strip(), 16)
            if size < 0:
                raise ValueError
        except ValueError:
            if first:
                yield line
                yield from iter(lambda: stream.read(CHUNK), b"")
            return
        first = False
        if size == 0:
            return
        while size > 0:
            data = stream.read(min(size, CHUNK))
            if not data:
                return
            size -= len(data)
            yield data
        stream.readline(2)  # the CRLF after the chunk
