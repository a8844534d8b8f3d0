"""``puhui cert``: issue, verify, revoke and QR-encode signed assessment certificates."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from puhui.cli._common import JSON_HELP, console, print_json
from puhui.errors import PuhuiError
from puhui.i18n import _


def _say(text: object, *, markup: bool = False) -> None:
    """Print a line; no emoji codes (``did:key:`` must not turn into a key emoji), no markup."""
    console.print(text, emoji=False, markup=markup, highlight=False)


app = typer.Typer(
    help=_(
        "Issue and verify signed certificates (W3C Verifiable Credentials 2.0, eddsa-jcs-2022), "
        "fully offline; revoke them with a Bitstring Status List."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

EXIT_INVALID = 1
EXIT_INPUT = 2


def _write_json(path: Path, data: Any) -> None:
    from puhui.artifacts import atomic_write_json

    atomic_write_json(path, data)


@app.command("issue")
def issue(
    assessment_dir: Path = typer.Argument(..., help=_("The assessment folder to certify.")),
    key: Path = typer.Option(..., "--key", "-k", help=_("Issuer key folder (`puhui keys new`).")),
    out: Path = typer.Option(..., "--out", "-o", help=_("Where to write the certificate JSON.")),
    valid_days: int = typer.Option(365, "--valid-days", min=1, help=_("Days until it expires.")),
    status_list: Path = typer.Option(
        None, "--status-list", help=_("Status list file (default: KEYDIR/status-list.json).")
    ),
    page: bool = typer.Option(
        True,
        "--page/--no-page",
        help=_(
            "Also write the printable certificate (OUT with .html and .pdf): scope, validity "
            "and a QR code that carries the whole signed certificate."
        ),
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Sign a certificate pinning the assessment's scope and report files by hash.

    Example: puhui cert issue assessments/chatbot --key ~/keys/lab --out chatbot.cert.json
    """
    from puhui.api import issue_certificate
    from puhui.certify import qr

    cert = issue_certificate(
        assessment_dir, key, out, valid_days=valid_days, status_list=status_list, page=page
    )
    cred = cert.credential
    pages = [str(p) for p in cert.pages]
    code = qr.make(qr.encode(cred))
    info = {
        "certificate": str(out),
        "id": cred["id"],
        "issuer": cert.issuer,
        "validFrom": cred["validFrom"],
        "validUntil": cred["validUntil"],
        "status_list": str(cert.status_list),
        "status_list_index": cred["credentialStatus"]["statusListIndex"],
        "qr_version": code.designator,
        "pages": pages,
    }
    if json_out:
        print_json(info)
        return
    _say(_("Certificate written to {p}").format(p=out))
    if pages:
        _say(_("  printable page with its QR code: {p}").format(p=" ".join(pages)))
    _say(
        _("  valid {a} to {b}, issuer {i}").format(
            a=cred["validFrom"], b=cred["validUntil"], i=info["issuer"]
        )
    )
    _say(_("  publish the status list with it: {p}").format(p=cert.status_list))
    _say(_("  check it with `puhui cert verify {p}`").format(p=out))


def _load_credential(path: Path) -> dict[str, Any]:
    from puhui.api import load_certificate

    return load_certificate(path)


def _mark(ok: bool | None) -> str:
    if ok is None:
        return "[yellow]–[/yellow] " + _("not checked")
    return "[green]✓[/green] " + _("pass") if ok else "[red]✗[/red] " + _("FAIL")


