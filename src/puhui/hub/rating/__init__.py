"""The hub's rating pages and API: people label model answers in their own language."""
