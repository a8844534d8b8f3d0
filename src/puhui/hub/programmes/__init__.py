"""The hub's programmes: where rosters, sessions, attendance and awarded credentials are kept,
the pages that show and mark them, and the operations ``puhui programme`` runs on this hub."""
