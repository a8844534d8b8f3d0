"""Build the audit: stream a corpus folder once and write ``audit.json`` and ``audit.html``."""

from __future__ import annotations

import importlib.util
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import langcodes

from puhui._version import __version__
from puhui.artifacts import atomic_write_json, atomic_write_text
from puhui.corpus.audit.html import render_audit_html
from puhui.corpus.audit.lexicon import Representation, load_lexicon, representation_json
from puhui.corpus.audit.reading import (
    build_summary,
    corpus_parts,
    iter_jsonl,
    iter_jsonl_zst,
    read_build_config,
)
from puhui.corpus.audit.stats import (
    LENGTH_EDGES,
    QUANTILES,
    Group,
    count_words,
    error_kind,
    snippet,
    sorted_counts,
)
from puhui.corpus.audit.warnings import audit_warnings
from puhui.i18n import _

AUDIT_VERSION = 1
SKIPPED_LISTED = 200  # skipped input paths listed in the audit (all are counted)
AUDIT_JSON = "audit.json"
AUDIT_HTML = "audit.html"
TOP_ERRORS = 10


def build_audit(corpus_dir: Path) -> dict[str, Any]:
    """Read a corpus folder once and return the audit as a JSON-ready dict.

    Needs none of ``manifest.json``, ``stats/`` or ``audit.json``; missing folders count as
    empty. Uses ``.work/config.json`` when present for the build summary.
    """
    root = Path(corpus_dir)
    lex = load_lexicon()
    bad: Counter[str] = Counter()
    overall = Group()
    languages: dict[str, Group] = {}
    scripts: dict[str, Group] = {}
    reps: dict[str, Representation] = {}
    uncovered_docs: Counter[str] = Counter()

    for path in corpus_parts(root / "data", ".jsonl.zst"):
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
            lg = languages.setdefault(lang, Group())
            sg = scripts.setdefault(script, Group())
            for g in (overall, lg, sg):
                g.keep(n_chars, words, confidence, pii)
            lg.other[script] += 1
            sg.other[lang] += 1
            if lg.sample is None and text.strip():
                lg.sample = snippet(text)
            entry = lex.entry_for(lang, script)
            if entry is None:
                uncovered_docs[lang] += 1
                continue
            rep = reps.get(lang)
            if rep is None:
                rep = reps[lang] = Representation(entry)
            if rep.entry is entry:
                rep.add(text, words)
            else:
                uncovered_docs[lang] += 1

    for path in corpus_parts(root / "removed", ".jsonl.zst"):
        for rec in iter_jsonl_zst(path, bad):
            lang, script = _lang_script(rec)
            reason = str(rec.get("reason") or "unknown")
            for g in (
                overall,
                languages.setdefault(lang, Group()),
                scripts.setdefault(script, Group()),
            ):
                g.removed[reason] += 1

    quarantined = 0
    kinds: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for path in corpus_parts(root / "quarantine", ".jsonl"):
        for rec in iter_jsonl(path, bad):
            quarantined += 1
            kind = error_kind(str(rec.get("error") or ""))
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
            "by_reason": sorted_counts(overall.removed),
            "by_step": sorted_counts(by_step),
        },
        "pii": {
            "by_type": sorted_counts(overall.pii),
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
        "representation": representation_json(lex, reps, languages, uncovered_docs),
        "build": {k: v for k, v in summary.items() if k != "skipped"},
        "unreadable_lines": dict(sorted(bad.items())),
        "warnings": [],
    }
    audit["warnings"] = audit_warnings(audit)
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


def write_audit(corpus_dir: Path, *, title: str | None = None) -> dict[str, Any]:
    """Compute the audit and write ``audit.json`` and ``audit.html`` atomically; return it."""
    root = Path(corpus_dir)
    audit = build_audit(root)
    atomic_write_json(root / AUDIT_JSON, audit)
    name = title or audit["build"].get("name") or root.resolve().name
    atomic_write_text(root / AUDIT_HTML, render_audit_html(audit, title=str(name)))
    return audit
