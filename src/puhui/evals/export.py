"""A suite as an artifact: its folder copied with a manifest, so it can be pinned and published.

``puhui eval export sib200 --out suites/sib200`` copies the suite's folder (suite.yaml, data,
LICENSE, SOURCE.md) and writes a ``manifest.json`` of kind ``suite`` whose parameters say what
the suite is (name, title, tasks, languages, licence, risk areas). A hub lists it as a suite item,
and runs of that suite published to the same hub link to it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from puhui.artifacts import Manifest, write_manifest
from puhui.errors import PuhuiError
from puhui.evals.tasks import find_suite, load_suite
from puhui.i18n import _


def export_suite(name_or_path: str, out: Path) -> Manifest:
    """Copy the suite ``name_or_path`` into ``out`` (new or empty) and seal it with a manifest."""
    suite = load_suite(name_or_path)  # a broken suite fails here, with its one-line error
    folder = find_suite(name_or_path).parent
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PuhuiError(
            _("`out` {p} exists and is not an empty folder").format(p=out),
            _("give a new folder"),
        )
    if out.resolve().is_relative_to(folder.resolve()):
        raise PuhuiError(
            _("`out` {p} is inside the suite's own folder").format(p=out), _("give a new folder")
        )
    shutil.copytree(
        folder,
        out,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", ".*", "manifest.json"),
    )
    return write_manifest(
        out,
        "suite",
        parameters={
            "name": suite.name,
            "title": suite.title,
            "description": suite.description,
            "license": suite.license,
            "tasks": [t.name for t in suite.tasks],
            "languages": suite.languages,
            "risk_areas": list(suite.risk_areas),
            "samples": sum(len(t.samples) for t in suite.tasks),
        },
        command="puhui eval export",
    )
