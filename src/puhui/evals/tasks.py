"""Suites: find a suite by name or path and load it into typed tasks.

A *task* is samples (each with a BCP-47 language and optional group attributes) + how to ask
for them + a scorer + metrics; a *suite* is tasks + thresholds (:mod:`puhui.evals.types`).
Suites are YAML files (format: ``evals/FORMAT.md``); each task's ``kind:`` picks the task kind
(:mod:`puhui.evals.kinds`) that validates and reads it. Bundled suites live in
``puhui/content/suites/``; plugins add more. Every mistake in a suite file is a one-line
:class:`~puhui.errors.PuhuiError` naming the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import yaml

from puhui.errors import PuhuiError, yaml_error
from puhui.evals import kinds, plugins

# The suite-data helpers (data.py) and the types (types.py) were defined here before the evals
# core was split; programs import them from here (``from puhui.evals.tasks import
# load_suite, iter_samples, read_data_file``), so they stay importable here.
from puhui.evals.data import MAX_DATA_BYTES, inside_suite, iter_samples, need, read_data_file
from puhui.evals.generate import UNPARSED, unparsed_policy
from puhui.evals.types import Sample, Suite, Task, Template
from puhui.i18n import _

__all__ = [
    "MAX_DATA_BYTES",
    "UNPARSED",
    "Sample",
    "Suite",
    "Task",
    "Template",
    "bundled_dir",
    "bundled_names",
    "find_suite",
    "inside_suite",
    "iter_samples",
    "load_suite",
    "read_data_file",
]


def bundled_dir() -> Path:
    return Path(str(resources.files("puhui.content").joinpath("suites")))


def bundled_names() -> list[str]:
    root = bundled_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "suite.yaml").is_file())


def find_suite(name_or_path: str) -> Path:
    """A bundled suite name, a folder holding suite.yaml, or a YAML file."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    if p.is_dir() and (p / "suite.yaml").is_file():
        return p / "suite.yaml"
    bundled = bundled_dir() / name_or_path / "suite.yaml"
    if bundled.is_file():
        return bundled
    plugged = plugins.suite_file(name_or_path)
    if plugged is not None:
        return plugged
    raise PuhuiError(
        _("unknown suite {name!r}").format(name=name_or_path),
        _("see `puhui eval list`, or give a suite folder or YAML file"),
    )


def load_suite(name_or_path: str, *, data_override: Mapping[str, Path] | None = None) -> Suite:
    """Load and validate a suite. ``data_override`` maps task names to the user's full data
    (the user's own choice: it may be anywhere, unlike the suite's ``data:`` paths)."""
    path = find_suite(name_or_path)
    where = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise yaml_error(path, e) from None
    if not isinstance(doc, dict):
        raise PuhuiError(_("{p}: expected a mapping with name and tasks").format(p=path), None)
    name = need(doc, "name", str, where)
    tasks_raw = need(doc, "tasks", list, where)
    suite_unparsed = unparsed_policy(doc, "wrong", f"{where}: unparsed")
    tasks: list[Task] = []
    for i, t in enumerate(tasks_raw):
        at = f"{where}: tasks[{i}]"
        if not isinstance(t, dict):
            raise PuhuiError(_("{at}: expected a mapping").format(at=at), None)
        tname = need(t, "name", str, at)
        kind = kinds.get(str(t.get("kind", kinds.DEFAULT)), at)
        if "unparsed" in doc and "unparsed" not in t:
            t = {**t, "unparsed": suite_unparsed}  # the suite's policy is the task's default
        tasks.append(kind.parse(t, at, name, path.parent, (data_override or {}).get(tname)))
    thresholds = doc.get("thresholds") or {}
    if not isinstance(thresholds, dict):
        raise PuhuiError(_("{p}: thresholds must be a mapping").format(p=path), None)
    return Suite(
        name=name,
        title=str(doc.get("title") or name),
        description=str(doc.get("description") or ""),
        license=str(doc.get("license") or "unknown"),
        tasks=tuple(tasks),
        thresholds={str(k): dict(v) for k, v in thresholds.items()},
        path=path,
        risk_areas=tuple(str(a) for a in doc.get("risk_areas") or ()),
    )
