"""Search with facets over the items a caller may see, behind one interface.

:func:`search` is all callers use. One full-text index answers both the words of a query and
the chosen facet values: each item's facet values (kind, language, sector, country, risk area)
are indexed as hidden terms (:func:`facet_term`) next to its text, and words are matched only
against the text. The index is picked by database vendor:

- SQLite: an FTS5 table ``catalog_item_fts`` (rowid = item id; column ``text`` for words,
  ``facets`` for facet terms; ``unicode61`` tokens with diacritics folded), kept in sync by
  :func:`index` / :func:`unindex`;
- PostgreSQL: a stored ``search_tsv`` column (the text's words with weight A, facet terms
  unweighted; migration 0005) with a GIN index; words are queried as ``word:*A``.

Both match every word of the query as a word prefix ("swa" finds "swahili"). Neither stems;
the ``simple`` configuration suits languages no stemmer knows. Facet counts (read back from the
hidden terms) and the total come from the newest :data:`WINDOW` matches, read newest first in
stretches of ids (:func:`newest`), so the cost of a search does not grow with the catalog.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from puhui.hub.catalog.access import Caller, visible_items
from puhui.hub.catalog.models import FACETS, Item
from puhui.hub.catalog.terms import (
    VALUE_MAX,
    facet_counts,
    facet_term,
    newest,
    terms,
)

FTS_TABLE = "catalog_item_fts"
#: How many of the newest matches a search looks at (pages, total and facet counts), unless
#: the ``hub_search_window`` setting says otherwise.
WINDOW = 500


@dataclass
class SearchResult:
    items: list[Item]
    total: int  # with ``capped``: a lower bound, the newest WINDOW matches
    page: int
    pages: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    capped: bool = False


def text_of(item: Item) -> str:
    """What full-text search sees of an item."""
    parts = [
        item.title,
        item.name.replace("-", " "),
        item.kind,
        item.description,
        item.sector,
        " ".join(item.languages),
        " ".join(item.countries),
        " ".join(a.replace("-", " ").replace("_", " ") for a in item.risk_areas),
        item.org.slug if item.org_id else "",
        item.org.name if item.org_id else "",
        item.urn,
        *_course_texts(item.metadata.get("course") if isinstance(item.metadata, dict) else None),
    ]
    return "\n".join(p for p in parts if p)


def _course_texts(course: object) -> list[str]:
    """A course's titles in every language and its lessons' titles."""
    if not isinstance(course, dict):
        return []
    titles = course.get("titles")
    out = [str(t) for t in titles.values()] if isinstance(titles, dict) else []
    lessons = course.get("lessons")
    if isinstance(lessons, list):
        out += [str(r.get("title", "")) for r in lessons if isinstance(r, dict)]
    return out


def tags_of(item: Item) -> set[tuple[str, str]]:
    """The item's (facet, value) pairs for every facet but ``kind``, values cut as indexed."""
    tags = {("language", v) for v in item.languages}
    tags |= {("country", v) for v in item.countries}
    tags |= {("risk_area", v) for v in item.risk_areas}
    if item.sector:
        tags.add(("sector", item.sector))
    return {(f, v[:VALUE_MAX]) for f, v in tags if v}


def facet_terms_of(item: Item, tags: set[tuple[str, str]] | None = None) -> str:
    """What goes into ``Item.facet_terms``: the hidden terms of the kind and every tag."""
    pairs = (tags_of(item) if tags is None else tags) | {("kind", item.kind)}
    return " ".join(sorted(facet_term(f, v) for f, v in pairs))


def _vendor() -> str:
    return str(connection.vendor)


def index(item: Item) -> None:
    """Put (or replace) ``item`` in the full-text index."""
    if _vendor() != "sqlite":
        return  # PostgreSQL indexes the column itself
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [item.pk])
        cur.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, text, facets) VALUES (%s, %s, %s)",
            [item.pk, item.search_text, item.facet_terms],
        )


def unindex(item_id: int) -> None:
    if _vendor() != "sqlite":
        return
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [item_id])


#: How often (seconds) a process checks that SQLite's planner statistics still fit the catalog.
STATS_CHECK_EVERY = 600.0
_stats_checked = 0.0


