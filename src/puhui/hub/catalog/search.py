"""Search with facets over the items a caller may see, behind one interface.

:func:`search` is all callers use. The full-text part is picked by database vendor:

- SQLite: an FTS5 table ``catalog_item_fts`` (rowid = item id, ``unicode61`` tokens with
  diacritics folded), kept in sync by :func:`index` / :func:`unindex`;
- PostgreSQL: a stored ``search_tsv`` column (``to_tsvector('simple', search_text)``, migration
  0003) with a GIN index, queried with prefix terms.

Both match every word of the query as a word prefix ("swa" finds "swahili"). Neither stems;
the ``simple`` configuration suits languages no stemmer knows. Facets (kind, language, sector,
country, risk area) are counts over the same visible, filtered set — its newest
:data:`WINDOW` items, so the cost of a search does not grow with the catalog.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, QuerySet
from django.db.models.expressions import RawSQL

from puhui.hub.catalog.access import Caller, visible_items
from puhui.hub.catalog.models import FACETS, Item, ItemTag

FTS_TABLE = "catalog_item_fts"
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 16
FACET_VALUES = 30
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


def terms(query: str) -> list[str]:
    """The words of a query, lower-cased, at most :data:`MAX_TERMS`."""
    return [t.lower() for t in _WORD.findall(query)][:MAX_TERMS]


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
    ]
    return "\n".join(p for p in parts if p)


def _vendor() -> str:
    return str(connection.vendor)


def index(item: Item) -> None:
    """Put (or replace) ``item`` in the full-text index."""
    if _vendor() != "sqlite":
        return  # PostgreSQL indexes the column itself
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [item.pk])
        cur.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (%s, %s)", [item.pk, item.search_text]
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


def match(qs: QuerySet[Item], query: str) -> QuerySet[Item]:
    """Narrow ``qs`` to items whose text has every word of ``query`` as a word prefix."""
    words = terms(query)
    if not words:
        return qs
    if _vendor() == "postgresql":
        # the stored, GIN-indexed column of migration 0003; words are \w+ only, so the tsquery
        # syntax is safe, and it is passed as a parameter anyway
        tsquery = " & ".join(f"{w}:*" for w in words)
        return qs.extra(where=["search_tsv @@ to_tsquery('simple', %s)"], params=[tsquery])
    fts = " ".join('"' + w.replace('"', "") + '"*' for w in words)
    return qs.filter(
        pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts])
    )


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
    qs = match(visible_items(caller), query)
    for facet in FACETS:
        values = [v for v in facets.get(facet, []) if v][:20]
        if not values:
            continue
        if facet == "kind":
            qs = qs.filter(kind__in=values)
        else:
            for value in values:  # several values of one facet: all must hold
                qs = qs.filter(
                    pk__in=ItemTag.objects.filter(facet=facet, value=value).values("item_id")
                )
    size = int(getattr(settings, "PUHUI_SEARCH_WINDOW", WINDOW))
    window = list(qs.order_by("-id").values_list("id", "kind")[: size + 1])
    capped = len(window) > size
    window = window[:size]
    total = len(window)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    ids = [pk for pk, _kind in window[start : start + per_page]]
    found = {i.pk: i for i in Item.objects.filter(pk__in=ids).select_related("org")}
    items = [found[pk] for pk in ids if pk in found]
    counts: dict[str, list[tuple[str, int]]] = {}
    kinds = Counter(kind for _pk, kind in window)
    counts["kind"] = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
    tag_rows = (
        ItemTag.objects.filter(item_id__in=[pk for pk, _kind in window])
        .values("facet", "value")
        .annotate(n=Count("id"))
        .order_by("facet", "-n", "value")
    )
    for r in tag_rows:
        bucket = counts.setdefault(r["facet"], [])
        if len(bucket) < FACET_VALUES:
            bucket.append((r["value"], r["n"]))
    return SearchResult(
        items, total, page, pages, {f: counts.get(f, []) for f in FACETS}, capped=capped
    )
