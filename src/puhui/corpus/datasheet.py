"""Document a built corpus: Croissant 1.0 metadata with RAI fields, and a Datasheet for Datasets.

:func:`write_croissant` writes ``DIR/croissant.json``: Croissant 1.0 JSON-LD (the 1.0
``@context``, ``conformsTo`` Croissant 1.0 and Croissant RAI 1.0), one ``cr:FileObject`` per data
shard with its sha256, a ``cr:FileSet`` for ``data/*.jsonl.zst``, a ``documents`` RecordSet
(id, text, lang, script, source, lang_confidence, chars) and the ``rai:`` fields the audit and
the build configuration can answer. Questions only a person can answer are written as
``TODO (data steward): ...`` so that they are visible rather than silently missing.

The shards are zstd-compressed JSON Lines. Croissant 1.0 has no property for a compression
layer, and ``mlcroissant`` (1.1) reads JSON Lines uncompressed or gzip-compressed only, so it
validates this metadata but cannot stream the records without decompressing the shards first
(``zstd -d``); the FileSet's description says so.

:func:`write_datasheet` writes ``DIR/datasheet.md``, answering the seven question sections of
*Datasheets for Datasets* (Gebru et al.): motivation, composition, collection process,
preprocessing/cleaning/labelling, uses, distribution and maintenance. Answers computed from
the data are filled in; the rest are marked ``> **TO FILL IN (data steward):** ...``.

Both take the dict returned by :func:`puhui.corpus.audit.build_audit` and never need
``manifest.json`` (which the build writes after them). The output has no timestamps of its own,
so rebuilding the same corpus gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from puhui import __version__
from puhui.artifacts import atomic_write_json, atomic_write_text, sha256_file
from puhui.corpus.audit import category_label
from puhui.i18n import _

CROISSANT = "croissant.json"
DATASHEET = "datasheet.md"
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

# (name, schema.org type, description) of the record fields Croissant describes.
_FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "sc:Text"),
    ("text", "sc:Text"),
    ("lang", "sc:Text"),
    ("script", "sc:Text"),
    ("source", "sc:Text"),
    ("lang_confidence", "sc:Float"),
    ("chars", "sc:Integer"),
)


def _field_description(name: str) -> str:
    return {
        "id": _("Stable document id, derived from the source position."),
        "text": _("The document text after normalisation and PII handling."),
        "lang": _("BCP-47 language tag assigned by language identification; 'und' if unknown."),
        "script": _("ISO 15924 script code of the text."),
        "source": _("Where the document came from: input file and line, byte offset or row."),
        "lang_confidence": _("Confidence of the language identification, 0 to 1."),
        "chars": _("Length of the text in characters (code points)."),
    }[name]


def _steward(hint: str) -> str:
    return _("TODO (data steward): {hint}").format(hint=hint)


# ---------------------------------------------------------------- shared answers


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.1f}%"


def _languages(audit: Mapping[str, Any]) -> list[str]:
    return [t for t, v in audit["languages"].items() if v["documents"] and t != "und"]


def _top_languages(audit: Mapping[str, Any], n: int = 8) -> str:
    items = [(t, v) for t, v in audit["languages"].items() if v["documents"]]
    parts = [f"{t} {_pct(v['share'])}" for t, v in items[:n]]
    if len(items) > n:
        parts.append(_("{k} more").format(k=len(items) - n))
    return ", ".join(parts)


def _options_text(options: Mapping[str, Any]) -> str:
    parts = []
    for key, value in options.items():
        if value is None or key == "salt_env":
            continue
        shown = ",".join(map(str, value)) if isinstance(value, list | tuple) else value
        parts.append(f"{key}={shown}")
    return ", ".join(parts)


def _step_description(step: str) -> str:
    return {
        "normalize": _("Unicode and whitespace normalisation"),
        "langid": _("language and script identification"),
        "quality": _("heuristic quality filters, measured per script"),
        "pii": _("detection and handling of personal data (PII)"),
        "dedup": _("exact and near-duplicate removal (MinHash), across the whole run"),
    }.get(step, step)


def preprocessing_steps(audit: Mapping[str, Any]) -> list[str]:
    """One sentence per pipeline step: what it does, its options and what it removed."""
    build = audit["build"]
    by_step: Mapping[str, int] = audit["removed"]["by_step"]
    steps: list[str] = list(build["steps"] or [])
    if not steps:
        steps = [s for s in ("normalize", "langid", "quality", "pii", "dedup") if s in by_step]
    lines = []
    for step in steps:
        line = f"{step}: {_step_description(step)}"
        opts = build["options"].get(step)
        if isinstance(opts, dict) and opts:
            line += f" ({_options_text(opts)})"
        if by_step.get(step):
            line += "; " + _("documents removed: {n}").format(n=f"{by_step[step]:,}")
        lines.append(line + ".")
    for step, n in by_step.items():
        if step not in steps:
            lines.append(_("{step}: documents removed: {n}.").format(step=step, n=f"{n:,}"))
    return lines


def _pii_found(audit: Mapping[str, Any]) -> list[str]:
    pii = audit["pii"]
    if pii["step_ran"] is False:
        return [_("The PII step was not run: personal data was not looked for.")]
    types = ", ".join(f"{k} {v:,}" for k, v in pii["by_type"].items()) or _("none")
    out = [
        _("Automatic PII detection found {n} items in {d} kept documents ({types}).").format(
            n=f"{pii['total']:,}", d=f"{pii['documents_with_pii']:,}", types=types
        )
    ]
    handled = {
        "redact": _("Detected items were replaced with placeholders (pii.mode = redact)."),
        "hash": _("Detected items were replaced with keyed pseudonyms (pii.mode = hash)."),
        "tag": _(
            "Detected items were left in the text and only counted (pii.mode = tag): the text "
            "still contains them."
        ),
    }
    out.append(
        handled.get(
            pii["mode"] or "",
            _("How detected items were handled is not recorded (no build configuration)."),
        )
    )
    return out


def _pii_limits(audit: Mapping[str, Any]) -> str:
    if audit["pii"]["step_ran"] is False:
        return _("Nothing was done to find or remove personal data.")
    return _(
        "Detection covers e-mail addresses, phone numbers, IP addresses, payment cards, bank "
        "accounts and national identity numbers that pass a validator; personal names, "
        "places and other indirect identifiers are not detected, so the text can still "
        "identify people."
    )


def _sensitive_mentions(audit: Mapping[str, Any]) -> str | None:
    rep = audit["representation"]
    sensitive = ("religion", "ethnicity_nationality", "disability", "sexual_orientation")
    mentions = {c: rep["counts"].get(c, 0) for c in sensitive}
    if not any(mentions.values()):
        return None
    listed = ", ".join(f"{category_label(c)} {n:,}" for c, n in mentions.items() if n)
    return _(
        "The text mentions special categories of personal data (mentions counted by the "
        "representation check: {listed})."
    ).format(listed=listed)


def pii_statements(audit: Mapping[str, Any]) -> list[str]:
    """What the corpus is known to hold in personal data, and what was done about it."""
    out = [*_pii_found(audit), _pii_limits(audit)]
    sensitive = _sensitive_mentions(audit)
    if sensitive:
        out.append(sensitive)
    return out


def _gender_ratio(item: Mapping[str, Any]) -> str | None:
    groups = item.get("groups", {}).get("gender", {})
    female, male = int(groups.get("female", 0)), int(groups.get("male", 0))
    if female + male < 10:
        return None
    return _("female:male mentions {f}:{m}").format(f=f"{female:,}", m=f"{male:,}")


def representation_statements(audit: Mapping[str, Any]) -> list[str]:
    """One sentence per covered language: identity-term mentions per 10,000 words."""
    rep = audit["representation"]
    out: list[str] = []
    for tag in rep["covered_languages"]:
        item = rep["languages"][tag]
        rates = [
            (c, r) for c, r in item["per_10k"].items() if r is not None and item["counts"].get(c)
        ]
        unit = _("characters") if item["unit"] == "characters" else _("words")
        if not rates:
            out.append(
                _("{lang}: no identity-term mentions in {n} {unit}.").format(
                    lang=tag, n=f"{item['units']:,}", unit=unit
                )
            )
            continue
        rates.sort(key=lambda cr: -cr[1])
        text = ", ".join(f"{category_label(c)} {r:.1f}" for c, r in rates)
        ratio = _gender_ratio(item)
        out.append(
            _("Identity-term mentions in {lang} per 10,000 {unit}: {rates}{ratio}.").format(
                lang=tag, unit=unit, rates=text, ratio=f"; {ratio}" if ratio else ""
            )
        )
    return out


def bias_statements(audit: Mapping[str, Any]) -> list[str]:
    """Known skews: language balance, filter losses per language, representation counts."""
    out: list[str] = []
    langs = _languages(audit)
    if langs:
        out.append(
            _("Language distribution of the kept documents: {top}.").format(
                top=_top_languages(audit)
            )
        )
    for w in audit["warnings"]:
        if w["code"] in ("dominant_language", "few_documents", "high_removal", "high_und"):
            tags = w.get("languages") or []
            shown = ", ".join(tags[:20]) + (" …" if len(tags) > 20 else "")
            out.append(f"{w['message']}" + (f" ({shown})" if shown else "") + ".")
    rep = audit["representation"]
    out.extend(representation_statements(audit))
    missing = [t for t in rep["uncovered_languages"] if t != "und"]
    if missing:
        out.append(
            _("The representation check could not measure: {langs} (no lexicon).").format(
                langs=", ".join(missing[:30]) + (" …" if len(missing) > 30 else "")
            )
        )
    out.append(
        _steward(
            _(
                "describe the sources' own skews (who wrote the text, for whom, which regions, "
                "dialects and topics are over- or under-represented)."
            )
        )
    )
    return out


def limitation_statements(audit: Mapping[str, Any]) -> list[str]:
    """Limits of the data and of the automatic processing."""
    totals = audit["totals"]
    out: list[str] = []
    conf = totals.get("mean_lang_confidence")
    und = audit["languages"].get("und", {}).get("documents", 0)
    out.append(
        _(
            "Language and script labels are automatic (mean confidence {c}); {u} documents "
            "have no identified language (und). Closely related languages and dialects can "
            "be confused."
        ).format(c="–" if conf is None else f"{conf:.2f}", u=f"{und:,}")
    )
    out.append(
        _(
            "Quality filters are heuristics; they can remove good text in some languages and "
            "keep poor text in others (see the removal rates per language in audit.html)."
        )
    )
    out.append(
        _(
            "Near-duplicate removal is approximate (MinHash); duplicates across documents that "
            "differ a lot in length or wording remain."
        )
    )
    out.append(
        _(
            "The representation check counts mentions from a small lexicon (its non-English "
            "terms are a first draft awaiting review by native speakers); it does not measure "
            "how groups are portrayed."
        )
    )
    few = [w for w in audit["warnings"] if w["code"] == "few_documents"]
    if few:
        out.append(
            _(
                "Languages with fewer than 20 documents are too small to train or evaluate on: {l}."
            ).format(l=", ".join((few[0].get("languages") or [])[:30]))
        )
    if audit["quarantine"]["count"]:
        out.append(
            _(
                "{n} inputs could not be read and are missing from the corpus (see quarantine/)."
            ).format(n=f"{audit['quarantine']['count']:,}")
        )
    out.append(_steward(_("add limits you know from the sources (time period, domain, register).")))
    return out


# ---------------------------------------------------------------- Croissant


def _data_parts(root: Path) -> list[Path]:
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
        top=_top_languages(audit, 5) or "–",
        version=__version__,
    )
    desc = (
        f"{description.strip()} {summary}"
        if description
        else (f"{summary} {_steward(_('say what the corpus is for and who made it.'))}")
    )
    fileset_desc = _(
        "Kept documents, one JSON object per line, in zstd-compressed JSON Lines shards "
        "(.jsonl.zst). Croissant 1.0 cannot declare the compression and mlcroissant reads only "
        "plain or gzip-compressed JSON Lines: decompress the shards (zstd -d) or read them with "
        "Puhui to stream the records."
    )
    distribution: list[dict[str, Any]] = []
    for part in _data_parts(root):
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
            "description": _field_description(fname),
            "dataType": dtype,
            "source": {"fileSet": {"@id": "data-files"}, "extract": {"column": fname}},
        }
        for fname, dtype in _FIELDS
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
    doc["inLanguage"] = _languages(audit)
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
    collected += _steward(_("say where the inputs came from and how they were gathered."))
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
            _steward(_("e.g. web scraping, existing archive, crowdsourcing, manual curation."))
        ],
        "rai:dataCollectionMissingData": missing,
        "rai:dataCollectionRawData": raw,
        "rai:dataPreprocessingProtocol": preprocessing_steps(audit),
        "rai:machineAnnotationTools": tools,
        "rai:personalSensitiveInformation": pii_statements(audit),
        "rai:dataBiases": bias_statements(audit),
        "rai:dataLimitations": limitation_statements(audit),
        "rai:dataUseCases": [
            _steward(
                _("intended uses (e.g. language-model pretraining, evaluation) and uses to avoid.")
            )
        ],
        "rai:dataSocialImpact": _steward(
            _("who could benefit or be harmed when models are trained on this corpus.")
        ),
        "rai:dataReleaseMaintenancePlan": _(
            "Rebuilding with the same inputs and configuration reproduces the corpus byte for "
            "byte (content-addressed manifest id). "
        )
        + _steward(_("who maintains it, how often it is updated, and how errors are reported.")),
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


class _Sheet:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def section(self, title: str) -> None:
        self.add("", f"## {title}")

    def question(self, text: str) -> None:
        self.add("", f"### {text}", "")

    def _gap(self) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def answer(self, text: str) -> None:
        self._gap()
        self.add(text)

    def bullets(self, items: Sequence[str]) -> None:
        if self.lines and self.lines[-1] and not self.lines[-1].startswith("- "):
            self.lines.append("")
        self.add(*(f"- {i}" for i in items))

    def blank(self, hint: str) -> None:
        self._gap()
        self.add(f"> **{_('TO FILL IN (data steward):')}** {hint}")

    def text(self) -> str:
        return "\n".join(self.lines).strip() + "\n"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or line."""
    return text.replace("|", "\\|").replace("\n", " ")


