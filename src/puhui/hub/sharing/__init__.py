"""Usage policies on hub items and access requests: an item's ODRL policy (set by its
organization), requests to use an item offered "on request", the owner's decisions on them, the
download gate that follows those decisions and an append-only audit log of every step."""
