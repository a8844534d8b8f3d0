"""Full-text search: an FTS5 table on SQLite, a GIN index on a tsvector expression on PostgreSQL.

See :mod:`puhui.hub.catalog.search`; other databases get neither and cannot search words.
"""
# ruff: noqa: RUF012

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE_UP = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_item_fts "
    "USING fts5(text, tokenize = 'unicode61 remove_diacritics 2')"
)
SQLITE_DOWN = "DROP TABLE IF EXISTS catalog_item_fts"
PG_UP = (
    "CREATE INDEX IF NOT EXISTS catalog_item_search_gin ON catalog_item "
    "USING GIN (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
)
PG_DOWN = "DROP INDEX IF EXISTS catalog_item_search_gin"


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
        schema_editor.execute(
            "INSERT INTO catalog_item_fts(rowid, text) SELECT id, search_text FROM catalog_item"
        )
    elif vendor == "postgresql":
        schema_editor.execute(PG_UP)


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