def ensure_sqlite_stats() -> None:
    """Keep ``sqlite_stat1`` roughly current so SQLite's planner picks good plans.

    Without statistics SQLite guesses that ``visibility = 'public'`` selects ~10 rows, so it
    walks the visibility index (most of the catalog) instead of the FTS matches or the
    ``created`` index: searches cost hundreds of ms at 100k items instead of a few. At most every
    :data:`STATS_CHECK_EVERY` seconds per process this compares the analysed row count with
    ``MAX(id)`` and, when missing or off by more than 2x, runs a sampled ``ANALYZE`` (a few ms).
    """
    global _stats_checked
    now = time.monotonic()
    if _vendor() != "sqlite" or (_stats_checked and now - _stats_checked < STATS_CHECK_EVERY):
        return
    _stats_checked = now
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT MAX(id) FROM catalog_item")
            rows = int(cur.fetchone()[0] or 0)
            if rows < 1000:
                return  # any plan is fast on a small catalog
            cur.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            analysed = 0
            if cur.fetchone():
                cur.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'catalog_item' LIMIT 1")
                row = cur.fetchone()
                analysed = int(str(row[0]).split()[0]) if row else 0
            if analysed and analysed * 2 >= rows and rows * 2 >= analysed:
                return
            cur.execute("PRAGMA analysis_limit = 1000")
            cur.execute("ANALYZE")
    except DatabaseError:
        pass  # a read-only or busy database: keep the old statistics, try again later


def match(
    qs: QuerySet[Item],
    query: str,
    facets: Mapping[str, Sequence[str]] | None = None,
    lo: int | None = None,
    hi: int | None = None,
) -> QuerySet[Item]:
    """Narrow ``qs`` to items whose text has every word of ``query`` as a word prefix and that
    hold every chosen facet value (for ``kind``: any of the chosen kinds), in one index lookup.

    ``lo < id <= hi`` (when given) is pushed into SQLite's lookup, so that FTS5 reads only that
    stretch of each term's list; on PostgreSQL the caller's id bounds reach the index anyway.
    """
    words = terms(query)
    chosen = {f: [v for v in (facets or {}).get(f, []) if v][:20] for f in FACETS}
    kinds = [facet_term("kind", v) for v in chosen.pop("kind")]
    needed = [facet_term(f, v) for f, values in chosen.items() for v in values]
    if not words and not kinds and not needed:
        return qs
    if _vendor() == "postgresql":
        # words are letters, digits, "_" and marks, facet terms ǂ + a letter and hex digits, so
        # none carries tsquery syntax; passed as a parameter anyway. ":*A": prefix of a text word
        parts = [f"{w}:*A" for w in words] + needed
        if kinds:
            parts.append("(" + " | ".join(kinds) + ")")
        tsquery = " & ".join(parts)
        return qs.extra(where=["search_tsv @@ to_tsquery('simple', %s)"], params=[tsquery])
    parts = ['text : "' + w.replace('"', "") + '"*' for w in words]
    parts += [f'facets : "{t}"' for t in needed]
    if kinds:
        parts.append("(" + " OR ".join(f'facets : "{t}"' for t in kinds) + ")")
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
    params: list[object] = [" AND ".join(parts)]
    if lo is not None:
        sql += " AND rowid > %s"
        params.append(lo)
    if hi is not None:
        sql += " AND rowid <= %s"
        params.append(hi)
    return qs.filter(pk__in=RawSQL(sql, params))


def search(
    query: str,
    facets: Mapping[str, Sequence[str]],
    caller: Caller,
    *,
    page: int = 1,
    per_page: int = 20,
) -> SearchResult:
    """Items visible to ``caller`` matching ``query`` and every chosen facet value, newest first.

    Only the newest :data:`WINDOW` matches (setting ``hub_search_window``) are looked at: the
    pages, the total and the facet counts come from them (``capped`` says there are more), so a
    search costs about the same at a thousand items as at a million, and a vague query is
    answered fast with a hint to narrow it rather than slowly with exact counts nobody reads.
    """
    ensure_sqlite_stats()
    base = visible_items(caller)

    def fetch(lo: int | None, hi: int | None, n: int) -> list[tuple[int, str]]:
        qs = match(base, query, facets, lo, hi)
        if lo is not None:
            qs = qs.filter(pk__gt=lo)
        if hi is not None:
            qs = qs.filter(pk__lte=hi)
        return list(qs.order_by("-id").values_list("id", "facet_terms")[:n])

    size = int(settings.PUHUI["search_window"])
    top = Item.objects.order_by("-id").values_list("id", flat=True).first()
    window = newest(fetch, top, size)
    capped = len(window) > size
    window = window[:size]
    total = len(window)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    ids = [pk for pk, _terms in window[start : start + per_page]]
    found = {i.pk: i for i in Item.objects.filter(pk__in=ids).select_related("org")}
    items = [found[pk] for pk in ids if pk in found]
    return SearchResult(items, total, page, pages, facet_counts(window), capped=capped)
