"""Croissant 1.0 metadata with the RAI fields for a built corpus (``DIR/croissant.json``).

:func:`write_croissant` writes Croissant 1.0 JSON-LD (the 1.0 ``@context``, ``conformsTo``
Croissant 1.0 and Croissant RAI 1.0), one ``cr:FileObject`` per data shard with its sha256, a
``cr:FileSet`` for ``data/*.jsonl.zst``, a ``documents`` RecordSet (id, text, lang, script,
source, lang_confidence, chars) and the ``rai:`` fields the audit and the build configuration
can answer (see :mod:`puhui.corpus.answers`). Questions only a person can answer are written
as ``TODO (data steward): ...`` so that they are visible rather than silently missing.

The shards are zstd-compressed JSON Lines. Croissant 1.0 has no property for a compression
layer, and ``mlcroissant`` (1.1) reads JSON Lines uncompressed or gzip-compressed only, so it
validates this metadata but cannot stream the records without decompressing the shards first
(``zstd -d``); the FileSet's description says so.

It takes the dict returned by :func:`puhui.corpus.audit.build_audit` and never needs
``manifest.json`` (which the build writes after it). The output has no timestamps of its own,
so rebuilding the same corpus gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from puhui._version import __version__
from puhui.artifacts import atomic_write_json, sha256_file
from puhui.corpus.answers import (
    RECORD_FIELDS,
    bias_statements,
    field_description,
    kept_languages,
    limitation_statements,
    pii_statements,
    preprocessing_steps,
    steward,
    top_languages,
)
from puhui.i18n import _

CROISSANT = "croissant.json"
CROISSANT_1_0 = "http://mlcommons.org/croissant/1.0"
RAI_1_0 = "http://mlcommons.org/croissant/RAI/1.0"

#: The JSON-LD context of the Croissant 1.0 specification, plus the RAI prefix.
CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

JSONLINES = "application/jsonlines"


def data_parts(root: Path) -> list[Path]:
    folder = root / "data"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(".jsonl.zst"))


def build_croissant(
    corpus_dir: Path,
    audit: Mapping[str, Any],
    *,
    name: str,
    description: str | None = None,
    license: str | None = None,
    version: str | None = None,
    url: str | None = None,
    cite_as: str | None = None,
    date_published: str | None = None,
    creators: Sequence[str] = (),
    keywords: Sequence[str] = (),
) -> dict[str, Any]:
    """The Croissant JSON-LD for a corpus folder, as a dict (hashes the data shards)."""
    root = Path(corpus_dir)
    totals = audit["totals"]
    summary = _(
        "Text corpus of {docs} documents ({chars} characters) in {n} languages ({top}), "
        "built offline with Puhui {version}."
    ).format(
        docs=f"{totals['documents']:,}",
        chars=f"{totals['characters']:,}",
        n=totals["languages"],
        top=top_languages(audit, 5) or "–",
        version=__version__,
    )
    desc = (
        f"{description.strip()} {summary}"
        if description
        else (f"{summary} {steward(_('say what the corpus is for and who made it.'))}")
    )
    fileset_desc = _(
        "Kept documents, one JSON object per line, in zstd-compressed JSON Lines shards "
        "(.jsonl.zst). Croissant 1.0 cannot declare the compression and mlcroissant reads only "
        "plain or gzip-compressed JSON Lines: decompress the shards (zstd -d) or read them with "
        "Puhui to stream the records."
    )
    distribution: list[dict[str, Any]] = []
    for part in data_parts(root):
        distribution.append(
            {
                "@type": "cr:FileObject",
                "@id": f"data/{part.name}",
                "name": part.name,
                "description": _("One shard of the kept documents (zstd-compressed JSON Lines)."),
                "contentUrl": f"data/{part.name}",
                "contentSize": f"{part.stat().st_size} B",
                "encodingFormat": JSONLINES,
                "sha256": sha256_file(part),
            }
        )
    distribution.append(
        {
            "@type": "cr:FileSet",
            "@id": "data-files",
            "name": "data-files",
            "description": fileset_desc,
            "encodingFormat": JSONLINES,
            "includes": "data/*.jsonl.zst",
        }
    )
    fields = [
        {
            "@type": "cr:Field",
            "@id": f"documents/{fname}",
            "name": fname,
            "description": field_description(fname),
            "dataType": dtype,
            "source": {"fileSet": {"@id": "data-files"}, "extract": {"column": fname}},
        }
        for fname, dtype in RECORD_FIELDS
    ]
    doc: dict[str, Any] = {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "name": name,
        "description": desc,
        "conformsTo": [CROISSANT_1_0, RAI_1_0],
    }
    if license:
        doc["license"] = license
    if url:
        doc["url"] = url
    if version:
        doc["version"] = version
    if cite_as:
        doc["citeAs"] = cite_as
    if date_published:
        doc["datePublished"] = date_published
    if creators:
        doc["creator"] = [{"@type": "sc:Person", "name": c} for c in creators]
    doc["keywords"] = ["text corpus", "multilingual", *keywords]
    doc["inLanguage"] = kept_languages(audit)
    doc["isLiveDataset"] = False
    doc["distribution"] = distribution
    doc["recordSet"] = [
        {
            "@type": "cr:RecordSet",
            "@id": "documents",
            "name": "documents",
            "description": _("The kept documents; each record is one document."),
            "key": {"@id": "documents/id"},
            "field": fields,
        }
    ]
    doc.update(_rai_fields(audit))
    return doc


def _rai_fields(audit: Mapping[str, Any]) -> dict[str, Any]:
    build = audit["build"]
    totals = audit["totals"]
    inputs = build["inputs"]
    if build["config_found"]:
        collected = _(
            "Built with `puhui corpus build` (Puhui {version}) from {n} input files{names}. "
        ).format(
            version=__version__,
            n=f"{build['input_count']:,}",
            names=(": " + ", ".join(inputs[:10]) + (" …" if len(inputs) > 10 else ""))
            if inputs
            else "",
        )
    else:
        collected = _("Built with Puhui {version}; the build configuration was not found. ").format(
            version=__version__
        )
    collected += steward(_("say where the inputs came from and how they were gathered."))
    quarantine = audit["quarantine"]
    und = audit["languages"].get("und", {}).get("documents", 0)
    missing = _(
        "{q} inputs could not be read and are listed in quarantine/ ({kinds}). {u} kept "
        "documents have no identified language (lang = und)."
    ).format(
        q=f"{quarantine['count']:,}",
        kinds=", ".join(f"{e['kind']} {e['count']:,}" for e in quarantine["top_errors"][:3]) or "–",
        u=f"{und:,}",
    )
    raw = _(
        "The original inputs are not included; they are identified by sha256 in manifest.json "
        "(provenance.inputs). Removed documents are kept in removed/ with the reason for each "
        "({n} documents)."
    ).format(n=f"{totals['removed']:,}")
    tools = [
        _(
            "lang, script and lang_confidence were assigned automatically by Puhui {v}'s "
            "language identification; no person checked them."
        ).format(v=__version__)
    ]
    if audit["pii"]["step_ran"] is not False:
        tools.append(_("PII was detected automatically by Puhui's pattern and checksum detectors."))
    return {
        "rai:dataCollection": collected,
        "rai:dataCollectionType": [
            steward(_("e.g. web scraping, existing archive, crowdsourcing, manual curation."))
        ],
        "rai:dataCollectionMissingData": missing,
        "rai:dataCollectionRawData": raw,
        "rai:dataPreprocessingProtocol": preprocessing_steps(audit),
        "rai:machineAnnotationTools": tools,
        "rai:personalSensitiveInformation": pii_statements(audit),
        "rai:dataBiases": bias_statements(audit),
        "rai:dataLimitations": limitation_statements(audit),
        "rai:dataUseCases": [
            steward(
                _("intended uses (e.g. language-model pretraining, evaluation) and uses to avoid.")
            )
        ],
        "rai:dataSocialImpact": steward(
            _("who could benefit or be harmed when models are trained on this corpus.")
        ),
        "rai:dataReleaseMaintenancePlan": _(
            "Rebuilding with the same inputs and configuration reproduces the corpus byte for "
            "byte (content-addressed manifest id). "
        )
        + steward(_("who maintains it, how often it is updated, and how errors are reported.")),
    }


def write_croissant(
    corpus_dir: Path,
    audit: dict[str, Any],
    *,
    name: str,
    description: str | None = None,
    license: str | None = None,
    version: str | None = None,
    url: str | None = None,
    cite_as: str | None = None,
    date_published: str | None = None,
    creators: Sequence[str] = (),
    keywords: Sequence[str] = (),
) -> dict[str, Any]:
    """Write ``DIR/croissant.json`` (Croissant 1.0 + RAI 1.0 JSON-LD) atomically; return it.

    ``license`` is a URL or SPDX id; ``date_published`` an ISO date. Leaving out ``license``,
    ``version``, ``cite_as`` or ``date_published`` is valid but validators warn.
    """
    doc = build_croissant(
        corpus_dir,
        audit,
        name=name,
        description=description,
        license=license,
        version=version,
        url=url,
        cite_as=cite_as,
        date_published=date_published,
        creators=creators,
        keywords=keywords,
    )
    atomic_write_json(Path(corpus_dir) / CROISSANT, doc)
    return doc


# ---------------------------------------------------------------- the datasheet


def load_croissant(corpus_dir: Path) -> dict[str, Any]:
    """Read ``DIR/croissant.json`` back (for inspection and tests)."""
    data = json.loads((Path(corpus_dir) / CROISSANT).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("croissant.json: expected a JSON object")
    return data
