"""Translation of user-facing strings with gettext.

Mark every string a person reads with ``_()``. Catalogues live in ``puhui/locale/<lang>/LC_MESSAGES/
puhui.mo``; the language follows ``LANGUAGE``/``LC_ALL``/``LANG`` as usual, English when absent.
"""

from __future__ import annotations

import gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locale")
_translation = gettext.translation("puhui", localedir=LOCALE_DIR, fallback=True)


def _(message: str) -> str:
    """Return ``message`` translated into the user's language (or unchanged)."""
    return _translation.gettext(message)
