"""The hub's catalog app: organizations, items with versions and lineage, files, API tokens."""
