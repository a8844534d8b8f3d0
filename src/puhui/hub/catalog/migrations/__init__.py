"""Schema migrations of the catalog app (committed; applied by `puhui hub init` and `serve`)."""
