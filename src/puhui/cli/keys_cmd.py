"""``puhui keys``: create and show the Ed25519 signing keys that certificates are issued with."""

from __future__ import annotations

from pathlib import Path

import typer

from puhui.cli._common import JSON_HELP, console, print_json, settings
from puhui.i18n import _


def _say(text: object, *, markup: bool = False) -> None:
    """Print a line; no emoji codes (``did:key:`` must not turn into a key emoji), no markup."""
    console.print(text, emoji=False, markup=markup, highlight=False)


app = typer.Typer(
    help=_(
        "Create and show signing keys for certificates (Ed25519, did:key). A key folder holds "
        "private.json (keep it secret), public.json (give it to verifiers) and the revocation "
        "status list."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


@app.command("new")
def new(
    out: Path = typer.Option(
        None, "--out", "-o", help=_("Key folder to create (default: $PUHUI_HOME/keys/NAME).")
    ),
    name: str = typer.Option(
        None, "--name", help=_("Issuer name shown in certificates (e.g. your organisation).")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Create a new key folder; an existing key is never overwritten.

    Example: puhui keys new --out ~/keys/ministry-lab --name "Ministry AI Lab"
    """
    from puhui.certify import credential, keys

    folder = out or settings().home / "keys" / (name or "default").replace("/", "_")
    pair = keys.create_key_dir(folder, name)
    credential.ensure_status_list(folder, pair)
    info = {
        "key_dir": str(folder),
        "did": pair.did,
        "verification_method": pair.verification_method,
        "public_key": pair.public_multibase,
        "name": name,
        "private": str(folder / keys.PRIVATE),
        "public": str(folder / keys.PUBLIC),
        "status_list": str(folder / keys.STATUS_LIST),
    }
    if json_out:
        print_json(info)
        return
    _say(_("Created key in {p}").format(p=folder))
    _say(_("  issuer DID:   {d}").format(d=pair.did))
    _say(
        _("  public key:   {p} (share it; verifiers pin it with --trust)").format(
            p=folder / keys.PUBLIC
        )
    )
    _say(
        _("  private key:  {p} (mode 0600; back it up, never share it)").format(
            p=folder / keys.PRIVATE
        )
    )


@app.command("show")
def show(
    key_dir: Path = typer.Argument(..., help=_("A key folder made by `puhui keys new`.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Print a key folder's issuer DID and public key (never the private key)."""
    from puhui.certify import keys

    pair = keys.load_key_dir(key_dir)
    info = {
        "key_dir": str(key_dir),
        "did": pair.did,
        "public_key": pair.public_multibase,
        "name": pair.name,
    }
    if json_out:
        print_json(info)
        return
    _say(_("issuer DID: {d}").format(d=pair.did))
    if pair.name:
        _say(_("name:       {n}").format(n=pair.name))
