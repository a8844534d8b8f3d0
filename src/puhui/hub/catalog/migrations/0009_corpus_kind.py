"""A corpus is called a corpus in the hub too: item kind ``dataset`` becomes ``corpus``.

Converts the stored rows: each such item's kind, the kind line of its search text, its hidden
facet term, and (on SQLite) its row in the full-text index; PostgreSQL recomputes ``search_tsv``
itself. URNs are identifiers that certificates and other hubs may already cite, so an item keeps
the URN it was published under (``urn:puhui:dataset:...``); new versions get ``urn:puhui:corpus:``.
Reversible: going back turns every corpus item into a dataset item again.
"""
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Any

from django.db import migrations, models

FTS = "catalog_item_fts"


def _rename(apps: Any, schema_editor: Any, old: str, new: str) -> None:
    from puhui.hub.catalog.terms import facet_term

    Item = apps.get_model("catalog", "Item")
    old_term, new_term = facet_term("kind", old), facet_term("kind", new)
    sqlite = schema_editor.connection.vendor == "sqlite"
    batch = []
    for item in Item.objects.filter(kind=old).only(
        "id", "kind", "title", "search_text", "facet_terms"
    ):
        item.kind = new
        lines = item.search_text.split("\n")
        i = 2 if item.title else 1  # search.text_of: title, name, kind, ... (empty ones left out)
        if i < len(lines) and lines[i] == old:
            lines[i] = new
        item.search_text = "\n".join(lines)
        item.facet_terms = " ".join(
            sorted(new_term if t == old_term else t for t in item.facet_terms.split())
        )
        batch.append(item)
    Item.objects.bulk_update(batch, ["kind", "search_text", "facet_terms"], batch_size=2000)
    if sqlite and batch:
        with schema_editor.connection.cursor() as cur:
            for item in batch:
                cur.execute(f"DELETE FROM {FTS} WHERE rowid = %s", [item.pk])
                cur.execute(
                    f"INSERT INTO {FTS}(rowid, text, facets) VALUES (%s, %s, %s)",
                    [item.pk, item.search_text, item.facet_terms],
                )


def forwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, schema_editor, "dataset", "corpus")


def backwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, schema_editor, "corpus", "dataset")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_trusted_issuers")]
    operations = [
        migrations.AlterField(
            model_name="item",
            name="kind",
            field=models.CharField(
                choices=[
                    ("corpus", "corpus"),
                    ("model", "model"),
                    ("suite", "suite"),
                    ("run", "run"),
                    ("assessment", "assessment"),
                    ("certificate", "certificate"),
                ],
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