def build_datasheet(
    audit: Mapping[str, Any],
    *,
    name: str,
    description: str | None = None,
    license: str | None = None,
) -> str:
    """The datasheet as Markdown (see the module docstring)."""
    t = audit["totals"]
    build = audit["build"]
    rep = audit["representation"]
    s = _Sheet()
    s.add(f"# {_('Datasheet')}: {_md(name)}", "")
    s.add(
        "> "
        + _(
            "Generated by Puhui {v} from the corpus audit{cfg}. The questions follow the seven "
            "sections of *Datasheets for Datasets* (Gebru et al.). Answers computed from the "
            "data are filled in; questions only a person can answer are marked TO FILL IN. "
            "Rebuilding the corpus rewrites this file, so keep a copy of your answers."
        ).format(
            v=__version__, cfg=_(" and the build configuration") if build["config_found"] else ""
        )
    )
    s.add("", f"| {_('Measure')} | {_('Value')} |", "|---|---:|")
    rows = [
        (_("documents kept"), f"{t['documents']:,}"),
        (_("characters"), f"{t['characters']:,}"),
        (_("words"), f"{t['words']:,}"),
        (_("languages"), f"{t['languages']:,}"),
        (_("scripts"), f"{t['scripts']:,}"),
        (_("documents removed"), f"{t['removed']:,}"),
        (_("dedup rate"), _pct(t["dedup_rate"])),
        (_("PII items found"), f"{audit['pii']['total']:,}"),
        (_("inputs quarantined"), f"{audit['quarantine']['count']:,}"),
    ]
    s.add(*(f"| {k} | {v} |" for k, v in rows))

    # 1. Motivation
    s.section(_("1. Motivation"))
    s.question(_("For what purpose was the dataset created? Was there a specific gap to fill?"))
    if description:
        s.answer(_md(description))
    else:
        s.blank(_("the purpose, the task or gap it serves, and the communities it is for."))
    s.question(_("Who created the dataset, and on behalf of which organisation?"))
    s.blank(_("names of the people and the organisation (community, university, ministry…)."))
    s.question(_("Who funded the creation of the dataset?"))
    s.blank(_("funder and grant, or 'no external funding'."))
    s.question(_("Any other comments?"))
    s.blank(_("optional."))

    # 2. Composition
    s.section(_("2. Composition"))
    s.question(_("What do the instances represent?"))
    s.answer(
        _(
            "Each instance is one text document (a file, paragraph, line, row or web page of "
            "the inputs, depending on the reader settings) with a language and script label."
        )
    )
    s.question(_("How many instances are there in total?"))
    s.answer(
        _("{d} documents, {c} characters, {w} words, in {n} languages and {sc} scripts.").format(
            d=f"{t['documents']:,}",
            c=f"{t['characters']:,}",
            w=f"{t['words']:,}",
            n=t["languages"],
            sc=t["scripts"],
        )
    )
    s.add(
        "",
        f"| {_('Language')} | {_('Documents')} | {_('Share')} | {_('Characters')} | "
        f"{_('Median length')} | {_('Removed')} | {_('Dedup rate')} |",
        "|---|---:|---:|---:|---:|---:|---:|",
    )
    items = list(audit["languages"].items())
    for tag, v in items[:40]:
        s.add(
            f"| {tag} | {v['documents']:,} | {_pct(v['share'])} | {v['characters']:,} | "
            f"{v['length']['p50'] if v['length']['p50'] is not None else '–'} | "
            f"{v['removed']:,} | {_pct(v['dedup_rate'])} |"
        )
    if len(items) > 40:
        rest = items[40:]
        s.add(
            f"| {_('{n} more languages').format(n=len(rest))} | "
            f"{sum(v['documents'] for _t, v in rest):,} | | "
            f"{sum(v['characters'] for _t, v in rest):,} | | "
            f"{sum(v['removed'] for _t, v in rest):,} | |"
        )
    s.question(_("Does the dataset contain all possible instances, or a sample?"))
    read = t["documents"] + t["removed"]
    s.answer(
        _(
            "It holds the documents of the inputs that passed the pipeline: {k} of {r} "
            "documents read were kept; the removed ones are in removed/ with their reason, and "
            "{q} unreadable inputs are in quarantine/."
        ).format(k=f"{t['documents']:,}", r=f"{read:,}", q=f"{audit['quarantine']['count']:,}")
    )
    s.blank(_("are the inputs themselves a sample of something larger? How were they chosen?"))
    s.question(_("What data does each instance consist of?"))
    s.answer(_("JSON objects with these fields:"))
    s.bullets([f"`{f}` — {_field_description(f)}" for f, _d in _FIELDS])
    s.bullets(
        [
            _("`pii` — counts of personal-data items found in the document, by type (optional)."),
            _("`meta` — fields carried over from the input (optional)."),
        ]
    )
    s.question(_("Is there a label or target associated with each instance?"))
    s.answer(
        _(
            "No task labels. `lang`, `script` and `lang_confidence` are automatic labels from "
            "language identification."
        )
    )
    s.question(_("Is any information missing from individual instances?"))
    und = audit["languages"].get("und", {}).get("documents", 0)
    s.answer(
        _(
            "{u} documents have no identified language (`und`). PII was replaced or tagged as "
            "described below."
        ).format(u=f"{und:,}")
    )
    s.question(_("Are relationships between instances made explicit?"))
    s.answer(
        _(
            "Documents from the same input share the file part of `source`. Duplicates were "
            "removed; each removed duplicate in removed/ names the kept document it repeats "
            "(`detail`)."
        )
    )
    s.question(_("Are there recommended data splits?"))
    s.answer(_("No splits are defined."))
    s.blank(_("define train/validation/test splits if the corpus will be used for evaluation."))
    s.question(_("Are there errors, sources of noise or redundancies?"))
    s.bullets(limitation_statements(audit)[:-1])
    for w in audit["warnings"]:
        if w["severity"] != "info" and w["code"] not in ("few_documents", "quarantine"):
            tags = w.get("languages") or []
            s.bullets([_md(w["message"]) + (f" ({', '.join(tags[:20])})" if tags else "")])
    s.question(_("Is the dataset self-contained, or does it rely on external resources?"))
    s.answer(_("Self-contained: the text is in data/; nothing is fetched from elsewhere."))
    s.blank(_("rights and terms of the original sources, and whether they may change or vanish."))
    s.question(_("Does the dataset contain confidential data?"))
    s.bullets(_pii_found(audit))
    s.blank(_("legally privileged, confidential or non-public content in the sources?"))
    s.question(_("Does the dataset contain offensive, insulting or threatening content?"))
    s.answer(_("Not checked: the pipeline has no toxicity or offensive-content filter."))
    s.blank(_("what the sources are likely to contain, and any filtering done before Puhui."))
    s.question(_("Does the dataset identify sub-populations (e.g. by age or gender)?"))
    s.answer(
        _(
            "Documents carry no demographic attributes. The representation check counts "
            "mentions of groups per 10,000 words:"
        )
    )
    s.bullets(
        representation_statements(audit)
        or [_("No language of the corpus is covered by the lexicon.")]
    )
    s.question(_("Is it possible to identify individuals from the dataset?"))
    s.bullets([_pii_limits(audit)])
    s.blank(_("could people be identified from names, events or places in the text?"))
    s.question(
        _("Does the dataset contain sensitive data (ethnicity, religion, health, sexuality…)?")
    )
    sensitive = _sensitive_mentions(audit)
    s.bullets([sensitive or _("No mentions were counted by the representation check.")])
    s.blank(_("whether texts reveal such data about identifiable people."))

    # 3. Collection process
    s.section(_("3. Collection process"))
    s.question(_("How was the data acquired?"))
    if build["config_found"]:
        inputs = build["inputs"]
        size = build["input_bytes"]
        s.answer(
            _("Read from {n} input files{size} by `puhui corpus build`.").format(
                n=f"{build['input_count']:,}",
                size=f" ({size:,} bytes)" if isinstance(size, int) else "",
            )
        )
        if inputs:
            s.bullets([f"`{_md(i)}`" for i in inputs[:20]])
            if build["input_count"] > 20:
                s.bullets([_("… and {n} more").format(n=build["input_count"] - 20)])
    else:
        s.answer(_("The build configuration (.work/config.json) was not found."))
    s.blank(_("where the inputs came from (websites, archives, radio transcripts, donations…)."))
    s.question(_("What mechanisms or procedures were used to collect the data?"))
    reader = build["options"].get("reader")
    s.answer(
        _("Puhui {v} read the input files offline").format(v=__version__)
        + (f" ({_options_text(reader)})" if isinstance(reader, dict) and reader else "")
        + "."
    )
    s.blank(_("how the inputs were gathered before Puhui (crawler, API, scanning, recording)."))
    s.question(_("If the dataset is a sample, what was the sampling strategy?"))
    s.blank(_("sampling strategy, or 'not sampled'."))
    s.question(_("Who was involved in data collection, and how were they compensated?"))
    s.blank(_("people involved (staff, volunteers, crowdworkers) and their pay or credit."))
    s.question(_("Over what timeframe was the data collected?"))
    if build["started"]:
        s.answer(_("Processed by Puhui starting {d}.").format(d=build["started"]))
    s.blank(_("when the texts were written and when they were collected."))
    s.question(_("Were any ethical review processes conducted?"))
    s.blank(_("review board, community consultation, or 'none'."))
    s.question(_("Was the data collected from the individuals directly, or from third parties?"))
    s.blank(_("directly, or via websites and other third parties."))
    s.question(_("Were the individuals notified, did they consent, and can they withdraw?"))
    s.blank(_("notice, consent and how a person can ask for removal."))
    s.question(_("Has an analysis of the potential impact on data subjects been conducted?"))
    s.blank(_("data-protection impact assessment, or 'none'."))

    # 4. Preprocessing
    s.section(_("4. Preprocessing, cleaning and labelling"))
    s.question(_("Was any preprocessing, cleaning or labelling done?"))
    s.answer(_("Yes, by `puhui corpus build`, in this order:"))
    s.bullets([_md(line) for line in preprocessing_steps(audit)] or [_("No step is recorded.")])
    by_reason: Mapping[str, int] = audit["removed"]["by_reason"]
    if by_reason:
        s.answer(_("Documents removed, by reason:"))
        s.bullets([f"`{r}`: {n:,}" for r, n in list(by_reason.items())[:20]])
    s.question(_("Was the raw data saved in addition to the cleaned data?"))
    s.answer(
        _(
            "Removed documents are kept in removed/ (with reason and detail) and unreadable "
            "inputs are listed in quarantine/. The original input files are not copied; "
            "manifest.json records each by sha256."
        )
    )
    s.blank(_("where the original inputs are archived, and who can access them."))
    s.question(_("Is the software used for preprocessing available?"))
    s.answer(_("Yes: Puhui {v}, open source (Apache-2.0).").format(v=__version__))

    # 5. Uses
    s.section(_("5. Uses"))
    s.question(_("Has the dataset been used for any tasks already?"))
    s.blank(_("models trained or evaluated on it, with links."))
    s.question(_("Is there a repository that links to papers or systems that use the dataset?"))
    s.blank(_("link, or 'none'."))
    s.question(_("What other tasks could the dataset be used for?"))
    s.blank(_("intended uses, e.g. language-model pretraining, spell-checking, evaluation."))
    s.question(
        _("Is there anything about the composition or processing that might affect future uses?")
    )
    s.bullets([_md(b) for b in bias_statements(audit)[:-1]])
    s.blank(_("risks for the people and communities represented, and how users can avoid them."))
    s.question(_("Are there tasks for which the dataset should not be used?"))
    s.blank(_("uses to avoid (e.g. surveillance, profiling of the groups it mentions)."))

    # 6. Distribution
    s.section(_("6. Distribution"))
    s.question(_("Will the dataset be distributed to third parties?"))
    s.blank(_("who may receive it (public, partners, on request)."))
    s.question(_("How will the dataset be distributed?"))
    s.answer(
        _(
            "As a folder: data/ (zstd-compressed JSON Lines), audit.json and audit.html, "
            "croissant.json (Croissant 1.0 + RAI metadata), this datasheet, and manifest.json "
            "with the sha256 of every file (check with `puhui inspect`)."
        )
    )
    s.blank(_("channel: hub, download link, USB copies…"))
    s.question(_("When will the dataset be distributed?"))
    s.blank(_("date or 'not yet decided'."))
    s.question(_("Under what licence or terms of use?"))
    if license:
        s.answer(_("Licence: {l}.").format(l=_md(license)))
    else:
        s.blank(_("licence (e.g. CC BY 4.0) and any terms of use; check the sources allow it."))
    s.question(_("Have third parties imposed restrictions on the data?"))
    s.blank(_("source licences and terms that restrict use or redistribution."))
    s.question(_("Do export controls or other regulatory restrictions apply?"))
    s.blank(_("data-protection or export rules of the countries involved, or 'none known'."))

    # 7. Maintenance
    s.section(_("7. Maintenance"))
    s.question(_("Who will support, host and maintain the dataset?"))
    s.blank(_("person or organisation."))
    s.question(_("How can the owner or curator be contacted?"))
    s.blank(_("e-mail or other contact."))
    s.question(_("Is there an erratum?"))
    s.blank(_("where corrections are published, or 'none yet'."))
    s.question(_("Will the dataset be updated?"))
    s.answer(
        _(
            "Rebuilding with the same inputs and configuration reproduces it exactly; a changed "
            "corpus gets a new content-addressed id in manifest.json."
        )
    )
    s.blank(_("how often, by whom, and how users will be told."))
    s.question(_("Are there limits on how long data about people will be retained?"))
    s.blank(_("retention limits agreed with the people in the data, or 'none'."))
    s.question(_("Will older versions continue to be supported?"))
    s.blank(_("whether older versions stay available and for how long."))
    s.question(_("Can others extend or contribute to the dataset?"))
    s.blank(_("how contributions are received, checked and credited."))

    s.add(
        "",
        "---",
        "",
        _("Representation counts use the Puhui identity-term lexicon {v} ({lic}); {attr}").format(
            v=rep["lexicon"]["version"],
            lic=rep["lexicon"]["license"],
            attr=rep["lexicon"]["attribution"],
        ),
    )
    return s.text()


def write_datasheet(
    corpus_dir: Path,
    audit: dict[str, Any],
    *,
    name: str | None = None,
    description: str | None = None,
    license: str | None = None,
) -> str:
    """Write ``DIR/datasheet.md`` atomically and return its text."""
    root = Path(corpus_dir)
    title = name or audit["build"].get("name") or root.resolve().name
    text = build_datasheet(audit, name=str(title), description=description, license=license)
    atomic_write_text(root / DATASHEET, text)
    return text


def load_croissant(corpus_dir: Path) -> dict[str, Any]:
    """Read ``DIR/croissant.json`` back (for inspection and tests)."""
    data = json.loads((Path(corpus_dir) / CROISSANT).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("croissant.json: expected a JSON object")
    return data
