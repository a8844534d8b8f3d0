"""Drop ``ItemTag``: since 0005 the facet values live in the full-text index (as hidden terms)
and in the item's own fields, and nothing reads the tag rows any more. Going back to 0005
recreates the table and fills it again from the items' fields."""
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Any

from django.db import migrations


def refill(apps: Any, schema_editor: Any) -> None:
    Item = apps.get_model("catalog", "Item")
    ItemTag = apps.get_model("catalog", "ItemTag")
    rows = []
    for item in Item.objects.only("id", "languages", "countries", "risk_areas", "sector"):
        tags = {("language", v) for v in item.languages}
        tags |= {("country", v) for v in item.countries}
        tags |= {("risk_area", v) for v in item.risk_areas}
        if item.sector:
            tags.add(("sector", item.sector))
        rows += [ItemTag(item_id=item.pk, facet=f, value=v[:100]) for f, v in sorted(tags) if v]
        if len(rows) >= 5000:
            ItemTag.objects.bulk_create(rows)
            rows = []
    ItemTag.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_facet_terms")]
    operations = [
        migrations.RunPython(migrations.RunPython.noop, refill),
        migrations.DeleteModel(name="ItemTag"),
    ]
