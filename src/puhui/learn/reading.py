"""Bounded reading of a course's files: size caps enforced while reading, YAML with line marks.

Every course file is read through :func:`read_bytes`, which stops one byte past the cap, so a
huge or endless file (a pipe, a device) never fills memory. YAML is composed into nodes (which
keep their line numbers) and then constructed, so a checker can say where a field was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from puhui.i18n import _

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


@dataclass(frozen=True)
class Marked:
    """A YAML document: its Python value and its node tree (which knows line numbers)."""

    value: Any
    node: yaml.Node | None
    first_line: int = 1  # the file line of the document's first line (front matter: 2)

    def line(self, path: Sequence[str | int] = ()) -> int:
        """The file line where the value at ``path`` (keys and list indices) was written (a
        key's own line for a mapping entry); the deepest existing part's line when the full
        path is not there."""
        node = self.node
        if node is None:
            return self.first_line
        line = node.start_mark.line
        for step in path:
            child: yaml.Node | None = None
            at = line
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == step:
                        child, at = value, key.start_mark.line
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(step, int)
                and 0 <= step < len(node.value)
            ):
                child = node.value[step]
                at = child.start_mark.line
            if child is None:
                break
            node, line = child, at
        return line + self.first_line


def load_marked(text: str, first_line: int = 1) -> Marked:
    """Parse one YAML document keeping its nodes; raises :class:`yaml.YAMLError`."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return Marked(value, node, first_line)
