"""Sub-apps for the areas still being built. Each gains its commands as its engine lands."""

from __future__ import annotations

import typer

from puhui.i18n import _


def _area(help_text: str) -> typer.Typer:
    return typer.Typer(help=help_text, no_args_is_help=True, add_completion=False)


APPS: dict[str, typer.Typer] = {
    "assess": _area(
        _(
            "Risk assessment mapped onto NIST AI RMF, ISO/IEC 42001, EU AI Act, TC260 and more; "
            "HTML/PDF reports. (In progress.)"
        )
    ),
    "hub": _area(
        _(
            "Run a self-hosted catalog where institutions publish and find Puhui artifacts. "
            "(In progress.)"
        )
    ),
}
