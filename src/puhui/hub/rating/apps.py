"""Django app configuration of the hub's rating tasks."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingConfig(AppConfig):
    name = "puhui.hub.rating"
    label = "rating"
    verbose_name = _("Rating")
    default_auto_field = "django.db.models.BigAutoField"
