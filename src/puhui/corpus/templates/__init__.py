"""Jinja2 templates for corpus reports (``audit.html.j2``), read with importlib.resources."""
