"""Statistics per language and script: lengths (a mergeable sketch), words, removals, PII.

Lengths are kept in a sketch (exact below 1,024 characters, 1/32-octave bins above), so the
quantiles are exact for short documents and within about 2% for long ones. Words are runs of
letters, marks and digits; in scripts written without spaces (Han, kana, Thai, Lao, Khmer,
Myanmar, Tibetan) each character counts as one word.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import regex  # type: ignore[import-untyped, unused-ignore]

SAMPLE_CHARS = 160

#: Fixed log-scale bins for the length histogram (characters): [0, 10), [10, 30), ... [1M, ∞).
LENGTH_EDGES: tuple[int, ...] = (
    0,
    10,
    30,
    100,
    300,
    1_000,
    3_000,
    10_000,
    30_000,
    100_000,
    300_000,
    1_000_000,
)
QUANTILES: tuple[int, ...] = (5, 25, 50, 75, 95)
_EXACT_BELOW = 1024
_BINS_PER_OCTAVE = 32

_DENSE = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}"
_UNIT = regex.compile(rf"[{_DENSE}]|[[\p{{L}}\p{{M}}\p{{N}}]--[{_DENSE}]]+", flags=regex.V1)
WORD_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+")
# Scripts whose text never needs the per-character count (checked per record).
_SPACED_OK = frozenset(
    {
        "Latn",
        "Cyrl",
        "Grek",
        "Arab",
        "Hebr",
        "Deva",
        "Beng",
        "Ethi",
        "Armn",
        "Geor",
        "Taml",
        "Telu",
        "Knda",
        "Mlym",
        "Gujr",
        "Guru",
        "Orya",
        "Sinh",
        "Hang",
        "Tfng",
        "Thaa",
        "Syrc",
        "Nkoo",
        "Vaii",
        "Cher",
        "Cans",
        "Mong",
        "Adlm",
        "Olck",
    }
)
_SPACES = regex.compile(r"\s+")
_NUMBER = regex.compile(r"(?<![\w-])\d+(?![\w-])")  # "line 3", not "UTF-8"


# ---------------------------------------------------------------- lengths


class LengthSketch:
    """Counts of document lengths: exact below 1,024, 1/32-octave bins above; mergeable."""

    __slots__ = ("bins", "count", "histogram", "maximum", "minimum", "total")

    def __init__(self) -> None:
        self.bins: Counter[int] = Counter()
        self.histogram = [0] * len(LENGTH_EDGES)
        self.count = 0
        self.total = 0
        self.minimum: int | None = None
        self.maximum: int | None = None

    @staticmethod
    def _bin(n: int) -> int:
        if n < _EXACT_BELOW:
            return n
        return _EXACT_BELOW + int(_BINS_PER_OCTAVE * math.log2(n / _EXACT_BELOW))

    @staticmethod
    def _value(b: int) -> float:
        if b < _EXACT_BELOW:
            return float(b)
        lo = _EXACT_BELOW * 2 ** ((b - _EXACT_BELOW) / _BINS_PER_OCTAVE)
        return lo * 2 ** (0.5 / _BINS_PER_OCTAVE)  # geometric middle of the bin

    def add(self, n: int) -> None:
        n = max(0, n)
        self.bins[self._bin(n)] += 1
        i = 0
        while i + 1 < len(LENGTH_EDGES) and n >= LENGTH_EDGES[i + 1]:
            i += 1
        self.histogram[i] += 1
        self.count += 1
        self.total += n
        self.minimum = n if self.minimum is None else min(self.minimum, n)
        self.maximum = n if self.maximum is None else max(self.maximum, n)

    def quantile(self, q: float) -> int | None:
        """Nearest-rank quantile (``q`` in 0..100); exact below 1,024 characters."""
        if not self.count or self.minimum is None or self.maximum is None:
            return None
        rank = max(1, math.ceil(q / 100 * self.count))
        seen = 0
        for b in sorted(self.bins):
            seen += self.bins[b]
            if seen >= rank:
                return int(min(self.maximum, max(self.minimum, round(self._value(b)))))
        return self.maximum

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "min": self.minimum,
            "max": self.maximum,
            "mean": round(self.total / self.count, 1) if self.count else None,
        }
        for q in QUANTILES:
            out[f"p{q}"] = self.quantile(q)
        out["histogram"] = list(self.histogram)
        return out


# ---------------------------------------------------------------- statistics per group


@dataclass
class Group:
    documents: int = 0
    characters: int = 0
    words: int = 0
    confidence: float = 0.0
    removed: Counter[str] = field(default_factory=Counter)
    pii: Counter[str] = field(default_factory=Counter)
    documents_with_pii: int = 0
    lengths: LengthSketch = field(default_factory=LengthSketch)
    other: Counter[str] = field(default_factory=Counter)  # scripts of a language, or vice versa
    sample: str | None = None

    def keep(self, chars: int, words: int, confidence: float, pii: Mapping[str, int]) -> None:
        self.documents += 1
        self.characters += chars
        self.words += words
        self.confidence += confidence
        self.lengths.add(chars)
        if pii:
            self.documents_with_pii += 1
            self.pii.update(pii)

    def to_json(self, total_documents: int, other_key: str | None) -> dict[str, Any]:
        removed = sum(self.removed.values())
        dedup = sum(n for r, n in self.removed.items() if r.startswith("dedup."))
        filtered = removed - dedup
        out: dict[str, Any] = {
            "documents": self.documents,
            "share": ratio(self.documents, total_documents),
            "characters": self.characters,
            "words": self.words,
            "mean_lang_confidence": (
                round(self.confidence / self.documents, 4) if self.documents else None
            ),
            "removed": removed,
            "removed_by_reason": sorted_counts(self.removed),
            "dedup_removed": dedup,
            "dedup_rate": ratio(dedup, self.documents + dedup),
            "filtered_rate": ratio(filtered, self.documents + filtered),
            "pii": sorted_counts(self.pii),
            "documents_with_pii": self.documents_with_pii,
            "length": self.lengths.to_json(),
        }
        if other_key:
            out[other_key] = sorted_counts(self.other)
        return out


def ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def sorted_counts(c: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


def snippet(text: str) -> str:
    flat = str(_SPACES.sub(" ", text)).strip()
    return flat if len(flat) <= SAMPLE_CHARS else flat[: SAMPLE_CHARS - 1].rstrip() + "…"


def error_kind(error: str) -> str:
    head = error.split(": ", 1)[0].strip() or error.strip()
    if head.count("(") > head.count(")"):  # cut inside a parenthesis: drop the open part
        head = head[: head.rfind("(")].strip() or head
    return str(_NUMBER.sub("N", head))[:100] or "unknown"


def count_words(text: str, script: str | None = None) -> int:
    """Words in ``text``: runs of letters/marks/digits; one per character in unspaced scripts.

    With the record's ``script`` given and written with spaces, the faster plain word count
    is used (a stray Han run inside Latin text then counts as one word).
    """
    if script is not None and script in _SPACED_OK:
        return len(WORD_TOKEN.findall(text))
    return len(_UNIT.findall(text))
