"""Django app configuration of the hub's programmes."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "puhui.hub.programmes"
    label = "programmes"
    verbose_name = _("Programmes")
    default_auto_field = "django.db.models.BigAutoField"
