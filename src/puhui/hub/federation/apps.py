"""Django app configuration of federation: connects the change feed's signals on ready."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "puhui.hub.federation"
    label = "federation"
    verbose_name = _("Federation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from puhui.hub.federation import events
        from puhui.hub.federation import peers as federation_peers

        events.connect()
        federation_peers.connect()
