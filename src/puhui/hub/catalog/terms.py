"""What the full-text index holds and is asked, in plain Python (no Django): the words of a
query, the hidden terms that index facet values, facet counts read back from those terms, and
the reading of the newest matches in stretches of ids. :mod:`puhui.hub.catalog.search` puts
them to work on SQLite and PostgreSQL.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

MAX_TERMS = 16
FACET_VALUES = 30
#: ``fetch(lo, hi, n)``: at most n matching (id, facet terms) rows, lo < id <= hi, newest first.
Fetch = Callable[[int | None, int | None, int], list[tuple[int, str]]]


def _in_word(ch: str) -> bool:
    # letters, digits, "_" and combining marks: Python's \w alone cuts "তথ্য" (Bengali) or
    # "ìtumọ̀" (Yoruba, decomposed) at vowel signs and tone marks; PostgreSQL's parser keeps
    # such words whole, and FTS5 tokenizes a quoted query word exactly as it did the text
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


def terms(query: str) -> list[str]:
    """The words of a query, lower-cased, at most :data:`MAX_TERMS`."""
    words, word = [], ""
    for ch in query + " ":
        if _in_word(ch):
            word += ch
        elif word:
            if any(c.isalnum() for c in word):  # not marks alone
                words.append(word.lower())
            word = ""
    return words[:MAX_TERMS]


FACET_MARK = "\u01c2"  # ǂ: a letter to both tokenizers, so a term stays one token
#: One letter per facet in the hidden full-text terms.
FACET_CODES = {"kind": "k", "language": "l", "sector": "s", "country": "c", "risk_area": "r"}
#: Facet values longer than this are cut, in tags and in queries alike.
VALUE_MAX = 100


def facet_term(facet: str, value: str) -> str:
    """The hidden full-text term for one facet value: ``ǂ``, the facet's letter, the value's
    UTF-8 bytes in hex — one token for both tokenizers, whatever the value's characters."""
    return FACET_MARK + FACET_CODES[facet] + value[:VALUE_MAX].encode("utf-8").hex()


#: The first stretch of ids a search reads (the newest), as a multiple of the window.
FIRST_STRETCH = 16
#: At most this many stretches; the last one reaches the oldest item.
MAX_STRETCHES = 4


def newest(fetch: Fetch, top: int | None, size: int) -> list[tuple[int, str]]:
    """The newest ``size + 1`` rows a search matches, read newest first in stretches of ids.

    ``fetch(lo, hi, n)`` returns at most ``n`` matching (id, facet terms) rows with
    ``lo < id <= hi`` (``None``: unbounded), highest id first; ``top`` is the highest id there
    is (``None``: an empty catalog).

    Asked for "newest first" in one statement, a database must choose between walking the id
    index backwards, testing each row (fast when matches are dense, slow when rare), and
    collecting every match from the full-text index before sorting (the reverse), and its row
    estimates are too rough to choose well. So the newest ``FIRST_STRETCH * size`` ids are
    searched first, a bounded amount of work either way, and the density of matches found there
    sizes the next, older stretch, until ``size + 1`` rows are found or the oldest id is reached
    (at most :data:`MAX_STRETCHES` statements).
    """
    if top is None:
        return []
    found: list[tuple[int, str]] = []
    hi, span = top, FIRST_STRETCH * size
    for n in range(1, MAX_STRETCHES + 1):
        want = size + 1 - len(found)
        lo = hi - span if n < MAX_STRETCHES and hi - span > 0 else None
        rows = fetch(lo, hi, want)
        found += rows
        if len(rows) >= want or lo is None:
            break
        # aim the next stretch at the rest of what is wanted, from the density seen so far
        # (half as much again, so that one more statement is rarely needed)
        density = len(found) / max(1, top - lo)
        rest = want - len(rows)
        hi, span = lo, int(rest / density * 1.5) + size if density else lo
    return found


def facet_counts(window: Sequence[tuple[int, str]]) -> dict[str, list[tuple[str, int]]]:
    """Per facet, the most frequent :data:`FACET_VALUES` values among ``window``'s items, read
    back from their hidden facet terms: (value, count), most frequent first."""
    letters = {code: facet for facet, code in FACET_CODES.items()}
    counted = Counter(t for _pk, terms_ in window for t in terms_.split())
    by_facet: dict[str, list[tuple[str, int]]] = {f: [] for f in FACET_CODES}
    for term, n in counted.items():
        facet = letters.get(term[1:2])
        if facet is None or not term.startswith(FACET_MARK):
            continue
        try:
            value = bytes.fromhex(term[2:]).decode("utf-8")
        except ValueError:
            continue
        by_facet[facet].append((value, n))
    return {
        f: sorted(values, key=lambda vn: (-vn[1], vn[0]))[:FACET_VALUES]
        for f, values in by_facet.items()
    }
