"""Languages and scripts, one way everywhere: BCP-47 tags, script detection and text folding.

Foundation layer: imports only the standard library, ``langcodes`` and ``regex``, never
another part of Puhui, so the corpus builder, the eval engine, the scripts that build the
bundled suites and the hub's search all use the same rules.

- :func:`normalize_tag`, :func:`matches` (:mod:`puhui.lang.tags`): the shortest BCP-47 tag for
  what data sets, models and users write (``swh_Latn`` -> ``sw``, ``zh`` -> ``zh-Hans``), and
  whether a sample's tag answers a user's request (``sw`` matches ``swh``);
  :func:`is_right_to_left`: whether a language is written right to left.
- :func:`detect_script` (:mod:`puhui.lang.scripts`): the dominant ISO 15924 script of a text.
- :func:`fold_arabic`, :func:`fold_for_matching` (:mod:`puhui.lang.fold`): forms of a text in
  which spellings that differ only in optional marks compare equal (for search, deduplication
  and matching word lists).
"""

from __future__ import annotations

from puhui.lang.fold import (
    ARABIC_MARKS,
    FOLDINGS,
    fold_arabic,
    fold_devanagari,
    fold_diacritics,
    fold_ethiopic,
    fold_for_matching,
    strip_combining,
)
from puhui.lang.scripts import NO_SCRIPT, detect_script, script_counts
from puhui.lang.tags import (
    ALWAYS_SCRIPT,
    RTL_SCRIPTS,
    UNDETERMINED,
    default_script,
    is_right_to_left,
    macrolanguage,
    matches,
    normalize_tag,
)

__all__ = [
    "ALWAYS_SCRIPT",
    "ARABIC_MARKS",
    "FOLDINGS",
    "NO_SCRIPT",
    "RTL_SCRIPTS",
    "UNDETERMINED",
    "default_script",
    "detect_script",
    "fold_arabic",
    "fold_devanagari",
    "fold_diacritics",
    "fold_ethiopic",
    "fold_for_matching",
    "is_right_to_left",
    "macrolanguage",
    "matches",
    "normalize_tag",
    "script_counts",
    "strip_combining",
]
