"""Evaluations: tasks and suites (``tasks``), scorers (``scoring``, ``scorers/``), the runner
with its cache and log (``runner``, ``cache``), and per-language statistics (``stats``)."""
