"""Search with facets over the items a caller may see, behind one interface.

:func:`search` is all callers use. The full-text part is picked by database vendor:

- SQLite: an FTS5 table ``catalog_item_fts`` (rowid = item id, ``unicode61`` tokens with
  diacritics folded), kept in sync by :func:`index` / :func:`unindex`;
- PostgreSQL: ``to_tsvector('simple', search_text)`` with a GIN index on that expression
  (created by migration 0002), queried with prefix terms.

Both match every word of the query as a word prefix ("swa" finds "swahili"). Neither stems;
the ``simple`` configuration suits languages no stemmer knows. Facets (kind, language, sector,
country, risk area) are counts over the same visible, filtered set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.expressions import RawSQL

from puhui.hub.catalog.access import Caller, visible_items
from puhui.hub.catalog.models import FACETS, Item, ItemTag

FTS_TABLE = "catalog_item_fts"
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 16
FACET_VALUES = 30


@dataclass
class SearchResult:
    items: list[Item]
    total: int
    page: int
    pages: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


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


def match(qs: QuerySet[Item], query: str) -> QuerySet[Item]:
    """Narrow ``qs`` to items whose text has every word of ``query`` as a word prefix."""
    words = terms(query)
    if not words:
        return qs
    if _vendor() == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        tsquery = " & ".join(f"{w}:*" for w in words)
        return qs.annotate(search_vector=SearchVector("search_text", config="simple")).filter(
            search_vector=SearchQuery(tsquery, config="simple", search_type="raw")
        )
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
    """Items visible to ``caller`` matching ``query`` and every chosen facet value."""
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
    total = qs.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    items = list(qs.select_related("org").order_by("-created", "-id")[start : start + per_page])
    counts: dict[str, list[tuple[str, int]]] = {}
    kinds = qs.order_by().values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    counts["kind"] = [(r["kind"], r["n"]) for r in kinds]
    tag_rows = (
        ItemTag.objects.filter(item_id__in=qs.order_by().values("pk"))
        .values("facet", "value")
        .annotate(n=Count("id"))
        .order_by("facet", "-n", "value")
    )
    for r in tag_rows:
        bucket = counts.setdefault(r["facet"], [])
        if len(bucket) < FACET_VALUES:
            bucket.append((r["value"], r["n"]))
    return SearchResult(items, total, page, pages, {f: counts.get(f, []) for f in FACETS})
