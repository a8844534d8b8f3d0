"""A bounded reader of zip members, Zstandard included (Inspect writes ``.eval`` logs with it).

A member declaring more than :data:`MAX_ZIP_MEMBER` uncompressed bytes is refused before it is
inflated, and no member is inflated past its declared size.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from puhui.errors import PuhuiError
from puhui.evals.imports.source import _fail
from puhui.i18n import _

_ZSTD = 93  # zip compression method id of Zstandard (Inspect writes .eval logs with it)
MAX_ZIP_MEMBER = 128 << 20  # one member of a .eval log, uncompressed (samples are ~10 KB-10 MB)


def _zip_member(zf: zipfile.ZipFile, path: Path, name: str) -> bytes:
    """One member's bytes; Zstandard (method 93, which zipfile lacks before 3.14) by hand.

    Bounded while reading: a member declaring more than ``MAX_ZIP_MEMBER`` uncompressed bytes
    is refused before it is inflated, and no member is inflated past its declared size (a zstd
    frame may carry its own, larger, content size: it is not trusted).
    """
    info = zf.getinfo(name)
    if info.file_size > MAX_ZIP_MEMBER:
        _fail(
            path,
            _("{m} is {n} MB uncompressed, over the {cap} MB limit for one member").format(
                m=name, n=round(info.file_size / 2**20), cap=MAX_ZIP_MEMBER // 2**20
            ),
            _("this is not a log Inspect writes; get the original .eval file"),
        )
    try:
        if info.compress_type != _ZSTD:
            with zf.open(info) as member:  # zipfile stops at the declared size, checks the CRC
                data = _read_upto(member, info.file_size + 1)
        else:
            import zstandard

            with open(path, "rb") as f:
                f.seek(info.header_offset)
                head = f.read(30)
                if len(head) < 30 or head[:4] != b"PK\x03\x04":
                    raise zipfile.BadZipFile("bad local header")
                name_len, extra_len = struct.unpack("<HH", head[26:30])
                f.seek(info.header_offset + 30 + name_len + extra_len)
                raw = f.read(info.compress_size)
            dctx = zstandard.ZstdDecompressor(max_window_size=1 << 27)
            with dctx.stream_reader(raw, read_across_frames=True) as reader:
                data = _read_upto(reader, info.file_size + 1)
        if len(data) > info.file_size:
            _fail(
                path,
                _("{m}: inflates to more than the {n} bytes the zip directory declares").format(
                    m=name, n=info.file_size
                ),
                _("the file is damaged or was crafted; get the original .eval file"),
            )
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            raise zipfile.BadZipFile("CRC or size mismatch")
        return data
    except PuhuiError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as e:
        _fail(path, _("{m}: damaged ({why})").format(m=name, why=e), _("get an intact copy"))
    except Exception as e:  # zstandard.ZstdError and friends
        _fail(path, _("{m}: damaged ({why})").format(m=name, why=e), _("get an intact copy"))


def _read_upto(stream: Any, limit: int) -> bytes:
    """Read a stream to its end or to ``limit`` bytes, whichever comes first, in bounded steps."""
    chunks: list[bytes] = []
    total = 0
    while total < limit and (chunk := stream.read(min(1 << 20, limit - total))):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)
