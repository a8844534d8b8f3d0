"""The hub: a self-hosted Django catalog where institutions publish, find and verify artifacts.

Importing :mod:`puhui.hub` imports no Django; :func:`setup` configures Django from Puhui's
settings (``PUHUI_HOME``, ``PUHUI_HUB_*``) and must be called before any Django model is used.
The engines never import the hub; the hub reads their artifacts.
"""

from __future__ import annotations

import os

SETTINGS_MODULE = "puhui.hub.settings"


def setup() -> None:
    """Point Django at the hub's settings and load the apps (idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()


def migrate(*, verbosity: int = 0) -> None:
    """Create or update the hub database (idempotent)."""
    setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
