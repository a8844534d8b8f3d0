"""Django app configuration of the catalog; connects the search index on ready."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "puhui.hub.catalog"
    label = "catalog"
    verbose_name = _("Catalog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from puhui.hub.catalog import search
        from puhui.hub.catalog.models import Item

        def _unindex(sender: type, instance: Item, **kwargs: object) -> None:
            search.unindex(instance.pk)

        post_delete.connect(_unindex, sender=Item, dispatch_uid="catalog-fts-unindex")
