"""Answers computed from a corpus audit, shared by ``croissant.json`` and ``datasheet.md``.

Each function takes the dict returned by :func:`puhui.corpus.audit.build_audit` and returns
sentences (or one sentence) in the reader's language. Questions only a person can answer are
written with :func:`steward` as ``TODO (data steward): ...`` so that they are visible rather
than silently missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from puhui.corpus.audit import category_label
from puhui.i18n import _

# (name, schema.org type, description) of the record fields Croissant describes.
RECORD_FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "sc:Text"),
    ("text", "sc:Text"),
    ("lang", "sc:Text"),
    ("script", "sc:Text"),
    ("source", "sc:Text"),
    ("lang_confidence", "sc:Float"),
    ("chars", "sc:Integer"),
)


def field_description(name: str) -> str:
    return {
        "id": _("Stable document id, derived from the source position."),
        "text": _("The document text after normalisation and PII handling."),
        "lang": _("BCP-47 language tag assigned by language identification; 'und' if unknown."),
        "script": _("ISO 15924 script code of the text."),
        "source": _("Where the document came from: input file and line, byte offset or row."),
        "lang_confidence": _("Confidence of the language identification, 0 to 1."),
        "chars": _("Length of the text in characters (code points)."),
    }[name]


def steward(hint: str) -> str:
    return _("TODO (data steward): {hint}").format(hint=hint)


# ---------------------------------------------------------------- shared answers


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.1f}%"


def kept_languages(audit: Mapping[str, Any]) -> list[str]:
    return [t for t, v in audit["languages"].items() if v["documents"] and t != "und"]


def top_languages(audit: Mapping[str, Any], n: int = 8) -> str:
    items = [(t, v) for t, v in audit["languages"].items() if v["documents"]]
    parts = [f"{t} {pct(v['share'])}" for t, v in items[:n]]
    if len(items) > n:
        parts.append(_("{k} more").format(k=len(items) - n))
    return ", ".join(parts)


def options_text(options: Mapping[str, Any]) -> str:
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
            line += f" ({options_text(opts)})"
        if by_step.get(step):
            line += "; " + _("documents removed: {n}").format(n=f"{by_step[step]:,}")
        lines.append(line + ".")
    for step, n in by_step.items():
        if step not in steps:
            lines.append(_("{step}: documents removed: {n}.").format(step=step, n=f"{n:,}"))
    return lines


def pii_found(audit: Mapping[str, Any]) -> list[str]:
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


def pii_limits(audit: Mapping[str, Any]) -> str:
    if audit["pii"]["step_ran"] is False:
        return _("Nothing was done to find or remove personal data.")
    return _(
        "Detection covers e-mail addresses, phone numbers, IP addresses, payment cards, bank "
        "accounts and national identity numbers that pass a validator; personal names, "
        "places and other indirect identifiers are not detected, so the text can still "
        "identify people."
    )


def sensitive_mentions(audit: Mapping[str, Any]) -> str | None:
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
    out = [*pii_found(audit), pii_limits(audit)]
    sensitive = sensitive_mentions(audit)
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
    langs = kept_languages(audit)
    if langs:
        out.append(
            _("Language distribution of the kept documents: {top}.").format(
                top=top_languages(audit)
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
        steward(
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
    out.append(steward(_("add limits you know from the sources (time period, domain, register).")))
    return out


# ---------------------------------------------------------------- Croissant
