"""The strings of assessments and their reports, in every language Puhui writes them in.

They live in ``assess/templates/messages.yaml`` (one entry per key, one text per BCP-47 tag),
so a translator adds a language by adding one line per key; English is the fallback. Reports are
written in the language asked for (``--lang``), independent of the user's locale.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from puhui.errors import PuhuiError
from puhui.i18n import _

FILE = Path(__file__).with_name("templates") / "messages.yaml"
DEFAULT = "en"


@functools.cache
def catalog() -> dict[str, dict[str, str]]:
    """Every key with its texts per language."""
    doc = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    return {str(k): {str(lang): str(t) for lang, t in v.items()} for k, v in doc.items()}


def languages() -> list[str]:
    """Languages in which every key has a text."""
    cat = catalog()
    langs = set.intersection(*(set(v) for v in cat.values()))
    return sorted(langs, key=lambda x: (x != DEFAULT, x))


class Messages:
    """``m("key", name=value)`` → the text of ``key`` in this language, formatted."""

    def __init__(self, lang: str = DEFAULT) -> None:
        if lang not in languages():
            raise PuhuiError(
                _("report language {lang!r} is not available").format(lang=lang),
                _("use one of: {langs}").format(langs=", ".join(languages())),
            )
        self.lang = lang

    def __call__(self, key: str, **params: Any) -> str:
        texts = catalog()[key]
        text = texts.get(self.lang) or texts[DEFAULT]
        return text.format(**params) if params else text

    def table(self) -> dict[str, str]:
        """All keys in this language (for templates)."""
        return {k: (v.get(self.lang) or v[DEFAULT]) for k, v in catalog().items()}
