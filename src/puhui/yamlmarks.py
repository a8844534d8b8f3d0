"""YAML that remembers where each value was written, so a checker can name ``FILE:LINE``.

:func:`parse` keeps the document's node tree beside its value; :meth:`Marked.line` walks it to
the line of any field, and :attr:`Marked.duplicates` lists keys written twice in one mapping
(which plain YAML loading silently overwrites). With ``strict_scalars`` two YAML 1.1 surprises
are switched off for files full of codes and dates: ``NO`` (Norway), ``ON`` or ``Y`` stay
strings (only ``true`` / ``false`` are booleans) and ``2026-12-03`` stays a string (the checker
parses dates itself, so a bad date is a one-line error, not a crash). Course files, the
jurisdiction profiles and anything else a person writes by hand are read this way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

Path_ = tuple[str | int, ...]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's yes/no/on/off booleans and implicit timestamps."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True)
class Marked:
    """One YAML document: its Python value, its node tree, and the keys written twice.

    ``first_line`` is the file line of the document's first line (2 for Markdown front matter
    after its ``---``); :meth:`line` answers in file lines."""

    value: Any
    node: yaml.Node | None
    first_line: int = 1
    duplicates: tuple[tuple[Path_, int], ...] = ()  # (path of the key, file line)

    def line(self, path: Sequence[str | int] = ()) -> int:
        """The file line where the value at ``path`` (keys and list indices) was written (a
        mapping entry: its key's line); the deepest existing part's line when the full path is
        not there."""
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


def _duplicates(node: yaml.Node, path: Path_, first: int, found: list[tuple[Path_, int]]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            if name in seen:
                found.append(((*path, name), key.start_mark.line + first))
            seen.add(name)
            _duplicates(value, (*path, name), first, found)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _duplicates(item, (*path, i), first, found)


def parse(text: str, first_line: int = 1, *, strict_scalars: bool = False) -> Marked:
    """Parse one YAML document keeping its nodes; raises :class:`yaml.YAMLError`."""
    loader = (_StrictLoader if strict_scalars else yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    found: list[tuple[Path_, int]] = []
    if node is not None:
        _duplicates(node, (), first_line, found)
    return Marked(value, node, first_line, tuple(found))
