"""The printable certificate: one page (HTML and PDF) with the scope, validity and a QR code.

The QR code carries the whole signed credential (``PUHUI1:`` + base45 of the compressed JSON,
see :mod:`puhui.certify.qr`), so a district hospital can scan the paper, save the text to a file
and run ``puhui cert verify`` on a laptop with no connection. The page is written beside the
certificate, not inside the assessment folder, because the certificate pins that folder's files
by hash.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from puhui.artifacts import atomic_write_bytes, atomic_write_text
from puhui.certify import qr
from puhui.i18n import _

CSS = """
@page { size: A4; margin: 16mm 16mm 14mm 16mm; }
body { font-family: "Noto Sans", "Noto Sans CJK SC", "Noto Sans Arabic", "DejaVu Sans", sans-serif;
       color: #1b1b1b; font-size: 10.5pt; line-height: 1.4; margin: 0; }
h1 { font-size: 20pt; margin: 0 0 2mm 0; color: #0b4f6c; }
.sub { color: #555; margin: 0 0 6mm 0; }
table { border-collapse: collapse; width: 100%; margin: 0 0 5mm 0; }
th, td { text-align: left; vertical-align: top; padding: 1.6mm 2mm;
         border-bottom: 0.3mm solid #ddd; }
th { width: 34%; color: #444; font-weight: 600; }
td { overflow-wrap: anywhere; }
.qr { display: flex; gap: 6mm; align-items: flex-start; margin-top: 4mm; }
.qr svg { width: 78mm; height: 78mm; flex: none; }
.how { font-size: 9.5pt; color: #333; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; overflow-wrap: anywhere; }
"""


def _row(label: str, value: str) -> str:
    return f"<tr><th>{html.escape(label)}</th><td>{value}</td></tr>"


def render_html(credential: Mapping[str, Any]) -> str:
    """The certificate page as one self-contained HTML document (inline CSS and SVG)."""
    subject: Mapping[str, Any] = credential.get("credentialSubject") or {}
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    issuer_name = issuer.get("name", "") if isinstance(issuer, Mapping) else ""
    e = html.escape
    assessment: Mapping[str, Any] = subject.get("assessment") or {}
    reports = "".join(
        f"<div>{e(str(r.get('name')))}: <code>{e(str(r.get('digestSRI')))}</code></div>"
        for r in credential.get("relatedResource") or []
    )
    name = str(subject.get("name", ""))
    version = subject.get("version")
    rows = [
        _row(_("System"), e(name + (f" {version}" if version else ""))),
        _row(_("Intended use"), e(str(subject.get("intendedUse", "")))),
        _row(_("Sector"), e(str(subject.get("sector", "")))),
        _row(_("Languages (BCP-47)"), e(", ".join(subject.get("languages") or []))),
        _row(_("Jurisdictions"), e(", ".join(subject.get("jurisdictions") or []))),
        _row(
            _("Valid"),
            e(
                _("from {a} until {b}").format(
                    a=credential.get("validFrom", "?"), b=credential.get("validUntil", "?")
                )
            ),
        ),
        _row(_("Issuer"), e(str(issuer_name)) + f"<div><code>{e(str(issuer_id))}</code></div>"),
        _row(
            _("Assessment"),
            f"<code>{e(str(assessment.get('id', '')))}</code>"
            f"<div><code>sha256 {e(str(assessment.get('contentSha256', '')))}</code></div>",
        ),
        _row(_("Reports pinned by hash"), reports),
        _row(_("Certificate id"), f"<code>{e(str(credential.get('id', '')))}</code>"),
    ]
    payload = qr.encode(credential)
    code = qr.make(payload)
    how = _(
        "The QR code holds the whole signed certificate ({n} characters, QR {v}). To check it "
        "offline: scan it, save the text (it starts with PUHUI1:) to a file, and run "
        "<code>puhui cert verify FILE</code> with the report files beside it. Verification "
        "needs no network: the signature, validity dates, report hashes and, when the issuer's "
        "status list is given, revocation are all checked on your machine."
    ).format(n=len(payload), v=e(code.designator))
    title = _("Certificate of AI system assessment")
    lang = "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{e(title)} — {e(name)}</title><style>{CSS}</style></head><body>"
        f"<h1>{e(title)}</h1>"
        f'<p class="sub">{e(_("A W3C Verifiable Credential signed with eddsa-jcs-2022."))}</p>'
        f"<table>{''.join(rows)}</table>"
        f'<div class="qr">{qr.svg(payload, scale=2, title=str(credential.get("id")))}'
        f'<p class="how">{how}</p></div>'
        "</body></html>"
    )


def write(credential: Mapping[str, Any], html_path: Path, pdf_path: Path | None) -> None:
    """Write the page as HTML and, when ``pdf_path`` is given, as PDF (WeasyPrint)."""
    page = render_html(credential)
    atomic_write_text(html_path, page)
    if pdf_path is not None:
        from weasyprint import HTML

        atomic_write_bytes(pdf_path, HTML(string=page).write_pdf())
