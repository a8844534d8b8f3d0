"""Audit a built corpus: what it holds, what was removed and why, and who it talks about.

:func:`build_audit` streams a corpus folder (``data/``, ``removed/``, ``quarantine/``; see
:mod:`puhui.corpus.records`) once, in constant memory per language, and returns a JSON-ready
dict; :func:`write_audit` also writes ``audit.json`` and a self-contained ``audit.html``.

Per language, per script and overall it reports documents kept, characters and words,
removed documents by reason, the dedup rate (dedup removals / (kept + dedup removals)), PII
counts by type, and the length distribution (quantiles and a fixed log-scale histogram).
Quarantined inputs are counted with their most frequent error kinds; paths under the inputs
that the build did not read (symbolic links leaving the input folder and the like) are listed
under ``skipped_inputs`` with the reason.

The *representation check* counts mentions of identity and demographic terms (gender,
religion, ethnicity/nationality/migration, disability, age, sexual orientation,
socioeconomic status) with the bundled lexicon ``puhui/content/lexicon/identity_terms.json``,
per 10,000 words (per 10,000 characters for scripts written without spaces). It counts
mentions only: it says nothing about how a group is portrayed. Languages without lexicon
coverage are listed as such rather than reported as zero.

One module per concern:

- :mod:`~puhui.corpus.audit.reading` — streaming the corpus parts and the build configuration;
- :mod:`~puhui.corpus.audit.stats` — lengths, words and the counts per language and script;
- :mod:`~puhui.corpus.audit.lexicon` — the identity-term lexicon and the representation check;
- :mod:`~puhui.corpus.audit.warnings` — what a data steward should look at;
- :mod:`~puhui.corpus.audit.html` — ``audit.html`` (inline SVG charts, Jinja2 template);
- :mod:`~puhui.corpus.audit.build` — :func:`build_audit` and :func:`write_audit`.
"""

from __future__ import annotations

from puhui.corpus.audit.build import (
    AUDIT_HTML,
    AUDIT_JSON,
    AUDIT_VERSION,
    SKIPPED_LISTED,
    build_audit,
    write_audit,
)
from puhui.corpus.audit.html import bar_chart, histogram_chart, render_audit_html, severity_label
from puhui.corpus.audit.lexicon import (
    CATEGORY_ORDER,
    IdentityLexicon,
    LexiconLanguage,
    Term,
    category_label,
    load_lexicon,
)
from puhui.corpus.audit.reading import (
    WORK_CONFIG,
    build_summary,
    iter_jsonl_zst,
    read_build_config,
)
from puhui.corpus.audit.stats import LENGTH_EDGES, QUANTILES, LengthSketch, count_words
from puhui.corpus.audit.warnings import (
    DOMINANT_SHARE,
    FEW_DOCUMENTS,
    FILTERED_MIN_DOCS,
    FILTERED_SHARE,
    HIGH_DEDUP,
    LOW_CONFIDENCE,
    UND_SHARE,
)

__all__ = [
    "AUDIT_HTML",
    "AUDIT_JSON",
    "AUDIT_VERSION",
    "CATEGORY_ORDER",
    "DOMINANT_SHARE",
    "FEW_DOCUMENTS",
    "FILTERED_MIN_DOCS",
    "FILTERED_SHARE",
    "HIGH_DEDUP",
    "LENGTH_EDGES",
    "LOW_CONFIDENCE",
    "QUANTILES",
    "SKIPPED_LISTED",
    "UND_SHARE",
    "WORK_CONFIG",
    "IdentityLexicon",
    "LengthSketch",
    "LexiconLanguage",
    "Term",
    "bar_chart",
    "build_audit",
    "build_summary",
    "category_label",
    "count_words",
    "histogram_chart",
    "iter_jsonl_zst",
    "load_lexicon",
    "read_build_config",
    "render_audit_html",
    "severity_label",
    "write_audit",
]
