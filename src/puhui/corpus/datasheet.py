"""The Datasheet for Datasets of a built corpus (``DIR/datasheet.md``), rendered from a template.

:func:`write_datasheet` answers the seven question sections of *Datasheets for Datasets*
(Gebru et al.): motivation, composition, collection process, preprocessing/cleaning/labelling,
uses, distribution and maintenance. The layout and the questions live in
``puhui/corpus/templates/datasheet.md.j2``; the answers computed from the data come from
:mod:`puhui.corpus.answers` (shared with ``croissant.json``, see :mod:`puhui.corpus.croissant`).
Questions only a person can answer are marked ``> **TO FILL IN (data steward):** ...``.

It takes the dict returned by :func:`puhui.corpus.audit.build_audit` and never needs
``manifest.json`` (which the build writes after it). The output has no timestamps of its own,
so rebuilding the same corpus gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from puhui._version import __version__
from puhui.artifacts import atomic_write_text
from puhui.corpus.answers import (
    RECORD_FIELDS,
    bias_statements,
    field_description,
    limitation_statements,
    options_text,
    pct,
    pii_found,
    pii_limits,
    preprocessing_steps,
    representation_statements,
    sensitive_mentions,
)
from puhui.i18n import _

DATASHEET = "datasheet.md"
TEMPLATE = "datasheet.md.j2"
_TABLE_LANGUAGES = 40  # languages listed one per row; the rest share one row
_LISTED_REASONS = 20
_BLANK_LINES = re.compile(r"\n{3,}")


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or line."""
    return text.replace("|", "\\|").replace("\n", " ")


def _num(x: int) -> str:
    return f"{x:,}"


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        autoescape=False,  # Markdown, not HTML: values are made safe with the `md` filter
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md
    env.filters["num"] = _num
    env.filters["pct"] = pct
    source = resources.files("puhui.corpus.templates").joinpath(TEMPLATE).read_text("utf-8")
    return env.from_string(source)


def _noise_warnings(audit: Mapping[str, Any]) -> list[str]:
    """The audit's warnings worth listing under "errors, sources of noise or redundancies"."""
    out = []
    for w in audit["warnings"]:
        if w["severity"] != "info" and w["code"] not in ("few_documents", "quarantine"):
            tags = w.get("languages") or []
            out.append(_md(w["message"]) + (f" ({', '.join(tags[:20])})" if tags else ""))
    return out


def build_datasheet(
    audit: Mapping[str, Any],
    *,
    name: str,
    description: str | None = None,
    license: str | None = None,
) -> str:
    """The datasheet as Markdown (see the module docstring)."""
    build = audit["build"]
    languages = list(audit["languages"].items())
    reader = build["options"].get("reader")
    text = _template().render(
        _=_,
        version=__version__,
        name=name,
        description=description,
        license=license,
        audit=audit,
        t=audit["totals"],
        build=build,
        languages=languages[:_TABLE_LANGUAGES],
        languages_rest=languages[_TABLE_LANGUAGES:],
        und=audit["languages"].get("und", {}).get("documents", 0),
        fields=[(f, field_description(f)) for f, _type in RECORD_FIELDS],
        limitations=limitation_statements(audit)[:-1],
        noise_warnings=_noise_warnings(audit),
        pii_found=pii_found(audit),
        pii_limits=pii_limits(audit),
        sensitive=sensitive_mentions(audit),
        representation=representation_statements(audit),
        reader_options=options_text(reader) if isinstance(reader, dict) and reader else None,
        preprocessing=[_md(line) for line in preprocessing_steps(audit)],
        removed_by_reason=list(audit["removed"]["by_reason"].items())[:_LISTED_REASONS],
        biases=[_md(b) for b in bias_statements(audit)[:-1]],
        lexicon=audit["representation"]["lexicon"],
    )
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"


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
