"""The representation check: the identity-term lexicon, its matching and the per-language counts.

Mentions of identity and demographic terms are counted with the bundled lexicon
``puhui/content/lexicon/identity_terms.json``, per 10,000 words (per 10,000 characters for
scripts written without spaces). Only mentions are counted, never how a group is portrayed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import langcodes
import regex  # type: ignore[import-untyped, unused-ignore]

from puhui.corpus.audit.stats import WORD_TOKEN, Group
from puhui.i18n import _
from puhui.lang import FOLDINGS as _NORMALIZERS
from puhui.lang import fold_for_matching as normalize_for_matching

TOP_TERMS = 10

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


_CANON_CACHE = 200_000  # tokens whose affix-stripped form is remembered, per language
_UNSPECIFIC_SCRIPTS = frozenset({"Zyyy", "Zzzz", "Zinh", "Hani", ""})


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
                phrase = tuple(str(t) for t in WORD_TOKEN.findall(norm))
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
            tokens: list[str] = WORD_TOKEN.findall(norm)
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
class Representation:
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


def representation_json(
    lex: IdentityLexicon,
    reps: Mapping[str, Representation],
    languages: Mapping[str, Group],
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
