"""Bounded reading of a course's files: size caps enforced while reading, YAML with line marks.

Every course file is read through :func:`read_bytes`, which stops one byte past the cap, so a
huge or endless file (a pipe, a device) never fills memory. YAML is read with
:mod:`puhui.yamlmarks`, which keeps line numbers, so a checker can say where a field was written.
"""

from __future__ import annotations

from pathlib import Path

from puhui.i18n import _
from puhui.yamlmarks import Marked, parse

KIB = 1024
MIB = 1024 * KIB
#: Caps per kind of file: course.yaml, a lesson or quiz file, an image.
COURSE_YAML_MAX = 256 * KIB
TEXT_MAX = 1 * MIB
IMAGE_MAX = 2 * MIB


class TooLarge(Exception):
    """A file is larger than its cap (the message says the cap)."""


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, reading at most ``limit`` + 1 bytes; :class:`TooLarge` past it."""
    with path.open("rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(_("larger than {n} KiB").format(n=limit // KIB))
    return data


def read_text(path: Path, limit: int) -> str:
    """UTF-8 text of ``path`` (a leading BOM dropped), bounded as :func:`read_bytes`."""
    return read_bytes(path, limit).decode("utf-8-sig")


def load_marked(text: str, first_line: int = 1) -> Marked:
    """Parse one YAML document keeping its nodes (:func:`puhui.yamlmarks.parse`); raises
    :class:`yaml.YAMLError`."""
    return parse(text, first_line)


__all__ = ["Marked", "TooLarge", "load_marked", "read_bytes", "read_text"]
