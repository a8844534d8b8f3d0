"""Audit a built corpus: what it holds, what was removed and why, and who it talks about.

:func:`build_audit` streams a corpus folder (``data/``, ``removed/``, ``quarantine/``; see
:mod:`puhui.corpus.records`) once, in constant memory per language, and returns a JSON-ready
dict; :func:`write_audit` also writes ``audit.json`` and a self-contained ``audit.html``.

Per language, per script and overall it reports documents kept, characters and words,
removed documents by reason, the dedup rate (dedup removals / (kept + dedup removals)), PII
counts by type, and the length distribution (quantiles and a fixed log-scale histogram).
Quarantined inputs are counted with their most frequent error kinds; paths under the inputs
that the build did not read (symbolic links leaving the input folder and the like) are listed
under ``skipped_inputs`` with the reason.

The *representation check* counts mentions of identity and demographic terms (gender,
religion, ethnicity/nationality/migration, disability, age, sexual orientation,
socioeconomic status) with the bundled lexicon ``puhui/content/lexicon/identity_terms.json``,
per 10,000 words (per 10,000 characters for scripts written without spaces). It counts
mentions only: it says nothing about how a group is portrayed. Languages without lexicon
coverage are listed as such rather than reported as zero.

Lengths are kept in a sketch (exact below 1,024 characters, 1/32-octave bins above), so the
quantiles are exact for short documents and within about 2% for long ones. Words are runs of
letters, marks and digits; in scripts written without spaces (Han, kana, Thai, Lao, Khmer,
Myanmar, Tibetan) each character counts as one word.
"""

from __future__ import annotations

import importlib.util
import io
import json
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import langcodes
import regex  # type: ignore[import-untyped, unused-ignore]
import zstandard
from markupsafe import Markup, escape

from puhui import __version__
from puhui.artifacts import atomic_write_json, atomic_write_text
from puhui.i18n import _

AUDIT_VERSION = 1
SKIPPED_LISTED = 200  # skipped input paths listed in the audit (all are counted)
AUDIT_JSON = "audit.json"
AUDIT_HTML = "audit.html"
WORK_CONFIG = Path(".work") / "config.json"

FEW_DOCUMENTS = 20  # warn for languages with fewer kept documents
DOMINANT_SHARE = 0.9  # warn when one language holds more than this share of documents
UND_SHARE = 0.10  # warn when more than this share of documents has no identified language
FILTERED_SHARE = 0.5  # warn when filters removed more than this share of a language
FILTERED_MIN_DOCS = 10  # ... and the language had at least this many documents
LOW_CONFIDENCE = 0.5  # warn when a language's mean language-ID confidence is below this
HIGH_DEDUP = 0.3  # note a dedup rate above this
SAMPLE_CHARS = 160
TOP_ERRORS = 10
TOP_TERMS = 10

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
_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+")
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

CATEGORY_ORDER: tuple[str, ...] = (
    "gender",
    "religion",
    "ethnicity_nationality",
    "disability",
    "age",
    "sexual_orientation",
    "socioeconomic",
)


def category_label(category: str) -> str:
    """The reader-facing name of a representation category."""
    labels = {
        "gender": _("Gender"),
        "religion": _("Religion and belief"),
        "ethnicity_nationality": _("Ethnicity, nationality, migration"),
        "disability": _("Disability"),
        "age": _("Age"),
        "sexual_orientation": _("Sexual orientation"),
        "socioeconomic": _("Socioeconomic status"),
    }
    return labels.get(category, category.replace("_", " "))


def severity_label(severity: str) -> str:
    """The reader-facing name of a warning's severity."""
    labels = {"error": _("error"), "warning": _("warning"), "info": _("note")}
    return labels.get(severity, severity)


# ---------------------------------------------------------------- reading the corpus


def _parts(folder: Path, suffix: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(suffix))


def _json_lines(lines: Iterable[str], bad: Counter[str], where: str) -> Iterator[dict[str, Any]]:
    for line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            bad[where] += 1
            continue
        if isinstance(obj, dict):
            yield obj
        else:
            bad[where] += 1


def iter_jsonl_zst(path: Path, bad: Counter[str] | None = None) -> Iterator[dict[str, Any]]:
    """Stream the JSON objects of a ``.jsonl.zst`` file line by line (any number of frames).

    Lines that are not JSON objects are skipped and counted in ``bad[folder name]``; a
    truncated or corrupt file stops at the damage and counts one more.
    """
    counter = bad if bad is not None else Counter()
    where = path.parent.name
    with open(path, "rb") as raw:
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        text = io.TextIOWrapper(reader, encoding="utf-8", errors="replace")
        try:
            yield from _json_lines(text, counter, where)
        except zstandard.ZstdError:
            counter[where] += 1


def _iter_jsonl(path: Path, bad: Counter[str]) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8", errors="replace") as f:
        yield from _json_lines(f, bad, path.parent.name)


