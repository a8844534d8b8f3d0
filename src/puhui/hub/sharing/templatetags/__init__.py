"""Template tags of the sharing app (the item page's usage-policy box)."""
