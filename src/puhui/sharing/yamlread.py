"""Bounded reading of the sharing engine's YAML files, keeping where each value was written
(:mod:`puhui.yamlmarks`, with strict scalars).

A file is read through :func:`read_marked`, which stops one byte past its cap (a huge file or a
pipe never fills memory) and keeps the YAML node tree, so a checker can name ``FILE:LINE`` for
any field. Two YAML 1.1 surprises are switched off, because these files are full of country
codes and dates: ``NO`` (Norway), ``ON`` or ``Y`` stay strings (only ``true`` / ``false`` are
booleans), and ``2026-12-03`` stays a string (the checker parses dates itself, so a bad date is
a one-line error, not a crash). A key written twice in one mapping is reported too.
"""

from __future__ import annotations

from pathlib import Path

from puhui.yamlmarks import Marked
from puhui.yamlmarks import parse as _parse


class TooLarge(Exception):
    """A file is larger than its cap."""


def parse(text: str) -> Marked:
    """Parse one YAML document with strict scalars (:func:`puhui.yamlmarks.parse`)."""
    return _parse(text, strict_scalars=True)


def read_marked(path: Path, limit: int) -> Marked:
    """Read ``path`` (at most ``limit`` bytes, UTF-8, a leading BOM dropped) and parse it.

    Raises :class:`TooLarge`, :class:`OSError`, :class:`UnicodeDecodeError` or
    :class:`yaml.YAMLError`; the caller turns them into one-line errors.
    """
    with path.open("rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(str(limit))
    return parse(data.decode("utf-8-sig"))


__all__ = ["Marked", "TooLarge", "parse", "read_marked"]
