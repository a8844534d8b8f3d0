"""The *normalize* step: repair and tidy text without changing what it says.

In order: repair mojibake (ftfy, only when the text looks broken), Unicode NFC, drop control
characters (keeping newline and tab), lone surrogates and byte-order marks, turn exotic spaces
into plain spaces, trim trailing spaces, and collapse runs of blank lines and spaces.
Zero-width joiners/non-joiners are kept: Persian, Indic and other scripts need them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import ftfy
from ftfy.badness import is_bad

# C0/C1 controls except \t \n, lone surrogates, BOM, and non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_TRAILING = re.compile(r"[ \t]+\n")
_RUNS = re.compile(r"[ \t]{2,}")
_BLANKS = re.compile(r"\n{3,}")
# UTF-8 read as Latin-1/cp1252 leaves a lead byte (Â..ô) before a continuation byte or one of
# cp1252's punctuation stand-ins. Cheap to look for; ftfy's own check costs ~0.1 ms a page.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]"
)


@dataclass(frozen=True)
class NormalizeOptions:
    fix_mojibake: bool = True
    form: str = "NFC"  # NFC | NFKC | none
    collapse_spaces: bool = True


def normalize(text: str, opts: NormalizeOptions = NormalizeOptions()) -> str:
    """Return ``text`` repaired and tidied (see the module docstring)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if opts.fix_mojibake and _MOJIBAKE_HINT.search(text) and is_bad(text):
        text = ftfy.fix_text(text, normalization="NFC" if opts.form == "NFC" else "NFKC")
    if opts.form != "none" and not unicodedata.is_normalized(opts.form, text):  # type: ignore[arg-type]
        text = unicodedata.normalize(opts.form, text)  # type: ignore[arg-type]
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    if opts.collapse_spaces:
        text = _TRAILING.sub("\n", text)
        text = _RUNS.sub(" ", text)
        text = _BLANKS.sub("\n\n", text)
    return text.strip()
