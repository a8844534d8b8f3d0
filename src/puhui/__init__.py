"""Puhui: build local-language AI capacity offline.

Engines (plain libraries) live in sub-packages; ``puhui.cli`` is their command-line client.
"""

__version__ = "0.1.0"
