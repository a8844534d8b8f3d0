"""Hub-to-hub federation: this hub's signing key, its signed change feed, peers it mirrors."""