@app.command("verify")
def verify(
    file: Path = typer.Argument(
        ..., help=_("Certificate or badge JSON, or a text file with PUHUI1:…")
    ),
    report_dir: Path = typer.Option(
        None, "--report-dir", help=_("Folder with the report files (default: beside FILE).")
    ),
    status_list: Path = typer.Option(
        None,
        "--status-list",
        help=_("Issuer's status list (default: status-list.json beside FILE, if present)."),
    ),
    trust: list[str] = typer.Option(
        None,
        "--trust",
        help=_("Accept only this issuer: did:key, public.json or key folder (repeatable)."),
    ),
    at: str = typer.Option(None, "--at", help=_("Check validity at this ISO time, not now.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Verify a certificate or an Open Badges 3.0 badge offline; exit 0 only when it is valid
    (1 invalid, 2 unusable input).

    Example: puhui cert verify chatbot.cert.json --trust ~/keys/lab/public.json
    """
    from puhui.api import verify_certificate

    try:  # an invalid certificate is a result; what raises is input Puhui cannot use
        result = verify_certificate(
            file,
            report_dir=report_dir,
            status_list=status_list,
            trusted=trust or None,
            at=at or None,
        )
    except PuhuiError as e:
        e.exit_code = EXIT_INPUT
        raise
    if json_out:
        print_json(result.to_dict())
    else:
        s = result.summary
        badge = s.get("kind") == "badge"
        title = _("Badge {id}") if badge else _("Certificate {id}")
        table = Table(title=Text(title.format(id=s.get("id"))), title_justify="left")
        table.add_column(_("check"))
        table.add_column(_("result"))
        table.add_column(_("reason"), overflow="fold")
        for c in result.checks:
            table.add_row(c.name, Text.from_markup(_mark(c.ok), emoji=False), Text(c.reason))
        _say(table)
        if badge:
            _say(_("Achievement: {a}; issuer {i}").format(a=s.get("achievement"), i=s["issuer"]))
        elif s.get("system"):
            _say(_("System: {s}; issuer {i}").format(s=s["system"], i=s["issuer"]))
        if result.valid:
            _say("[green]" + _("VALID") + "[/green]", markup=True)
        else:
            failed = ", ".join(c.name for c in result.failed())
            _say(
                "[red]" + _("INVALID") + "[/red] " + escape(_("(failed: {f})").format(f=failed)),
                markup=True,
            )
    if not result.valid:
        sys.stdout.flush()
        raise typer.Exit(EXIT_INVALID)


@app.command("revoke")
def revoke(
    file: Path = typer.Argument(..., help=_("The certificate to revoke.")),
    key: Path = typer.Option(..., "--key", "-k", help=_("The issuer's key folder.")),
    reason: str = typer.Option(None, "--reason", help=_("Why (kept in KEYDIR/revocations.jsonl).")),
    status_list: Path = typer.Option(
        None, "--status-list", help=_("Status list file (default: KEYDIR/status-list.json).")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Revoke a certificate: set its bit in the status list and re-sign the list.

    Revocation is permanent. Publish the updated status list: verifiers need it.
    """
    from puhui.certify import credential

    cred = _load_credential(file)
    path, changed = credential.revoke(cred, key, reason=reason, status_list=status_list)
    if json_out:
        print_json(
            {
                "certificate": cred.get("id"),
                "status_list": str(path),
                "already_revoked": not changed,
            }
        )
        return
    if changed:
        _say(_("Revoked {id}.").format(id=cred.get("id")))
    else:
        _say(_("{id} was already revoked.").format(id=cred.get("id")))
    _say(
        _(
            "Updated status list: {p} — publish it; verifiers need it "
            "(`puhui cert verify CERT --status-list {p}`)."
        ).format(p=path)
    )


@app.command("qr")
def qr_(
    file: Path = typer.Argument(..., help=_("The certificate to encode.")),
    out: Path = typer.Option(None, "--out", "-o", help=_("Write an SVG QR code here.")),
    text: Path = typer.Option(None, "--text", help=_("Write the PUHUI1: text here.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Encode a certificate as a QR code that carries all a verifier needs (offline)."""
    from puhui.artifacts import atomic_write_text
    from puhui.certify import qr

    cred = _load_credential(file)
    payload = qr.encode(cred)
    code = qr.make(payload)
    if out:
        atomic_write_text(out, qr.svg(payload, title=str(cred.get("id"))))
    if text:
        atomic_write_text(text, payload + "\n")
    info = {
        "chars": len(payload),
        "qr_version": code.designator,
        "svg": str(out) if out else None,
        "text": str(text) if text else None,
    }
    if json_out:
        print_json(info)
        return
    if not out and not text:
        sys.stdout.write(payload + "\n")
        return
    _say(_("QR {v}: {n} characters").format(v=code.designator, n=len(payload)))
