"""Content-addressed file store: every file kept once, at ``blobs/sha256/ab/cd/<sha256>``.

A blob is written to a temporary file, hashed while it is written, fsynced, then renamed into
place, so a half-written upload never appears under a hash. A publish *stages* its files that
way and keeps them only once the whole upload has been accepted (:func:`stage`, :func:`keep`,
:func:`discard`): a refused upload leaves nothing in the store. Folders are 0700 and blobs 0600,
readable by the hub's own user only. Serving supports one HTTP byte range (``Range:
bytes=a-b``, ``a-``, ``-n``), enough to resume a download. :func:`collect` removes blobs no item
holds (left by a publish that failed after its files were kept, or by a crash) and partial
uploads, once they are old enough that no publish in progress can still be about to use them.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20
_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f\\:*?\"<>|]")


def safe_path(rel: str) -> bool:
    """A relative POSIX path with no ``..``, hidden, empty or control-character segment."""
    if not rel or len(rel) > 500 or rel.startswith("/") or _BAD_CHARS.search(rel):
        return False
    parts = rel.split("/")
    return all(
        p and p not in (".", "..") and not p.startswith(".") and len(p) <= 255 for p in parts
    )


def root() -> Path:
    return Path(settings.PUHUI["blob_dir"])


def blob_path(sha256: str) -> Path:
    if not SHA256_RE.match(sha256):
        raise ValueError(f"not a sha256: {sha256!r}")
    return root() / "sha256" / sha256[:2] / sha256[2:4] / sha256


def has(sha256: str) -> bool:
    return blob_path(sha256).is_file()


#: Functions asked, in order, for a file an item lists but the store lacks; each returns True
#: once the store holds it (federation fetches a mirrored item's file from its origin hub).
FETCHERS: list[Callable[[str], bool]] = []


def fetch_missing(sha256: str) -> bool:
    """Whether one of :data:`FETCHERS` brought the missing blob ``sha256`` into the store."""
    return any(fetch(sha256) for fetch in FETCHERS)


class Refused(Exception):
    """``stage``'s ``accept`` said no: nothing was kept. Holds what the stream hashed to."""

    def __init__(self, sha256: str, size: int) -> None:
        super().__init__(sha256)
        self.sha256 = sha256
        self.size = size


@dataclass(frozen=True)
class Staged:
    """Content hashed into a temporary file, not yet in the store: :func:`keep` or
    :func:`discard` it."""

    sha256: str
    size: int
    tmp: Path


def stage(stream: IO[bytes], accept: Callable[[str, int], bool] | None = None) -> Staged:
    """Hash what ``stream`` yields into a temporary file beside the store.

    ``accept(sha256, size)``, when given, is asked once the content is hashed: on False the
    temporary file is removed and :class:`Refused` raised.
    """
    tmp_dir = root() / "tmp"
    tmp_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, suffix=".part")
    tmp = Path(name)
    h = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(_CHUNK):
                h.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        digest = h.hexdigest()
        if accept is not None and not accept(digest, size):
            raise Refused(digest, size)
        return Staged(digest, size, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def keep(staged: Staged) -> None:
    """Move staged content into the store under its hash (once: a second copy is dropped)."""
    final = blob_path(staged.sha256)
    if final.is_file():
        staged.tmp.unlink(missing_ok=True)
        os.utime(final)  # fresh again: collect() leaves recently sent blobs alone
        return
    final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(staged.tmp, 0o600)  # private items' files too: readable by the hub's user only
    os.replace(staged.tmp, final)


def discard(staged: Staged) -> None:
    staged.tmp.unlink(missing_ok=True)


def read_bytes(sha256: str, limit: int | None = None) -> bytes:
    with open(blob_path(sha256), "rb") as f:
        return f.read() if limit is None else f.read(limit)


def parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    """``(start, end_inclusive)`` for one satisfiable range; None to send everything (no or
    several ranges, or a malformed header); ``"unsatisfiable"`` for a range past the end."""
    m = _RANGE_RE.match(header.strip().replace(" ", ""))
    if not m:
        return None
    first, last = m.group(1), m.group(2)
    if first == "" and last == "":
        return None
    if first == "":
        n = int(last)
        if n == 0:
            return "unsatisfiable"
        return max(0, size - n), size - 1
    start = int(first)
    if start >= size:
        return "unsatisfiable"
    end = int(last) if last else size - 1
    if end < start:
        return None
    return start, min(end, size - 1)


def iter_range(sha256: str, start: int, end: int) -> Iterator[bytes]:
    """Yield bytes ``start..end`` (inclusive) of a blob."""
    with open(blob_path(sha256), "rb") as f:
        f.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = f.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk


def collect(
    referenced: set[str], older_than: float, *, dry_run: bool = False
) -> list[tuple[Path, int]]:
    """Remove blobs whose hash is not in ``referenced`` and leftover partial uploads, when last
    written more than ``older_than`` seconds ago; return (path, size) of what was (or, with
    ``dry_run``, would be) removed."""
    base = root()
    cutoff = time.time() - older_than
    gone: list[tuple[Path, int]] = []
    candidates = [
        *((p, p.name not in referenced) for p in (base / "sha256").glob("??/??/*")),
        *((p, True) for p in (base / "tmp").glob("*.part")),
    ]
    for path, unused in candidates:
        try:
            st = path.stat()
            if unused and path.is_file() and st.st_mtime < cutoff:
                if not dry_run:
                    path.unlink()
                gone.append((path, st.st_size))
        except FileNotFoundError:
            continue  # removed meanwhile
    return gone
