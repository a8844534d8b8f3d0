"""Django settings module of the hub, built from Puhui's settings when Django imports it.

Set ``PUHUI_HOME`` and ``PUHUI_HUB_*`` (or ``$PUHUI_HOME/config.toml``) before the first import;
see :mod:`puhui.hub.conf` for what each becomes.
"""

from __future__ import annotations

from puhui.config import load_settings
from puhui.hub.conf import django_settings

globals().update(django_settings(load_settings()))
