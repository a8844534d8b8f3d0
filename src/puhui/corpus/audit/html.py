"""The audit as one self-contained HTML page: inline SVG charts and the Jinja2 template."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup, escape

from puhui._version import __version__
from puhui.corpus.audit.lexicon import category_label
from puhui.i18n import _

_CHART_TOP = 30
_HTML_LANG_SAMPLES = 30
_PALETTE = ("#2f6f9f", "#b5523b", "#4f8a3c", "#8a5fa8", "#b08a1e", "#3b8f8f", "#a04870")


def _num(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.1f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _pct(x: Any) -> str:
    if x is None:
        return "–"
    return f"{float(x) * 100:.1f}%"


def _compact(x: int) -> str:
    if x >= 1_000_000:
        return f"{x / 1_000_000:g}M"
    if x >= 1_000:
        return f"{x / 1_000:g}k"
    return str(x)


def bar_chart(
    items: Sequence[tuple[str, int]],
    *,
    title: str,
    color: str = _PALETTE[0],
    label_width: int = 170,
    width: int = 640,
    rest: tuple[int, int] | None = None,
) -> Markup:
    """A horizontal bar chart as inline SVG (labels are escaped; no script, no external refs).

    ``rest`` is (number of items not drawn, their total), written as a line under the bars.
    """
    if not items:
        return Markup("")
    row, top = 20, 4
    bar_max = width - label_width - 70
    peak = max(v for _l, v in items) or 1
    height = top + row * (len(items) + (1 if rest else 0)) + 4
    parts = [
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row
        w = max(1.0, bar_max * value / peak) if value else 0.0
        shown = label if len(label) <= 26 else label[:25] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{escape(shown)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="14" fill="{color}">'
            f"<title>{escape(label)}: {value:,}</title></rect>"
            f'<text x="{label_width + w + 5:.1f}" y="{y + 14}">{value:,}</text>'
        )
    if rest:
        y = top + len(items) * row
        note = _("+ {n} more ({total} together)").format(n=f"{rest[0]:,}", total=f"{rest[1]:,}")
        parts.append(f'<text x="{label_width}" y="{y + 14}" class="small">{escape(note)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram_chart(counts: Sequence[int], edges: Sequence[int], *, title: str) -> Markup:
    """Vertical bars for the fixed log-scale length bins, as inline SVG."""
    if not any(counts):
        return Markup("")
    width, height, left, bottom, top = 640, 220, 46, 36, 12
    n = len(counts)
    slot = (width - left - 10) / n
    peak = max(counts) or 1
    plot_h = height - bottom - top
    parts = [
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 6}" y2="{height - bottom}" '
        f'stroke="#888"/>',
    ]
    for i, c in enumerate(counts):
        x = left + i * slot
        h = plot_h * c / peak
        lo = edges[i]
        label = f"≥{_compact(lo)}" if i == n - 1 else f"{_compact(lo)}–{_compact(edges[i + 1])}"
        parts.append(
            f'<rect x="{x + 3:.1f}" y="{height - bottom - h:.1f}" width="{slot - 6:.1f}" '
            f'height="{h:.1f}" fill="{_PALETTE[0]}"><title>{escape(label)}: {c:,}</title></rect>'
            f'<line x1="{x:.1f}" y1="{height - bottom}" x2="{x:.1f}" y2="{height - bottom + 4}" '
            f'stroke="#888"/><text x="{x:.1f}" y="{height - bottom + 15}" text-anchor="middle" '
            f'class="small">{_compact(lo)}</text>'
        )
        if c:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - bottom - h - 3:.1f}" '
                f'text-anchor="middle" class="small">{c:,}</text>'
            )
    parts.append(
        f'<text x="{left + (width - left) / 2:.1f}" y="{height - 4}" text-anchor="middle" '
        f'class="small">{escape(_("characters per document"))}</text></svg>'
    )
    return Markup("".join(parts))


def _top_items(
    counts: Mapping[str, int], limit: int
) -> tuple[list[tuple[str, int]], tuple[int, int] | None]:
    """The ``limit`` largest items (ties keep the audit's order) and (count, total) of the rest."""
    items = [(k, int(v)) for k, v in counts.items() if v]
    items.sort(key=lambda kv: -kv[1])
    if len(items) <= limit:
        return items, None
    rest = items[limit:]
    return items[:limit], (len(rest), sum(v for _k, v in rest))


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    return env


def render_audit_html(audit: Mapping[str, Any], *, title: str) -> str:
    """The audit as one self-contained HTML page (inline CSS and SVG, no scripts)."""
    source = resources.files("puhui.corpus.templates").joinpath("audit.html.j2").read_text("utf-8")
    template = _environment().from_string(source)
    langs: Mapping[str, Any] = audit["languages"]
    lang_items, lang_rest = _top_items({t: v["documents"] for t, v in langs.items()}, _CHART_TOP)
    reason_items, reason_rest = _top_items(audit["removed"]["by_reason"], _CHART_TOP)
    pii_items, pii_rest = _top_items(audit["pii"]["by_type"], _CHART_TOP)
    charts = {
        "languages": bar_chart(lang_items, title=_("Documents per language"), rest=lang_rest),
        "reasons": bar_chart(
            reason_items,
            title=_("Removed documents by reason"),
            color=_PALETTE[1],
            label_width=200,
            rest=reason_rest,
        ),
        "pii": bar_chart(
            pii_items, title=_("PII found, by type"), color=_PALETTE[3], rest=pii_rest
        ),
        "length": histogram_chart(
            audit["totals"]["length"]["histogram"],
            audit["length"]["bin_edges"],
            title=_("Length of kept documents"),
        ),
    }
    rep = audit["representation"]
    return template.render(
        _=_,
        title=title,
        a=audit,
        charts=charts,
        category_label=category_label,
        severity_label=severity_label,
        categories=rep["categories"],
        sample_langs=[t for t, v in langs.items() if v.get("sample")][:_HTML_LANG_SAMPLES],
        removed_langs=[t for t, v in langs.items() if v["removed"]],
        pii_langs=[t for t, v in langs.items() if v["documents_with_pii"]],
        version=__version__,
    )


def severity_label(severity: str) -> str:
    """The reader-facing name of a warning's severity."""
    labels = {"error": _("error"), "warning": _("warning"), "info": _("note")}
    return labels.get(severity, severity)
