"""The hub's learn pages: courses published as catalog items, read, quizzed and tracked."""
