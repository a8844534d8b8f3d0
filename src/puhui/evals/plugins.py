"""Plugins: installed packages add suites, scorers and task kinds through Python entry points.

A package declares, in its ``pyproject.toml``::

    [project.entry-points."puhui.suites"]
    hausa-health = "my_package:SUITE_DIR"      # a folder holding suite.yaml, a suite.yaml path,
                                               # or a function returning either

    [project.entry-points."puhui.scorers"]
    my-scorer = "my_package.scoring:score"     # (sample, response, options) -> Score

    [project.entry-points."puhui.task_kinds"]
    my-kind = "my_package.kind:KIND"           # an object with name, default_model, parse,
                                               # run and finish (see puhui.evals.kinds.Kind)

Plugin suites are listed by ``puhui eval list`` next to the bundled ones and run by name; a
plugin scorer is named in ``suite.yaml`` like a built-in one, and so is a plugin task kind
(``kind:``). Built-in names win over plugins, so installing a package never changes what an
existing suite means. Nothing is imported until a plugin is used, and a broken plugin gives a
one-line error naming its entry point.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from puhui.errors import PuhuiError
from puhui.i18n import _

SUITES = "puhui.suites"
#: The entry-point group of plugin scorers (the registry of built-ins is ``scoring.SCORERS``).
SCORER_GROUP = "puhui.scorers"
#: The entry-point group of plugin task kinds (the registry is :mod:`puhui.evals.kinds`).
KIND_GROUP = "puhui.task_kinds"


@cache
def entry_points(group: str) -> dict[str, metadata.EntryPoint]:
    """Entry points of ``group`` by name (the first installed distribution wins)."""
    found: dict[str, metadata.EntryPoint] = {}
    for ep in metadata.entry_points(group=group):
        found.setdefault(ep.name, ep)
    return found


def _origin(ep: metadata.EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    name = getattr(dist, "name", None) if dist is not None else None
    return f"{ep.group}:{ep.name} = {ep.value}" + (f" ({name})" if name else "")


def _load(ep: metadata.EntryPoint) -> Any:
    try:
        return ep.load()
    except Exception as e:  # a plugin's bug must not surface as our traceback
        raise PuhuiError(
            _("plugin {ep} failed to load: {why}").format(
                ep=_origin(ep), why=f"{type(e).__name__}: {e}"
            ),
            _("fix or uninstall the package that declares it"),
        ) from None


def suite_names() -> list[str]:
    return sorted(entry_points(SUITES))


def suite_file(name: str) -> Path | None:
    """The suite.yaml a plugin registered under ``name``, or None when there is no such plugin."""
    ep = entry_points(SUITES).get(name)
    if ep is None:
        return None
    value = _load(ep)
    if callable(value):
        try:
            value = value()
        except Exception as e:
            raise PuhuiError(
                _("plugin {ep} failed: {why}").format(
                    ep=_origin(ep), why=f"{type(e).__name__}: {e}"
                ),
                _("fix or uninstall the package that declares it"),
            ) from None
    path = Path(str(value))
    if path.is_dir():
        path = path / "suite.yaml"
    if not path.is_file():
        raise PuhuiError(
            _("plugin {ep} points at {p}, which holds no suite.yaml").format(
                ep=_origin(ep), p=path
            ),
            _("name a suite folder, a suite.yaml, or a function returning one"),
        )
    return path


def scorer(name: str) -> Callable[..., Any] | None:
    """The scorer function a plugin registered under ``name``, or None."""
    ep = entry_points(SCORER_GROUP).get(name)
    if ep is None:
        return None
    value = _load(ep)
    if not callable(value):
        raise PuhuiError(
            _("plugin {ep} is not a function").format(ep=_origin(ep)),
            _("a scorer is a function (sample, response, options) -> Score"),
        )
    return value  # type: ignore[no-any-return]


def kind(name: str) -> Any | None:
    """The task kind a plugin registered under ``name``, or None (checked by the kind
    registry, :func:`puhui.evals.kinds.get`)."""
    ep = entry_points(KIND_GROUP).get(name)
    if ep is None:
        return None
    value = _load(ep)
    missing = [
        a for a in ("name", "default_model", "parse", "run", "finish") if not hasattr(value, a)
    ]
    if missing:
        raise PuhuiError(
            _("plugin {ep} is not a task kind (it lacks {names})").format(
                ep=_origin(ep), names=", ".join(missing)
            ),
            _("a task kind has name, default_model, parse, run and finish"),
        )
    return value
