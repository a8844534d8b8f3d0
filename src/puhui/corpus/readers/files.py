"""Input files: what a build reads (:func:`discover`, :func:`classify`) and what reading
yields (:class:`Document`, :class:`Problem`, :class:`Skipped`, :class:`ReaderOptions`)."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from puhui.i18n import _

TEXT_FIELDS = ("text", "content", "body", "document", "sentence", "tweet", "article", "raw")
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd", ".xz": "xz", ".bz2": "bz2"}
FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xml": "xml",
    ".warc": "warc",
}


@dataclass(slots=True)
class Document:
    """Raw text and its origin (``source``: ``path:line``, ``path#row`` or ``path@offset``)."""

    source: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Problem:
    """Input that could not be read, and why (one line)."""

    source: str
    error: str


@dataclass(frozen=True)
class Skipped:
    """A path under an input folder that was deliberately not read, and why (one line)."""

    name: str
    reason: str


@dataclass(frozen=True)
class ReaderOptions:
    text_field: str | None = None  # None: the first of TEXT_FIELDS present
    txt_unit: str = "file"  # file | paragraph | line
    html: bool = True  # extract main text from HTML (False: keep markup-stripped text)
    max_record_mb: float = 8.0  # one line, row, WARC page, paragraph or one-document file
    max_file_mb: float = 32.0  # a .json file, parsed whole
    max_expansion: float | None = 100.0  # compressed files: output / size (None: unchecked)

    @property
    def record_bytes(self) -> int:
        return int(self.max_record_mb * 2**20)

    @property
    def file_bytes(self) -> int:
        return int(self.max_file_mb * 2**20)


@dataclass(frozen=True)
class InputFile:
    """One file to read. ``name`` is its path relative to the input root (used in sources)."""

    path: Path
    name: str
    format: str  # one of FORMATS' values, or "" when unsupported
    compression: str  # "" or one of COMPRESSIONS' values


def classify(path: Path) -> tuple[str, str]:
    suffixes = [s.lower() for s in path.suffixes]
    compression = ""
    if suffixes and suffixes[-1] in COMPRESSIONS:
        compression = COMPRESSIONS[suffixes.pop()]
    fmt = FORMATS.get(suffixes[-1], "") if suffixes else ""
    return fmt, compression


def discover(
    inputs: Sequence[str | os.PathLike[str]], skipped: list[Skipped] | None = None
) -> list[InputFile]:
    """Every file under the inputs (folders recursively), in a stable order.

    Hidden files and folders (starting with ``.``) are skipped silently. Inside an input
    folder, symbolic links that lead out of it (to a file or a folder), broken links, links to
    folders (never followed: a target inside the input is read where it lies) and anything that
    is not a regular file (a pipe, a device) are not read; each is appended to ``skipped``
    with the reason. An input named directly is read even when it is a link: the user chose it.
    Raises FileNotFoundError for an input that does not exist.
    """
    found: list[InputFile] = []
    notes: list[Skipped] = [] if skipped is None else skipped
    for raw in inputs:
        root = Path(raw)
        if not root.exists():
            raise FileNotFoundError(str(root))
        if root.is_file():
            fmt, comp = classify(root)
            found.append(InputFile(root, root.name, fmt, comp))
            continue
        prefix = root.name or str(root)
        real_root = root.resolve()
        for dirpath, dirnames, filenames in os.walk(root):  # never enters folder links
            kept_dirs = []
            for d in sorted(dirnames):
                if d.startswith("."):
                    continue
                p = Path(dirpath, d)
                if p.is_symlink():
                    name = f"{prefix}/{p.relative_to(root).as_posix()}"
                    notes.append(Skipped(name, _link_reason(p, real_root, folder=True)))
                    continue
                kept_dirs.append(d)
            dirnames[:] = kept_dirs
            for fname in sorted(filenames):
                if fname.startswith("."):
                    continue
                p = Path(dirpath, fname)
                name = f"{prefix}/{p.relative_to(root).as_posix()}"
                why = _skip_reason(p, real_root)
                if why:
                    notes.append(Skipped(name, why))
                    continue
                fmt, comp = classify(p)
                found.append(InputFile(p, name, fmt, comp))
    return found


def _link_reason(p: Path, real_root: Path, *, folder: bool) -> str:
    target = p.resolve()
    if not target.exists():
        return _("broken symbolic link: not read")
    if not target.is_relative_to(real_root):
        if folder:
            return _("symbolic link to a folder outside the input folder: not followed")
        return _(
            "symbolic link to a file outside the input folder: not read "
            "(name the file itself as an input to read it)"
        )
    return _("symbolic link to a folder: not followed (what it points to inside the input is read)")


def _skip_reason(p: Path, real_root: Path) -> str | None:
    """Why a file found under an input folder is not read, or None to read it."""
    if p.is_symlink():
        target = p.resolve()
        if not target.exists() or not target.is_relative_to(real_root):
            return _link_reason(p, real_root, folder=False)
    try:
        mode = p.stat().st_mode
    except OSError as e:
        return _("cannot be opened: {why}").format(why=e.strerror)
    if not stat.S_ISREG(mode):
        return _("not a regular file (a pipe, socket or device): not read")
    return None
