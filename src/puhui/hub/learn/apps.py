"""Django app configuration of the hub's learn pages."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearnConfig(AppConfig):
    name = "puhui.hub.learn"
    label = "learn"
    verbose_name = _("Learn")
    default_auto_field = "django.db.models.BigAutoField"
