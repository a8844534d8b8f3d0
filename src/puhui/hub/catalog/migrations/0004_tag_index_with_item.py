"""Facet filters read item ids from the tag index alone: (facet, value, item)."""
# ruff: noqa: RUF012

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_search_tsv"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="itemtag",
            name="tag_facet_value",
        ),
        migrations.AddIndex(
            model_name="itemtag",
            index=models.Index(fields=["facet", "value", "item"], name="tag_facet_value_item"),
        ),
    ]
