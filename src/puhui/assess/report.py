"""Render an assessment as ``report.html`` (one self-contained file) and ``report.pdf``.

The HTML comes from ``assess/templates/report.html.j2`` with the CSS inline and every chart an
inline SVG (per-language bars with 95% interval whiskers, small slices hatched, thresholds
dashed), so it opens anywhere offline and references nothing outside itself. The PDF is the same
HTML laid out by WeasyPrint with print CSS (page numbers, repeated table headers, no clipped
tables). Text in any script renders through the system fonts named in the CSS (Noto for Arabic
and CJK; see SYSTEM_PACKAGES in the Makefile). All strings come from :mod:`puhui.assess.messages`.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from puhui._version import __version__
from puhui.assess import taxonomy
from puhui.assess.messages import Messages
from puhui.assess.obligations import rules
from puhui.errors import PuhuiError
from puhui.i18n import _

TEMPLATES = Path(__file__).with_name("templates")
LEVEL_COLOURS = {"low": "#2e7d32", "medium": "#b8860b", "high": "#c62828", "critical": "#6a1b9a"}
STATUS_COLOURS = {
    "evidenced": "#2e7d32",
    "partly": "#b8860b",
    "not-evidenced": "#9e9e9e",
    "not-applicable": "#cfd8dc",
}


@functools.cache
def _lang_name(tag: str, lang: str) -> str:
    try:
        import langcodes

        name = str(langcodes.Language.get(tag).display_name(lang))
    except Exception:  # an unknown tag still renders, as itself
        return tag
    return name if name and not name.lower().startswith("unknown") else tag


def _rule(rule: dict[str, Any]) -> str:
    return " ".join(f"{'≥' if k == 'min' else '≤'} {v:g}" for k, v in rule.items() if v is not None)


def _esc(s: Any) -> str:
    return html.escape(str(s), quote=True)


def bar_chart(
    rows: list[dict[str, Any]],
    *,
    label_key: str,
    threshold: dict[str, Any] | None,
    lang: str,
    small_note: str,
    label_fn: Any = None,
) -> Markup:
    """Horizontal bars (value) with CI whiskers, one row per slice; small slices hatched."""
    vals = [r for r in rows if r.get("value") is not None]
    if not vals:
        return Markup("")
    lo = min(0.0, *(float(r.get("ci_low", r["value"]) or 0) for r in vals))
    hi = max(1.0, *(float(r.get("ci_high", r["value"]) or 0) for r in vals))
    label_w, plot_w, value_w, row_h, top = 200, 340, 110, 20, 18
    width = label_w + plot_w + value_w
    height = top + row_h * len(vals) + 22

    def x(v: float) -> float:
        return label_w + (float(v) - lo) / (hi - lo) * plot_w

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img">',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#dfe7ef"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#7b93ab" stroke-width="3"/></pattern></defs>',
    ]
    for tick in (lo, (lo + hi) / 2, hi):
        tx = x(tick)
        out.append(
            f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{height - 20}" '
            'stroke="#e0e0e0" stroke-width="1"/>'
            f'<text x="{tx:.1f}" y="{height - 6}" font-size="10" text-anchor="middle" '
            f'fill="#555">{tick:g}</text>'
        )
    for i, r in enumerate(vals):
        y = top + i * row_h
        v = float(r["value"])
        small = bool(r.get("small"))
        status = r.get("status")
        colour = {"fail": "#c62828", "uncertain": "#b8860b"}.get(str(status), "#1f5f99")
        fill = "url(#hatch)" if small else colour
        label = label_fn(r[label_key]) if label_fn else str(r[label_key])
        if len(label) > 32:
            label = label[:31] + "…"
        out.append(
            f'<text x="{label_w - 6}" y="{y + 13}" font-size="11" text-anchor="end">'
            f"{_esc(label)}</text>"
        )
        x0, x1 = x(min(0.0, v) if lo < 0 else lo), x(v)
        if lo < 0:
            x0, x1 = x(min(0.0, v)), x(max(0.0, v))
        out.append(
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 1):.1f}" height="{row_h - 6}" '
            f'fill="{fill}" stroke="{colour}" stroke-width="{1 if small else 0}"/>'
        )
        cl, ch = r.get("ci_low"), r.get("ci_high")
        if cl is not None and ch is not None:
            a, b, cy = x(float(cl)), x(float(ch)), y + row_h / 2
            out.append(
                f'<line x1="{a:.1f}" y1="{cy:.1f}" x2="{b:.1f}" y2="{cy:.1f}" stroke="#222" '
                f'stroke-width="1.2"/><line x1="{a:.1f}" y1="{cy - 4:.1f}" x2="{a:.1f}" '
                f'y2="{cy + 4:.1f}" stroke="#222"/><line x1="{b:.1f}" y1="{cy - 4:.1f}" '
                f'x2="{b:.1f}" y2="{cy + 4:.1f}" stroke="#222"/>'
            )
        n = r.get("n")
        txt = f"{v:.3f}" + (f"  n={n}" if n is not None else "") + (" *" if small else "")
        out.append(
            f'<text x="{label_w + plot_w + 6}" y="{y + 13}" font-size="10.5" fill="#333">'
            f"{_esc(txt)}</text>"
        )
    if threshold:
        for key in ("min", "max"):
            if threshold.get(key) is not None and lo <= float(threshold[key]) <= hi:
                tx = x(float(threshold[key]))
                out.append(
                    f'<line x1="{tx:.1f}" y1="{top - 8}" x2="{tx:.1f}" y2="{height - 20}" '
                    'stroke="#c62828" stroke-width="1.5" stroke-dasharray="4 3"/>'
                    f'<text x="{tx:.1f}" y="{top - 9}" font-size="10" text-anchor="middle" '
                    f'fill="#c62828">{key} {float(threshold[key]):g}</text>'
                )
    out.append("</svg>")
    svg = "".join(out)
    if any(r.get("small") for r in vals):
        svg += f'<p class="note">* {_esc(small_note)}</p>'
    return Markup(svg)


def _css_string(text: str) -> Markup:
    """A CSS string literal (for ``content:``), safe inside a <style> element."""
    body = "".join(ch if ch.isalnum() or ch in " -—.,()'" else f"\\{ord(ch):x} " for ch in text)
    return Markup(f'"{body}"')


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "—" if v is None else f"{float(v):.1%}"
    env.filters["num"] = lambda v: "—" if v is None else f"{float(v):.3f}"
    env.filters["css"] = _css_string
    return env


def render_html(a: dict[str, Any]) -> str:
    """The report as one HTML document with no external references."""
    m = Messages(a["lang"])
    tax = taxonomy.load()
    lang = a["lang"]
    questions = {it.id: it.question_in(lang) for c in tax.checklists for it in c.items}
    area_titles = {ar.id: ar.title_in(lang) for ar in tax.areas}

    def lname(tag: str) -> str:
        name = _lang_name(tag, lang)
        return f"{name} ({tag})" if name != tag else tag

    def chart(rows: list[dict[str, Any]], key: str, threshold: dict[str, Any] | None) -> Markup:
        fn = lname if key == "language" else None
        return bar_chart(
            rows,
            label_key=key,
            threshold=threshold,
            lang=lang,
            small_note=m("chart.small"),
            label_fn=fn,
        )

    profile_langs = {x.split("-")[0] for x in a["system"]["languages"]}

    def in_profile(code: str) -> bool:
        return code.split("-")[0] in profile_langs

    template = _environment().get_template("report.html.j2")
    return template.render(
        a=a,
        t=m.table(),
        m=m,
        lang=lang,
        version=__version__,
        chart=chart,
        in_profile=in_profile,
        lname=lname,
        questions=questions,
        area_titles=area_titles,
        level_colours=LEVEL_COLOURS,
        status_colours=STATUS_COLOURS,
        frameworks={f.id: f for f in tax.frameworks},
        fair_rules={k: _rule(v) for k, v in rules()["fairness"].items()},
    )


def render_pdf(html_text: str, path: Path) -> None:
    """Lay the HTML out as a PDF with WeasyPrint (fonts from the system)."""
    try:
        import weasyprint
    except ImportError as e:  # pragma: no cover - weasyprint is a dependency
        raise PuhuiError(
            _("cannot write report.pdf: WeasyPrint is not installed ({why})").format(why=e),
            _("run `make install`, or pass `pdf=False`"),
        ) from None
    except OSError as e:  # pragma: no cover - missing Pango
        raise PuhuiError(
            _("cannot write report.pdf: a system library is missing ({why})").format(why=e),
            _("install Pango (see SYSTEM_PACKAGES in the Makefile), or pass `pdf=False`"),
        ) from None
    tmp = path.with_name("." + path.name + ".tmp")
    weasyprint.HTML(string=html_text, base_url=None).write_pdf(str(tmp))
    tmp.replace(path)
