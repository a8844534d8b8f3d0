"""Puhui: build local-language AI capacity offline — corpora, evaluations, risk assessments,
signed certificates and a hub.

From Python (a walkthrough: docs/python.md)::

    import puhui

    corpus = puhui.build_corpus(["raw/"], "corpus")           # -> BuildResult
    run = puhui.run_eval("sib200", limit=5, out="runs/sib")  # -> RunSummary
    a = puhui.assess("profile.yaml", ["runs/sib"], "assessment")  # -> Assessment
    cert = puhui.issue_certificate(a, "keys/lab", "cert.json")   # -> IssuedCertificate
    puhui.verify_certificate("cert.json").valid               # Verification
    puhui.publish("assessment", token="...")                  # -> the hub's item

``puhui demo`` (:func:`puhui.demo.run_demo`) does it all on bundled data. The engines live in
sub-packages (``puhui.corpus``, ``puhui.evals``, ``puhui.assess``, ``puhui.certify``,
``puhui.hub``); ``puhui.cli`` is their command-line client. The names below are loaded on first
use, so ``import puhui.errors`` stays cheap.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from puhui._version import __version__

#: Public name → the module that defines it (imported on first use).
_LAZY = {
    "build_corpus": "puhui.api",
    "run_eval": "puhui.api",
    "assess": "puhui.api",
    "issue_certificate": "puhui.api",
    "verify_certificate": "puhui.api",
    "publish": "puhui.api",
    "IssuedCertificate": "puhui.api",
    "BuildResult": "puhui.corpus.pipeline",
    "RunSummary": "puhui.evals.summary",
    "Assessment": "puhui.assess.types",
    "Verification": "puhui.certify.credential",
    "PuhuiError": "puhui.errors",
    "Settings": "puhui.config",
    "load_settings": "puhui.config",
}

__all__ = [
    "Assessment",
    "BuildResult",
    "IssuedCertificate",
    "PuhuiError",
    "RunSummary",
    "Settings",
    "Verification",
    "__version__",
    "assess",
    "build_corpus",
    "issue_certificate",
    "load_settings",
    "publish",
    "run_eval",
    "verify_certificate",
]

if TYPE_CHECKING:
    from puhui.api import (
        IssuedCertificate,
        assess,
        build_corpus,
        issue_certificate,
        publish,
        run_eval,
        verify_certificate,
    )
    from puhui.assess.types import Assessment
    from puhui.certify.credential import Verification
    from puhui.config import Settings, load_settings
    from puhui.corpus.pipeline import BuildResult
    from puhui.errors import PuhuiError
    from puhui.evals.summary import RunSummary


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'puhui' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


class _Package(types.ModuleType):
    """``puhui`` itself: ``puhui.assess`` is the façade's function although ``puhui/assess/``
    is also a sub-package. Importing the sub-package (``import puhui.assess.types``) would bind
    it to the attribute; that binding is skipped, the sub-package stays in ``sys.modules``."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
