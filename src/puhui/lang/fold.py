"""Text folding: forms of a text in which spellings that differ only in optional marks compare
equal, for search, deduplication and matching word lists (the audit's identity lexicon, the
refusal detector's phrases, PII context words).

Folding is for comparing, never for storing: a folded text may read wrongly.

**Arabic** (:func:`fold_arabic`). Arabic is mostly written without short vowels, but the same
word may come fully or partly vowelled, stretched with tatweel, or with hamza or madda on its
alef. The fold removes :data:`ARABIC_MARKS` and writes ``أ إ آ ٱ`` as ``ا``, ``ى`` as ``ي`` and
``ة`` as ``ه``. The marks removed are every combining mark of the Arabic blocks plus tatweel
and the Quranic annotation signs among them:

- U+0610–U+061A: honorifics and small high letters written over words (Quranic and devotional);
- U+064B–U+065F: harakat (fatha, damma, kasra), tanwin, shadda, sukun, maddah and hamza above
  and below as combining marks, subscript alef and the marks Urdu and Kashmiri add;
- U+0670: superscript (dagger) alef; U+0640: tatweel, which only stretches a word;
- U+06D6–U+06ED: Quranic pause and annotation signs, small waw and yeh, end of ayah;
- U+0897–U+089F, U+08CA–U+08FF (except U+08E2, a format character), U+10EFD–U+10EFF: the
  same kinds of marks in Arabic Extended-A/B/C.

Until this module, the corpus audit folded U+0610–U+061A, U+064B–U+065F, U+0670, U+0640 and
U+06D6–U+06ED, and the refusal detector only U+064B–U+0652, U+0670 and U+0640, so a vowelled
Quranic quotation, a decomposed hamza (``ا`` + U+0654, as NFD text and some keyboards write
it) or an Urdu noon ghunna mark did not match there. The audit's range is kept whole (its
results do not change); the extended blocks hold marks of the same kind.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

__all__ = [
    "ARABIC_MARKS",
    "FOLDINGS",
    "HOOKED_LETTERS",
    "fold_arabic",
    "fold_devanagari",
    "fold_diacritics",
    "fold_ethiopic",
    "fold_for_matching",
    "strip_combining",
]

#: The characters :func:`fold_arabic` removes (a regular-expression character class body).
ARABIC_MARKS = (
    "\u0610-\u061a\u064b-\u065f\u0670\u0640\u06d6-\u06ed"
    "\u0897-\u089f\u08ca-\u08e1\u08e3-\u08ff\U00010efd-\U00010eff"
)
_ARABIC_MARKS_RE = re.compile(f"[{ARABIC_MARKS}]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})

# Ethiopic syllables written with letters that sound the same in Amharic today: the older
# letter's row becomes the common one (ሐ ኀ -> ሀ, ሠ -> ሰ, ዐ -> አ, ፀ -> ጸ), vowel by vowel.
_ETHIOPIC = {
    src + i: dst + i
    for src, dst, n in (
        (0x1210, 0x1200, 8),  # ሐ -> ሀ
        (0x1280, 0x1200, 8),  # ኀ -> ሀ
        (0x1220, 0x1230, 8),  # ሠ -> ሰ
        (0x12D0, 0x12A0, 7),  # ዐ -> አ
        (0x1340, 0x1338, 8),  # ፀ -> ጸ
    )
    for i in range(n)
}
#: Hooked letters of Hausa, Fulfulde and other West African orthographies, often typed plain.
HOOKED_LETTERS = {"ɓ": "b", "ɗ": "d", "ƙ": "k", "ƴ": "y"}
_HOOKS = str.maketrans(HOOKED_LETTERS)
# For :func:`fold_diacritics`, the glottal-stop and okina apostrophes also separate words.
_HOOKS_AND_APOSTROPHES = str.maketrans({**HOOKED_LETTERS, "ʼ": " ", "’": " ", "ʻ": " "})
# Characters that change no word: joiners, soft hyphen, word joiner, byte-order mark.
_ZERO_WIDTH = ("\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff")


def fold_arabic(text: str) -> str:
    """``text`` without Arabic vowel and annotation marks, with alef, yeh and teh marbuta folded.

    See the module docstring for what is removed and why; other scripts are left alone.
    """
    return _ARABIC_MARKS_RE.sub("", text).translate(_ARABIC_LETTERS)


def fold_ethiopic(text: str) -> str:
    """Ethiopic syllables of homophone letters written with one letter (``ሐ`` -> ``ሀ``)."""
    return text.translate(_ETHIOPIC)


def fold_devanagari(text: str) -> str:
    """Devanagari without nukta, and candrabindu written as anusvara."""
    return text.replace("\u093c", "").replace("\u0901", "\u0902")


def fold_diacritics(text: str) -> str:
    """Latin-script text without accents, tone marks and hooks (``Yorùbá`` -> ``Yoruba``).

    Every nonspacing mark is removed (in NFD), hooked letters become plain ones and the
    glottal-stop apostrophes (``ʼ ’ ʻ``) become spaces; the result is NFC.
    """
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    )
    return unicodedata.normalize("NFC", stripped.translate(_HOOKS_AND_APOSTROPHES))


def strip_combining(text: str, hooks: bool = False) -> str:
    """``text`` in NFD without the characters that have a combining class (accents, tone marks).

    Unlike :func:`fold_diacritics` the result stays decomposed and spacing vowel signs of
    Indic scripts (combining class 0) stay. ``hooks``: hooked letters become plain ones first.
    """
    if hooks:
        text = text.translate(_HOOKS)
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


#: The foldings a word list may ask for by name (the identity lexicon's ``normalizers``).
FOLDINGS: dict[str, Callable[[str], str]] = {
    "arabic": fold_arabic,
    "ethiopic": fold_ethiopic,
    "devanagari": fold_devanagari,
    "fold_diacritics": fold_diacritics,
}


def fold_for_matching(text: str, foldings: Sequence[str] = ()) -> str:
    """NFC, zero-width characters removed, case-folded, then the named :data:`FOLDINGS`."""
    out = unicodedata.normalize("NFC", text)
    for zw in _ZERO_WIDTH:
        if zw in out:
            out = out.replace(zw, "")
    out = out.casefold()
    for name in foldings:
        out = FOLDINGS[name](out)
    return out
