"""PostgreSQL: keep each item's tsvector in a stored generated column, indexed with GIN.

Searching an expression index made PostgreSQL re-parse ``search_text`` for every candidate row
when it started from another index (a selective facet): ~40 µs a row, over a second at 100k
items. A stored column is parsed once, when the item is written. SQLite is not affected (FTS5).
"""
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Any

from django.db import migrations

PG_UP = (
    "ALTER TABLE catalog_item ADD COLUMN IF NOT EXISTS search_tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, COALESCE(search_text, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS catalog_item_search_tsv ON catalog_item USING GIN (search_tsv)",
    "DROP INDEX IF EXISTS catalog_item_search_gin",
)
PG_DOWN = (
    "CREATE INDEX IF NOT EXISTS catalog_item_search_gin ON catalog_item "
    "USING GIN (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))",
    "DROP INDEX IF EXISTS catalog_item_search_tsv",
    "ALTER TABLE catalog_item DROP COLUMN IF EXISTS search_tsv",
)


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_UP:
            schema_editor.execute(sql)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_fulltext")]
    operations = [migrations.RunPython(forwards, backwards)]