def read_build_config(corpus_dir: Path) -> dict[str, Any] | None:
    """The build's ``.work/config.json`` (configuration and inputs), or None when absent."""
    path = Path(corpus_dir) / WORK_CONFIG
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def build_summary(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the audit and the datasheet need from a build configuration (tolerant of gaps)."""
    if config is None:
        return {
            "config_found": False,
            "steps": None,
            "options": {},
            "inputs": [],
            "input_count": None,
            "input_bytes": None,
            "name": None,
            "started": None,
            "pii_mode": None,
            "against": [],
            "skipped": [],
        }
    cfg = config.get("config") if isinstance(config.get("config"), dict) else config
    assert isinstance(cfg, dict)
    raw_steps = cfg.get("steps")
    steps: list[str] | None = None
    if isinstance(raw_steps, list):
        steps = []
        for item in raw_steps:
            if isinstance(item, str):
                steps.append(item)
            elif isinstance(item, dict) and item:
                steps.append(str(next(iter(item))))
    options = {
        str(k): v
        for k, v in cfg.items()
        if isinstance(v, dict) and (steps is None or k in steps or k == "reader")
    }
    pii = options.get("pii")
    pii_mode = None
    if isinstance(pii, dict) and (steps is None or "pii" in steps):
        mode = pii.get("mode")
        pii_mode = str(mode) if mode is not None else None
    inputs: list[str] = []
    total: int | None = 0
    for item in config.get("inputs") or []:
        if isinstance(item, list | tuple) and item:
            inputs.append(str(item[0]))
            if len(item) > 1 and isinstance(item[1], int) and total is not None:
                total += item[1]
            else:
                total = None
        elif isinstance(item, str | dict):
            inputs.append(str(item.get("name", item)) if isinstance(item, dict) else item)
            total = None
    against = [str(a) for a in config.get("against") or [] if isinstance(a, str)]
    skipped = [
        {"path": str(item[0]), "reason": str(item[1])}
        for item in config.get("skipped") or []
        if isinstance(item, list | tuple) and len(item) == 2
    ]
    return {
        "config_found": True,
        "steps": steps,
        "options": options,
        "inputs": inputs[:50],
        "input_count": len(inputs),
        "input_bytes": total if inputs else None,
        "name": config.get("name") if isinstance(config.get("name"), str) else None,
        "started": config.get("started") if isinstance(config.get("started"), str) else None,
        "pii_mode": pii_mode,
        "against": against,
        "skipped": skipped,
    }


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
class _Group:
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
            "share": _ratio(self.documents, total_documents),
            "characters": self.characters,
            "words": self.words,
            "mean_lang_confidence": (
                round(self.confidence / self.documents, 4) if self.documents else None
            ),
            "removed": removed,
            "removed_by_reason": _sorted_counts(self.removed),
            "dedup_removed": dedup,
            "dedup_rate": _ratio(dedup, self.documents + dedup),
            "filtered_rate": _ratio(filtered, self.documents + filtered),
            "pii": _sorted_counts(self.pii),
            "documents_with_pii": self.documents_with_pii,
            "length": self.lengths.to_json(),
        }
        if other_key:
            out[other_key] = _sorted_counts(self.other)
        return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _sorted_counts(c: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


def _snippet(text: str) -> str:
    flat = str(_SPACES.sub(" ", text)).strip()
    return flat if len(flat) <= SAMPLE_CHARS else flat[: SAMPLE_CHARS - 1].rstrip() + "…"


def _error_kind(error: str) -> str:
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
        return len(_TOKEN.findall(text))
    return len(_UNIT.findall(text))


# ---------------------------------------------------------------- the identity lexicon

_ZERO_WIDTH_CHARS = ("\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff")
_AR_MARKS = regex.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u0640\u06d6-\u06ed]")
_AR_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
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
_HOOKS = str.maketrans({"ɓ": "b", "ɗ": "d", "ƙ": "k", "ƴ": "y", "ʼ": " ", "’": " ", "ʻ": " "})


def _norm_arabic(text: str) -> str:
    return str(_AR_MARKS.sub("", text)).translate(_AR_LETTERS)


def _norm_ethiopic(text: str) -> str:
    return text.translate(_ETHIOPIC)


def _norm_devanagari(text: str) -> str:
    return text.replace("\u093c", "").replace("\u0901", "\u0902")


def _fold_diacritics(text: str) -> str:
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    )
    return unicodedata.normalize("NFC", stripped.translate(_HOOKS))


_NORMALIZERS = {
    "arabic": _norm_arabic,
    "ethiopic": _norm_ethiopic,
    "devanagari": _norm_devanagari,
    "fold_diacritics": _fold_diacritics,
}
_CANON_CACHE = 200_000  # tokens whose affix-stripped form is remembered, per language
_UNSPECIFIC_SCRIPTS = frozenset({"Zyyy", "Zzzz", "Zinh", "Hani", ""})


def normalize_for_matching(text: str, normalizers: Sequence[str] = ()) -> str:
    """NFC, zero-width characters removed, case-folded, then the language's normalisers."""
    out = unicodedata.normalize("NFC", text)
    for zw in _ZERO_WIDTH_CHARS:
        if zw in out:
            out = out.replace(zw, "")
    out = out.casefold()
    for name in normalizers:
        out = _NORMALIZERS[name](out)
    return out


@dataclass(frozen=True)
class Term:
    """A lexicon term as written, and where it counts (``category`` None: ignored phrase)."""

    text: str
    category: str | None
    group: str | None


class LexiconLanguage:
    """The terms of one language, compiled for matching."""

    def __init__(self, tag: str, spec: Mapping[str, Any]) -> None:
        self.tag = tag
        self.script = str(spec.get("script") or "")
        self.segmentation = str(spec.get("segmentation") or "words")
        self.normalizers = tuple(str(n) for n in spec.get("normalize") or ())
        unknown = [n for n in self.normalizers if n not in _NORMALIZERS]
        if unknown:
            raise ValueError(f"lexicon {tag}: unknown normaliser {unknown[0]!r}")
        self.aliases = tuple(str(a) for a in spec.get("aliases") or ())
        self.review = str(spec.get("review") or "")
        self.source = str(spec.get("source") or "")
        self.terms: list[Term] = []
        entries: list[tuple[str, Term]] = []
        for category, groups in (spec.get("terms") or {}).items():
            for group, words in groups.items():
                for word in words:
                    entries.append((word, Term(word, str(category), str(group))))
        for word in spec.get("ignore") or ():
            entries.append((word, Term(word, None, None)))
        self.categories = sorted(
            {t.category for _w, t in entries if t.category}, key=_category_sort_key
        )
        self._by_phrase: dict[tuple[str, ...], int] = {}
        self._by_string: dict[str, int] = {}
        prefixes = (normalize_for_matching(p, self.normalizers) for p in spec.get("prefixes") or ())
        suffixes = (normalize_for_matching(s, self.normalizers) for s in spec.get("suffixes") or ())
        self.prefixes = tuple(sorted(prefixes, key=len, reverse=True))
        self.suffixes = tuple(sorted(suffixes, key=len, reverse=True))
        for word, term in entries:
            norm = normalize_for_matching(word, self.normalizers)
            if self.segmentation == "characters":
                key = "".join(norm.split())
                if key and key not in self._by_string:
                    self._by_string[key] = len(self.terms)
                    self.terms.append(term)
            else:
                phrase = tuple(str(t) for t in _TOKEN.findall(norm))
                if phrase and phrase not in self._by_phrase:
                    self._by_phrase[phrase] = len(self.terms)
                    self.terms.append(term)
        self._vocab = frozenset(tok for phrase in self._by_phrase for tok in phrase)
        first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for phrase, tid in self._by_phrase.items():
            first.setdefault(phrase[0], []).append((phrase, tid))
        for cands in first.values():
            cands.sort(key=lambda c: -len(c[0]))
        self._first = first
        self._canon_cache: dict[str, str] = {}
        self._pattern: Any = None
        if self._by_string:
            alternatives = sorted(self._by_string, key=len, reverse=True)
            self._pattern = regex.compile("|".join(regex.escape(a) for a in alternatives))

    @property
    def unit(self) -> str:
        return "characters" if self.segmentation == "characters" else "words"

    def _canonical(self, token: str) -> str:
        """``token`` with a known clitic prefix or suffix removed when that gives a term word."""
        cached = self._canon_cache.get(token)
        if cached is not None:
            return cached
        result = self._strip_affixes(token)
        if len(self._canon_cache) >= _CANON_CACHE:
            self._canon_cache.clear()
        self._canon_cache[token] = result
        return result

    def _strip_affixes(self, token: str) -> str:
        if token in self._vocab:
            return token
        for p in self.prefixes:
            if token.startswith(p) and len(token) - len(p) >= 2:
                rest = token[len(p) :]
                if rest in self._vocab:
                    return rest
                for p2 in self.prefixes:  # two clitics, e.g. Arabic و + بال
                    inner = rest[len(p2) :]
                    if rest.startswith(p2) and len(inner) >= 2 and inner in self._vocab:
                        return inner
        for s in self.suffixes:
            if token.endswith(s) and len(token) - len(s) >= 2 and token[: -len(s)] in self._vocab:
                return token[: -len(s)]
        return token

    def find(self, text: str) -> list[Term]:
        """The terms mentioned in ``text``, longest match first, ignored phrases left out."""
        norm = normalize_for_matching(text, self.normalizers)
        found: list[int] = []
        if self._pattern is not None:
            found = [self._by_string[m.group(0)] for m in self._pattern.finditer(norm)]
        else:
            tokens: list[str] = _TOKEN.findall(norm)
            if self.prefixes or self.suffixes:
                canonical = self._canonical
                tokens = [canonical(t) for t in tokens]
            first = self._first
            next_free = 0
            for i in [i for i, tok in enumerate(tokens) if tok in first]:
                if i < next_free:
                    continue  # inside a longer term already counted
                for phrase, tid in first[tokens[i]]:
                    size = len(phrase)
                    if size == 1 or tuple(tokens[i : i + size]) == phrase:
                        found.append(tid)
                        next_free = i + size
                        break
        return [self.terms[t] for t in found if self.terms[t].category is not None]


def _category_sort_key(category: str | None) -> tuple[int, str]:
    c = category or ""
    return (CATEGORY_ORDER.index(c) if c in CATEGORY_ORDER else len(CATEGORY_ORDER), c)


class IdentityLexicon:
    """The multilingual identity-term lexicon, and how a language tag finds its entry."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version = str(data.get("version") or "")
        self.license = str(data.get("license") or "")
        self.attribution = str(data.get("attribution") or "")
        self.category_groups: dict[str, list[str]] = {
            str(c): [str(g) for g in spec.get("groups") or ()]
            for c, spec in (data.get("categories") or {}).items()
        }
        self.languages = {
            str(tag): LexiconLanguage(str(tag), spec)
            for tag, spec in (data.get("languages") or {}).items()
        }
        self._lookup: dict[str, LexiconLanguage] = {}
        for entry in self.languages.values():
            for alias in entry.aliases:
                self._lookup.setdefault(alias.casefold(), entry)
        for tag, entry in self.languages.items():
            self._lookup[tag.casefold()] = entry
        self._cache: dict[tuple[str, str], LexiconLanguage | None] = {}

    @property
    def categories(self) -> list[str]:
        return sorted(self.category_groups, key=_category_sort_key)

    def entry_for(self, lang: str, script: str = "") -> LexiconLanguage | None:
        """The entry for a BCP-47 tag written in ``script`` (ISO 15924), or None."""
        key = (lang, script)
        if key not in self._cache:
            self._cache[key] = self._resolve(lang, script)
        return self._cache[key]

    def _resolve(self, lang: str, script: str) -> LexiconLanguage | None:
        if not lang or lang == "und":
            return None
        candidates = [lang]
        tag_script = ""
        try:
            parsed = langcodes.Language.get(langcodes.standardize_tag(lang, macro=True))
        except (ValueError, LookupError):
            parsed = None
        if parsed is not None:
            base = str(parsed.language or "")
            tag_script = str(parsed.script or "")
            candidates += [str(parsed), f"{base}-{tag_script or script}", base]
        for cand in candidates:
            entry = self._lookup.get(cand.casefold())
            if entry is None:
                continue
            wanted = {script, tag_script} - _UNSPECIFIC_SCRIPTS
            if entry.script and wanted and entry.script not in wanted:
                return None  # e.g. Hindi in Latin letters, Chinese in Traditional characters
            return entry
        return None


@cache
def load_lexicon() -> IdentityLexicon:
    """The bundled lexicon (``puhui.content.lexicon/identity_terms.json``)."""
    text = (
        resources.files("puhui.content.lexicon")
        .joinpath("identity_terms.json")
        .read_text(encoding="utf-8")
    )
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("identity_terms.json: expected a JSON object")
    return IdentityLexicon(data)


@dataclass
class _Representation:
    entry: LexiconLanguage
    documents: int = 0
    units: int = 0
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    documents_with: Counter[str] = field(default_factory=Counter)
    terms: Counter[str] = field(default_factory=Counter)

    def add(self, text: str, units: int) -> None:
        self.documents += 1
        self.units += units
        seen: set[str] = set()
        for term in self.entry.find(text):
            assert term.category is not None and term.group is not None
            self.counts[(term.category, term.group)] += 1
            self.terms[term.text] += 1
            seen.add(term.category)
        self.documents_with.update(seen)


def _representation_json(
    lex: IdentityLexicon,
    reps: Mapping[str, _Representation],
    languages: Mapping[str, _Group],
    uncovered_docs: Mapping[str, int],
) -> dict[str, Any]:
    categories = lex.categories
    per_lang: dict[str, Any] = {}
    for tag, group in languages.items():
        if group.documents == 0:
            continue
        rep = reps.get(tag)
        missed = uncovered_docs.get(tag, 0)
        if rep is None:
            per_lang[tag] = {
                "covered": False,
                "lexicon": None,
                "documents": 0,
                "note": (
                    _("no identity-term lexicon for this language: not measured")
                    if tag != "und"
                    else _("language unknown: not measured")
                ),
            }
            continue
        counts = {c: sum(n for (cat, _g), n in rep.counts.items() if cat == c) for c in categories}
        entry_cats = set(rep.entry.categories)
        groups: dict[str, dict[str, int]] = {}
        for (cat, grp), n in sorted(rep.counts.items()):
            groups.setdefault(cat, {})[grp] = n
        per_10k = {
            c: (round(counts[c] * 10_000 / rep.units, 2) if rep.units else None)
            if c in entry_cats
            else None
            for c in categories
        }
        item: dict[str, Any] = {
            "covered": True,
            "lexicon": rep.entry.tag,
            "lexicon_review": rep.entry.review,
            "unit": rep.entry.unit,
            "units": rep.units,
            "documents": rep.documents,
            "counts": counts,
            "per_10k": per_10k,
            "documents_with": {c: rep.documents_with.get(c, 0) for c in categories},
            "groups": groups,
            "top_terms": [[t, n] for t, n in rep.terms.most_common(TOP_TERMS)],
            "categories_without_terms": [c for c in categories if c not in entry_cats],
        }
        if missed:
            item["documents_not_measured"] = missed
            item["note"] = _("{n} documents in another script were not measured").format(n=missed)
        per_lang[tag] = item
    covered = [t for t, v in per_lang.items() if v["covered"]]
    uncovered = [t for t, v in per_lang.items() if not v["covered"]]
    totals = Counter[str]()
    for tag in covered:
        totals.update(per_lang[tag]["counts"])
    return {
        "method": _(
            "Mentions of identity terms from the bundled lexicon, counted as whole words "
            "(substrings for scripts without spaces), per 10,000 words of kept text. Counts "
            "show how often groups are mentioned, not how they are portrayed."
        ),
        "lexicon": {
            "name": "puhui-identity-terms",
            "version": lex.version,
            "license": lex.license,
            "attribution": lex.attribution,
            "languages": sorted(lex.languages),
        },
        "categories": categories,
        "languages": per_lang,
        "covered_languages": covered,
        "uncovered_languages": uncovered,
        "covered_documents": sum(per_lang[t]["documents"] for t in covered),
        "counts": {c: totals.get(c, 0) for c in categories},
    }


# ---------------------------------------------------------------- the audit


def build_audit(corpus_dir: Path) -> dict[str, Any]:
    """Read a corpus folder once and return the audit as a JSON-ready dict.

    Needs none of ``manifest.json``, ``stats/`` or ``audit.json``; missing folders count as
    empty. Uses ``.work/config.json`` when present for the build summary.
    """
    root = Path(corpus_dir)
    lex = load_lexicon()
    bad: Counter[str] = Counter()
    overall = _Group()
    languages: dict[str, _Group] = {}
    scripts: dict[str, _Group] = {}
    reps: dict[str, _Representation] = {}
    uncovered_docs: Counter[str] = Counter()

    for path in _parts(root / "data", ".jsonl.zst"):
        for rec in iter_jsonl_zst(path, bad):
            lang, script = _lang_script(rec)
            text = rec.get("text") if isinstance(rec.get("text"), str) else ""
            assert isinstance(text, str)
            chars = rec.get("chars")
            n_chars = chars if isinstance(chars, int) and not isinstance(chars, bool) else len(text)
            conf = rec.get("lang_confidence")
            confidence = float(conf) if isinstance(conf, int | float) else 0.0
            pii_raw = rec.get("pii")
            pii = (
                {str(k): int(v) for k, v in pii_raw.items() if isinstance(v, int) and v > 0}
                if isinstance(pii_raw, dict)
                else {}
            )
            words = count_words(text, script)
            lg = languages.setdefault(lang, _Group())
            sg = scripts.setdefault(script, _Group())
            for g in (overall, lg, sg):
                g.keep(n_chars, words, confidence, pii)
            lg.other[script] += 1
            sg.other[lang] += 1
            if lg.sample is None and text.strip():
                lg.sample = _snippet(text)
            entry = lex.entry_for(lang, script)
            if entry is None:
                uncovered_docs[lang] += 1
                continue
            rep = reps.get(lang)
            if rep is None:
                rep = reps[lang] = _Representation(entry)
            if rep.entry is entry:
                rep.add(text, words)
            else:
                uncovered_docs[lang] += 1

    for path in _parts(root / "removed", ".jsonl.zst"):
        for rec in iter_jsonl_zst(path, bad):
            lang, script = _lang_script(rec)
            reason = str(rec.get("reason") or "unknown")
            for g in (
                overall,
                languages.setdefault(lang, _Group()),
                scripts.setdefault(script, _Group()),
            ):
                g.removed[reason] += 1

    quarantined = 0
    kinds: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for path in _parts(root / "quarantine", ".jsonl"):
        for rec in _iter_jsonl(path, bad):
            quarantined += 1
            kind = _error_kind(str(rec.get("error") or ""))
            kinds[kind] += 1
            examples.setdefault(kind, str(rec.get("source") or ""))

    summary = build_summary(read_build_config(root))
    total_docs = overall.documents
    lang_order = sorted(
        languages, key=lambda t: (-languages[t].documents, -sum(languages[t].removed.values()), t)
    )
    script_order = sorted(scripts, key=lambda s: (-scripts[s].documents, s))
    lang_json: dict[str, Any] = {}
    for tag in lang_order:
        item = languages[tag].to_json(total_docs, "scripts")
        name = _language_name(tag)
        if name:
            item["name"] = name
        item["sample"] = languages[tag].sample
        lang_json[tag] = item
    script_json = {s: scripts[s].to_json(total_docs, "languages") for s in script_order}
    totals = overall.to_json(total_docs, None)
    totals.pop("share", None)
    totals["languages"] = sum(1 for g in languages.values() if g.documents)
    totals["scripts"] = sum(1 for g in scripts.values() if g.documents)
    totals["quarantined"] = quarantined
    by_step: Counter[str] = Counter()
    for reason, n in overall.removed.items():
        by_step[reason.split(".", 1)[0]] += n

    audit: dict[str, Any] = {
        "audit_version": AUDIT_VERSION,
        "tool": {"name": "puhui", "version": __version__},
        "totals": totals,
        "languages": lang_json,
        "scripts": script_json,
        "removed": {
            "total": sum(overall.removed.values()),
            "by_reason": _sorted_counts(overall.removed),
            "by_step": _sorted_counts(by_step),
        },
        "pii": {
            "by_type": _sorted_counts(overall.pii),
            "total": sum(overall.pii.values()),
            "documents_with_pii": overall.documents_with_pii,
            "mode": summary["pii_mode"],
            "step_ran": None if summary["steps"] is None else "pii" in summary["steps"],
        },
        "length": {
            "unit": "characters",
            "bin_edges": list(LENGTH_EDGES),
            "quantiles": [f"p{q}" for q in QUANTILES],
            "method": _(
                "nearest-rank quantiles; exact below 1,024 characters, within about 2% above"
            ),
        },
        "quarantine": {
            "count": quarantined,
            "top_errors": [
                {"kind": k, "count": n, "example_source": examples.get(k, "")}
                for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ERRORS]
            ],
            "error_kinds": len(kinds),
        },
        "skipped_inputs": {
            "count": len(summary["skipped"]),
            "items": summary["skipped"][:SKIPPED_LISTED],
        },
        "representation": _representation_json(lex, reps, languages, uncovered_docs),
        "build": {k: v for k, v in summary.items() if k != "skipped"},
        "unreadable_lines": dict(sorted(bad.items())),
        "warnings": [],
    }
    audit["warnings"] = _warnings(audit)
    return audit


def _lang_script(rec: Mapping[str, Any]) -> tuple[str, str]:
    lang = rec.get("lang")
    script = rec.get("script")
    return (
        lang if isinstance(lang, str) and lang else "und",
        script if isinstance(script, str) and script else "Zzzz",
    )


_HAS_NAMES = importlib.util.find_spec("language_data") is not None


def _language_name(tag: str) -> str | None:
    """English name of a language when the optional ``language_data`` package is installed."""
    if not _HAS_NAMES or tag == "und":
        return None
    try:
        return str(langcodes.Language.get(tag).display_name("en"))
    except (ValueError, LookupError, ImportError):
        return None


def _fmt_share(x: float) -> str:
    return f"{x * 100:.0f}%"


def _warnings(audit: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Things a data steward should look at, most serious first."""
    out: list[dict[str, Any]] = []
    totals = audit["totals"]
    langs: Mapping[str, Any] = audit["languages"]
    docs = int(totals["documents"])

    def warn(code: str, severity: str, message: str, languages: Sequence[str] = ()) -> None:
        item: dict[str, Any] = {"code": code, "severity": severity, "message": message}
        if languages:
            item["languages"] = list(languages)
        out.append(item)

    if docs == 0:
        warn(
            "empty",
            "error",
            _("the corpus has no documents: every input was removed or unreadable"),
        )
    real = {t: v for t, v in langs.items() if t != "und" and v["documents"] > 0}
    if real and docs:
        top, top_v = max(real.items(), key=lambda kv: kv[1]["documents"])
        share = top_v["documents"] / docs
        if len(real) >= 2 and share > DOMINANT_SHARE:
            warn(
                "dominant_language",
                "warning",
                _(
                    "{share} of the documents are in one language ({lang}); the others are "
                    "thinly represented"
                ).format(share=_fmt_share(share), lang=top),
                [top],
            )
    few = [t for t, v in real.items() if v["documents"] < FEW_DOCUMENTS]
    if few:
        warn(
            "few_documents",
            "warning",
            _(
                "languages with fewer than {min} documents ({n}): too few to train or evaluate "
                "on, and their statistics are unreliable"
            ).format(n=len(few), min=FEW_DOCUMENTS),
            few,
        )
    und = langs.get("und", {}).get("documents", 0)
    steps = audit["build"]["steps"]
    if docs and und and steps is not None and "langid" not in steps:
        warn(
            "langid_not_run",
            "warning",
            _(
                "language identification did not run, so documents are labelled und; the "
                "per-language statistics and the representation check are not meaningful"
            ),
            ["und"],
        )
    elif docs and und / docs > UND_SHARE:
        warn(
            "high_und",
            "warning",
            _(
                "{share} of the documents have no identified language (und); check the "
                "language-ID threshold or add a model for these languages"
            ).format(share=_fmt_share(und / docs)),
            ["und"],
        )
    erased = []
    for tag, v in langs.items():
        filtered = v["removed"] - v["dedup_removed"]
        seen = v["documents"] + filtered
        rate = v["filtered_rate"]
        if seen >= FILTERED_MIN_DOCS and rate is not None and rate > FILTERED_SHARE:
            erased.append(tag)
    if erased:
        warn(
            "high_removal",
            "warning",
            _(
                "filters removed more than half of the documents of these languages ({n}); "
                "check that the quality thresholds suit them"
            ).format(n=len(erased)),
            erased,
        )
    unsure = [
        t
        for t, v in real.items()
        if v["documents"] >= FEW_DOCUMENTS
        and v["mean_lang_confidence"] is not None
        and v["mean_lang_confidence"] < LOW_CONFIDENCE
    ]
    if unsure:
        warn(
            "low_lang_confidence",
            "warning",
            _(
                "language ID was unsure (mean confidence below {c}) for these languages "
                "({n}); check their samples by hand"
            ).format(c=LOW_CONFIDENCE, n=len(unsure)),
            unsure,
        )
    quarantined = int(audit["quarantine"]["count"])
    if quarantined:
        warn(
            "quarantine",
            "warning",
            _("inputs that could not be read: {n}; they are listed in quarantine/").format(
                n=quarantined
            ),
        )
    skipped = int(audit["skipped_inputs"]["count"])
    if skipped:
        warn(
            "skipped_inputs",
            "warning",
            _(
                "paths under the inputs that were not read: {n} (links that leave the input "
                "folder, broken links, folder links, pipes or devices); see Skipped inputs"
            ).format(n=skipped),
        )
    pii = audit["pii"]
    if pii["step_ran"] is False:
        warn(
            "pii_not_checked",
            "warning",
            _("the PII step did not run: personal data was not looked for"),
        )
    elif pii["total"] and pii["mode"] == "tag":
        warn(
            "pii_in_text",
            "warning",
            _("{n} PII items were found and left in the text (pii.mode = tag)").format(
                n=pii["total"]
            ),
        )
    elif pii["total"] and pii["mode"]:
        warn(
            "pii_found",
            "info",
            _("PII items found: {n}, in {d} documents; handled with pii.mode = {m}").format(
                n=pii["total"], d=pii["documents_with_pii"], m=pii["mode"]
            ),
        )
    elif pii["total"]:
        warn(
            "pii_found",
            "info",
            _(
                "PII items found: {n}, in {d} documents (the build configuration, which says "
                "how they were handled, was not found)"
            ).format(n=pii["total"], d=pii["documents_with_pii"]),
        )
    if totals["dedup_rate"] is not None and totals["dedup_rate"] > HIGH_DEDUP:
        warn(
            "high_dedup",
            "info",
            _("{share} of the documents were duplicates; the sources repeat a lot").format(
                share=_fmt_share(totals["dedup_rate"])
            ),
        )
    rep = audit["representation"]
    missing = [t for t in rep["uncovered_languages"] if t != "und"]
    if missing:
        warn(
            "representation_uncovered",
            "info",
            _(
                "the representation check has no lexicon for these languages ({n}), so it "
                "was not measured for them"
            ).format(n=len(missing)),
            missing,
        )
    if any(audit["unreadable_lines"].values()):
        warn(
            "unreadable_lines",
            "warning",
            _(
                "lines of the corpus files that could not be read: {n}; the files may be damaged"
            ).format(n=sum(audit["unreadable_lines"].values())),
        )
    order = {"error": 0, "warning": 1, "info": 2}
    out.sort(key=lambda w: order.get(w["severity"], 3))
    return out


def write_audit(corpus_dir: Path, *, title: str | None = None) -> dict[str, Any]:
    """Compute the audit and write ``audit.json`` and ``audit.html`` atomically; return it."""
    root = Path(corpus_dir)
    audit = build_audit(root)
    atomic_write_json(root / AUDIT_JSON, audit)
    name = title or audit["build"].get("name") or root.resolve().name
    atomic_write_text(root / AUDIT_HTML, render_audit_html(audit, title=str(name)))
    return audit


# ---------------------------------------------------------------- HTML

_CHART_TOP = 30
_HTML_LANG_SAMPLES = 30
_PALETTE = ("#2f6f9f", "#b5523b", "#4f8a3c", "#8a5fa8", "#b08a1e", "#3b8f8f", "#a04870")


def _num(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.1f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _pct(x: Any) -> str:
    if x is None:
        return "–"
    return f"{float(x) * 100:.1f}%"


def _compact(x: int) -> str:
    if x >= 1_000_000:
        return f"{x / 1_000_000:g}M"
    if x >= 1_000:
        return f"{x / 1_000:g}k"
    return str(x)


def bar_chart(
    items: Sequence[tuple[str, int]],
    *,
    title: str,
    color: str = _PALETTE[0],
    label_width: int = 170,
    width: int = 640,
    rest: tuple[int, int] | None = None,
) -> Markup:
    """A horizontal bar chart as inline SVG (labels are escaped; no script, no external refs).

    ``rest`` is (number of items not drawn, their total), written as a line under the bars.
    """
    if not items:
        return Markup("")
    row, top = 20, 4
    bar_max = width - label_width - 70
    peak = max(v for _l, v in items) or 1
    height = top + row * (len(items) + (1 if rest else 0)) + 4
    parts = [
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row
        w = max(1.0, bar_max * value / peak) if value else 0.0
        shown = label if len(label) <= 26 else label[:25] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{escape(shown)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="14" fill="{color}">'
            f"<title>{escape(label)}: {value:,}</title></rect>"
            f'<text x="{label_width + w + 5:.1f}" y="{y + 14}">{value:,}</text>'
        )
    if rest:
        y = top + len(items) * row
        note = _("+ {n} more ({total} together)").format(n=f"{rest[0]:,}", total=f"{rest[1]:,}")
        parts.append(f'<text x="{label_width}" y="{y + 14}" class="small">{escape(note)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram_chart(counts: Sequence[int], edges: Sequence[int], *, title: str) -> Markup:
    """Vertical bars for the fixed log-scale length bins, as inline SVG."""
    if not any(counts):
        return Markup("")
    width, height, left, bottom, top = 640, 220, 46, 36, 12
    n = len(counts)
    slot = (width - left - 10) / n
    peak = max(counts) or 1
    plot_h = height - bottom - top
    parts = [
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 6}" y2="{height - bottom}" '
        f'stroke="#888"/>',
    ]
    for i, c in enumerate(counts):
        x = left + i * slot
        h = plot_h * c / peak
        lo = edges[i]
        label = f"≥{_compact(lo)}" if i == n - 1 else f"{_compact(lo)}–{_compact(edges[i + 1])}"
        parts.append(
            f'<rect x="{x + 3:.1f}" y="{height - bottom - h:.1f}" width="{slot - 6:.1f}" '
            f'height="{h:.1f}" fill="{_PALETTE[0]}"><title>{escape(label)}: {c:,}</title></rect>'
            f'<line x1="{x:.1f}" y1="{height - bottom}" x2="{x:.1f}" y2="{height - bottom + 4}" '
            f'stroke="#888"/><text x="{x:.1f}" y="{height - bottom + 15}" text-anchor="middle" '
            f'class="small">{_compact(lo)}</text>'
        )
        if c:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - bottom - h - 3:.1f}" '
                f'text-anchor="middle" class="small">{c:,}</text>'
            )
    parts.append(
        f'<text x="{left + (width - left) / 2:.1f}" y="{height - 4}" text-anchor="middle" '
        f'class="small">{escape(_("characters per document"))}</text></svg>'
    )
    return Markup("".join(parts))


def _top_items(
    counts: Mapping[str, int], limit: int
) -> tuple[list[tuple[str, int]], tuple[int, int] | None]:
    """The ``limit`` largest items (ties keep the audit's order) and (count, total) of the rest."""
    items = [(k, int(v)) for k, v in counts.items() if v]
    items.sort(key=lambda kv: -kv[1])
    if len(items) <= limit:
        return items, None
    rest = items[limit:]
    return items[:limit], (len(rest), sum(v for _k, v in rest))


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    return env


def render_audit_html(audit: Mapping[str, Any], *, title: str) -> str:
    """The audit as one self-contained HTML page (inline CSS and SVG, no scripts)."""
    source = resources.files("puhui.corpus.templates").joinpath("audit.html.j2").read_text("utf-8")
    template = _environment().from_string(source)
    langs: Mapping[str, Any] = audit["languages"]
    lang_items, lang_rest = _top_items({t: v["documents"] for t, v in langs.items()}, _CHART_TOP)
    reason_items, reason_rest = _top_items(audit["removed"]["by_reason"], _CHART_TOP)
    pii_items, pii_rest = _top_items(audit["pii"]["by_type"], _CHART_TOP)
    charts = {
        "languages": bar_chart(lang_items, title=_("Documents per language"), rest=lang_rest),
        "reasons": bar_chart(
            reason_items,
            title=_("Removed documents by reason"),
            color=_PALETTE[1],
            label_width=200,
            rest=reason_rest,
        ),
        "pii": bar_chart(
            pii_items, title=_("PII found, by type"), color=_PALETTE[3], rest=pii_rest
        ),
        "length": histogram_chart(
            audit["totals"]["length"]["histogram"],
            audit["length"]["bin_edges"],
            title=_("Length of kept documents"),
        ),
    }
    rep = audit["representation"]
    return template.render(
        _=_,
        title=title,
        a=audit,
        charts=charts,
        category_label=category_label,
        severity_label=severity_label,
        categories=rep["categories"],
        sample_langs=[t for t, v in langs.items() if v.get("sample")][:_HTML_LANG_SAMPLES],
        removed_langs=[t for t, v in langs.items() if v["removed"]],
        pii_langs=[t for t, v in langs.items() if v["documents_with_pii"]],
        version=__version__,
    )
