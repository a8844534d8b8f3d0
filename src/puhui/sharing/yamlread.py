"""Bounded reading of the sharing engine's YAML files, keeping where each value was written.

A file is read through :func:`read_marked`, which stops one byte past its cap (a huge file or a
pipe never fills memory) and keeps the YAML node tree, so a checker can name ``FILE:LINE`` for
any field. Two YAML 1.1 surprises are switched off, because these files are full of country
codes and dates: ``NO`` (Norway), ``ON`` or ``Y`` stay strings (only ``true`` / ``false`` are
booleans), and ``2026-12-03`` stays a string (the checker parses dates itself, so a bad date is
a one-line error, not a crash). A key written twice in one mapping is reported too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's yes/no/on/off booleans and implicit timestamps."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class TooLarge(Exception):
    """A file is larger than its cap."""


@dataclass(frozen=True)
class Marked:
    """One YAML document: its Python value, its node tree, and keys written twice."""

    value: Any
    node: yaml.Node | None
    duplicates: tuple[tuple[tuple[str | int, ...], int], ...] = ()  # (path of the key, line)

    def line(self, path: Sequence[str | int] = ()) -> int:
        """The 1-based line where the value at ``path`` was written (a mapping entry: its key's
        line); the deepest existing part's line when the full path is not there."""
        node = self.node
        if node is None:
            return 1
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
        return line + 1


def _duplicates(
    node: yaml.Node, path: tuple[str | int, ...], found: list[tuple[tuple[str | int, ...], int]]
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            if name in seen:
                found.append(((*path, name), key.start_mark.line + 1))
            seen.add(name)
            _duplicates(value, (*path, name), found)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _duplicates(item, (*path, i), found)


def parse(text: str) -> Marked:
    """Parse one YAML document keeping its nodes; raises :class:`yaml.YAMLError`."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    found: list[tuple[tuple[str | int, ...], int]] = []
    if node is not None:
        _duplicates(node, (), found)
    return Marked(value, node, tuple(found))


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
