"""The hub: a self-hosted Django catalog where institutions publish, find and verify artifacts.

Importing :mod:`puhui.hub` imports no Django; :func:`setup` configures Django from Puhui's
settings (``PUHUI_HOME``, ``PUHUI_HUB_*``) and must be called before any Django model is used.
The engines never import the hub; the hub reads their artifacts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

SETTINGS_MODULE = "puhui.hub.settings"


def setup() -> None:
    """Point Django at the hub's settings and load the apps (idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()


def migrate(
    *, verbosity: int = 0, upgrading: Callable[[int], None] | None = None
) -> list[tuple[Path, int]]:
    """Make the hub's files private, then create or update its database (idempotent).

    Every hub process starts here, so this is where the process's umask becomes 077 (SQLite's
    files, logs and uploads are created for the hub's user only) and where the hub folder's
    permissions are checked (:func:`puhui.hub.conf.secure_hub`). Returns what had to be tightened
    (path, old mode), for the caller to report.

    ``upgrading(n)`` is called first when a database that already holds the hub's tables has
    ``n`` steps to apply (some rebuild the search index: a minute or so at 100k items).
    """
    from puhui.config import load_settings
    from puhui.hub import conf

    os.umask(conf.UMASK)
    tightened = conf.secure_hub(load_settings())
    setup()
    from django.core.management import call_command

    if upgrading is not None:
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan and any(app == "catalog" for app, _name in executor.loader.applied_migrations):
            upgrading(len(plan))
    call_command("migrate", interactive=False, verbosity=verbosity)
    return tightened


def collect_unheld_files(older_than_s: float, *, dry_run: bool) -> list[tuple[Path, int]]:
    """Remove (or with ``dry_run`` only list) stored files that no item holds and that were last
    written over ``older_than_s`` seconds ago: what failed or interrupted publishes left behind.
    Returns (path, size) of each. Call :func:`migrate` (or :func:`setup`) first."""
    from puhui.hub.catalog import storage
    from puhui.hub.catalog.models import ItemFile

    referenced = set(ItemFile.objects.values_list("sha256", flat=True))
    return storage.collect(referenced, older_than_s, dry_run=dry_run)
