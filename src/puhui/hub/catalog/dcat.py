"""DCAT-AP 3 catalog in JSON-LD of the hub's public items, for harvesting by other catalogs.

Every public item is a ``dcat:Dataset`` (DCAT's word for any published data; the Puhui kind,
e.g. ``corpus``, is in ``dct:type``) with one
``dcat:Distribution`` per file: download URL, media type, byte size and an SPDX sha256 checksum.
Languages use the EU Publications Office authority table (ISO 639-3 codes), countries its
country table. Pages of :data:`PAGE_SIZE` items are linked with Hydra paging terms.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from puhui.hub.catalog.models import Item
from puhui.hub.sharing.service import odrl_of

PAGE_SIZE = 500
EU = "http://publications.europa.eu/resource/authority/"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "spdx": "http://spdx.org/rdf/terms#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "adms": "http://www.w3.org/ns/adms#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
}
_ISO3: dict[str, str | None] = {}


def language_uri(tag: str) -> dict[str, str] | None:
    """EU authority URI for a BCP-47 tag (``sw`` → ``…/language/SWA``), or None."""
    code = _ISO3.get(tag, "")
    if code == "":
        try:
            import langcodes

            code = langcodes.Language.get(tag).to_alpha3()
        except (ValueError, LookupError):
            code = None
        _ISO3[tag] = code
    if not code or code in ("und", "zxx"):
        return None
    return {"@id": f"{EU}language/{code.upper()}"}


def _dataset(request: HttpRequest, item: Item) -> dict[str, Any]:
    with translation.override("en"):
        page = request.build_absolute_uri(reverse("catalog:item", args=[item.pk]))
    dists = []
    for f in item.files.all():
        url = request.build_absolute_uri(reverse("api:file", kwargs={"sha256": f.sha256}))
        dists.append(
            {
                "@type": "dcat:Distribution",
                "dct:title": f.path,
                "dcat:downloadURL": {"@id": f"{url}?name={f.path.rsplit('/', 1)[-1]}"},
                "dcat:accessURL": {"@id": page},
                "dcat:mediaType": {
                    "@id": f"https://www.iana.org/assignments/media-types/{f.media_type}"
                },
                "dcat:byteSize": {"@value": str(f.size), "@type": "xsd:nonNegativeInteger"},
                "spdx:checksum": {
                    "@type": "spdx:Checksum",
                    "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                    "spdx:checksumValue": f.sha256,
                },
            }
        )
    ds: dict[str, Any] = {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": item.urn,
        "dct:title": item.title,
        "dct:description": item.description or item.title,
        "dct:type": item.kind,
        "dct:issued": {"@value": item.created.isoformat(), "@type": "xsd:dateTime"},
        "dcat:version": item.version,
        "dcat:landingPage": {"@id": page},
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": item.org.name or item.org.slug},
        "adms:identifier": {"@type": "adms:Identifier", "skos:notation": item.content_sha256},
        "dcat:distribution": dists,
    }
    langs = [u for u in (language_uri(t) for t in item.languages) if u]
    if langs:
        ds["dct:language"] = langs
    if item.countries:
        ds["dct:spatial"] = [{"@id": f"{EU}country/{c}"} for c in item.countries if len(c) == 2]
    keywords = [
        item.kind,
        *item.languages,
        *item.risk_areas,
        *([item.sector] if item.sector else []),
    ]
    ds["dcat:keyword"] = keywords
    if item.kind == "corpus" and item.files.filter(path="croissant.json").exists():
        ds["dct:conformsTo"] = {"@id": "http://mlcommons.org/croissant/1.0"}
    if (policy := odrl_of(item)) is not None:
        ds["odrl:hasPolicy"] = policy
    return ds


def catalog(request: HttpRequest, *, page: int = 1) -> dict[str, Any]:
    """One page of the catalog (public items only, newest first)."""
    qs = Item.objects.filter(visibility="public").select_related("org").order_by("-created", "-id")
    total = qs.count()
    start = (page - 1) * PAGE_SIZE
    items = list(qs.prefetch_related("files")[start : start + PAGE_SIZE])
    base = request.build_absolute_uri(reverse("api:catalog"))
    doc: dict[str, Any] = {
        "@context": {**CONTEXT, "skos": "http://www.w3.org/2004/02/skos/core#"},
        "@id": base,
        "@type": "dcat:Catalog",
        "dct:title": "Puhui hub",
        "dct:description": "Corpora, evaluation runs, assessments and certificates.",
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": request.get_host()},
        "foaf:homepage": {"@id": request.build_absolute_uri("/")},
        "dct:conformsTo": {"@id": "http://data.europa.eu/r5r/"},
        "dcat:dataset": [_dataset(request, i) for i in items],
    }
    last = max(1, -(-total // PAGE_SIZE))
    view: dict[str, Any] = {
        "@id": f"{base}?page={page}",
        "@type": "hydra:PartialCollectionView",
        "hydra:first": {"@id": f"{base}?page=1"},
        "hydra:last": {"@id": f"{base}?page={last}"},
        "hydra:totalItems": total,
    }
    if page < last:
        view["hydra:next"] = {"@id": f"{base}?page={page + 1}"}
    if page > 1:
        view["hydra:previous"] = {"@id": f"{base}?page={page - 1}"}
    doc["hydra:view"] = view
    return doc
