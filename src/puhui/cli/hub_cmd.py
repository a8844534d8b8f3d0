"""``puhui hub``: set up and run the self-hosted hub, manage people and tokens, publish to it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from puhui.cli._common import JSON_HELP, console, err_console, print_json, settings
from puhui.errors import PuhuiError
from puhui.hub.accounts import ROLES, SCOPES, SLUG
from puhui.i18n import _

app = typer.Typer(
    help=_(
        "Run a self-hosted catalog where institutions publish, find and verify corpora, "
        "runs, assessments and certificates."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
token_app = typer.Typer(help=_("API tokens."), no_args_is_help=True, add_completion=False)
app.add_typer(token_app, name="token")
issuer_app = typer.Typer(
    help=_(
        "Trusted issuers: the signing keys whose certificates the hub shows as valid, "
        "registered by each organization's admins, and their revocation lists."
    ),
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(issuer_app, name="issuer")

VISIBILITIES = ("public", "organization", "private")


def _django() -> None:
    """Configure Django and bring the database up to date; one-line errors on failure."""
    settings()  # a bad setting fails here, as a one-line ConfigError
    from puhui.hub import accounts

    def upgrading(steps: int) -> None:
        err_console.print(
            _("Updating the hub database; on a large catalog this takes a minute or so…"),
            markup=False,
        )

    for path, mode in accounts.open_database(upgrading=upgrading):
        err_console.print(
            _("warning: {p} was readable by other users (mode {m:o}); made it private").format(
                p=path, m=mode
            ),
            markup=False,
        )


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise PuhuiError(
            _("{o} {v!r}: not one of {a}").format(o=option, v=value, a=", ".join(allowed)),
            _("pick one of those"),
        )
    return value


def _db_label() -> str:
    from puhui.hub import accounts

    return accounts.database_label()


@app.command("init")
def init(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Create or update the hub's database (safe to run again).

    Example: PUHUI_HOME=/srv/puhui puhui hub init
    """
    _django()
    if json_out:
        print_json({"database": _db_label()})
        return
    console.print(_("Hub database ready: {db}").format(db=_db_label()), markup=False)
    console.print(
        _("Next: `puhui hub createuser NAME --org ORG --role admin`, then `puhui hub serve`."),
        markup=False,
    )


@app.command("serve")
def serve(
    port: int = typer.Option(None, "--port", "-p", min=0, max=65535, help=_("Port to listen on.")),
    host: str = typer.Option("127.0.0.1", "--host", help=_("Address to listen on.")),
    threads: int = typer.Option(8, "--threads", min=1, max=256, help=_("Worker threads.")),
) -> None:
    """Serve the hub (pages, API, files) with waitress; creates the database on first start.

    Example: puhui hub serve --port 8421
    """
    s = settings()
    _django()
    from waitress import create_server

    from puhui.hub.wsgi import application

    server: Any = create_server(
        application,
        host=host,
        port=s.hub_port if port is None else port,
        threads=threads,
        max_request_body_size=s.hub_max_upload_mb * 1024 * 1024,
        ident="puhui-hub",
        clear_untrusted_proxy_headers=True,
    )
    from puhui.hub.serving import limit_bodies

    limit_bodies(server)  # a certificate to verify is refused over 64 KB before it is received
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    url = f"http://{shown}:{server.effective_port}/"
    console.print(_("Puhui hub at {url} (Ctrl+C stops it)").format(url=url), markup=False)
    console.print(_("Database: {db}").format(db=_db_label()), markup=False)
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@app.command("start")
def start(
    port: int = typer.Option(None, "--port", "-p", min=0, max=65535, help=_("Port to listen on.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Start the hub in the background (or find it already running) and print its URL.

    Example: puhui hub start && puhui hub stop
    """
    from puhui.hub import local

    _django()
    info = local.start(settings(), port)
    if json_out:
        print_json(info)
        return
    console.print(
        _("Puhui hub at {url} (stop it with `puhui hub stop`)").format(url=info["url"]),
        markup=False,
    )


@app.command("stop")
def stop(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Stop the hub that `puhui hub start` (or `puhui demo`) left running."""
    from puhui.hub import local

    info = local.stop(settings())
    if json_out:
        print_json({"stopped": info})
        return
    if info is None:
        console.print(_("No hub was running in the background."), markup=False)
    else:
        for one in [info, *info.get("also", [])]:
            console.print(_("Stopped the hub at {url}").format(url=one["url"]), markup=False)


@app.command("gc")
def gc(
    older_than: float = typer.Option(
        24.0, "--older-than", min=0, help=_("Only files last written this many hours ago.")
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help=_("List, remove nothing.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Remove stored files no item holds: what failed or interrupted publishes left behind.

    Files sent in the last --older-than hours stay (a publish may be about to use them).
    Example: puhui hub gc --dry-run
    """
    _django()
    from puhui import hub

    gone = hub.collect_unheld_files(older_than * 3600, dry_run=dry_run)
    size = sum(n for _p, n in gone)
    if json_out:
        print_json({"dry_run": dry_run, "files": [str(p) for p, _n in gone], "bytes": size})
        return
    if dry_run:
        for p, _n in gone:
            console.print(f"  {p}", markup=False)
        msg = _("{n} file(s) no item holds would be removed ({mb:.1f} MB).")
    else:
        msg = _("Removed {n} file(s) no item holds ({mb:.1f} MB).")
    console.print(msg.format(n=len(gone), mb=size / 1e6), markup=False)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise PuhuiError(_("no password on standard input"), _("pipe one line with it"))
        return password
    password = typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    return str(password)


@app.command("createuser")
def createuser(
    name: str = typer.Argument(..., help=_("User name (sign-in name).")),
    org: str = typer.Option(None, "--org", help=_("Organization (created if missing).")),
    role: str = typer.Option("member", "--role", help=_("admin, member or viewer in --org.")),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help=_("Read the password from the first line of stdin.")
    ),
    superuser: bool = typer.Option(
        False, "--superuser", help=_("Site administrator: sees and publishes everywhere.")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Create a person (or add an existing one to an organization with a role).

    Example: puhui hub createuser amina --org knbs --role admin --password-stdin < pw.txt
    """
    _choice(role, ROLES, "--role")
    if org is not None and not SLUG.match(org):
        raise PuhuiError(
            _("--org {o!r}: use lower-case letters, digits and '-'").format(o=org),
            _("e.g. --org knbs"),
        )
    _django()
    from puhui.hub import accounts

    password = None
    if password_stdin or not accounts.user_exists(name):
        password = _read_password(password_stdin)
    info = accounts.save_user(name, org=org, role=role, password=password, superuser=superuser)
    if json_out:
        print_json(info)
        return
    text = _("Created user {u}") if info["created"] else _("Updated user {u}")
    line = text.format(u=name)
    if org:
        line += " · " + _("{role} of {org}").format(role=role, org=org)
    console.print(line, markup=False)


@token_app.command("new")
def token_new(
    user: str = typer.Argument(..., help=_("Whose token (user name).")),
    scope: str = typer.Option("read", "--scope", help=_("read, or publish (read and publish).")),
    org: str = typer.Option(None, "--org", help=_("Limit the token to one organization.")),
    days: int = typer.Option(None, "--days", min=1, help=_("Expire after this many days.")),
    name: str = typer.Option("", "--name", help=_("A label to recognize it by.")),
) -> None:
    """Make an API token and print it once (only a hash is kept). It can never do more than its
    owner may.

    Example: TOKEN=$(puhui hub token new amina --scope publish --org knbs)
    """
    _choice(scope, SCOPES, "--scope")
    _django()
    from puhui.hub import accounts

    token = accounts.issue_token(user, scope=scope, org=org, days=days, name=name)
    err_console.print(
        _("Token for {u} ({s}); shown once, keep it safe:").format(u=user, s=scope), markup=False
    )
    print(token, flush=True)


@app.command("publish")
def publish(
    artifact: Path = typer.Argument(..., help=_("Artifact folder, or a certificate .json.")),
    url: str = typer.Option(
        None, "--url", envvar="PUHUI_HUB_URL", help=_("The hub (default: local, hub_port).")
    ),
    token: str = typer.Option(
        None, "--token", envvar="PUHUI_HUB_TOKEN", help=_("API token with publish scope.")
    ),
    visibility: str = typer.Option(
        "public", "--visibility", help=_("public, organization or private.")
    ),
    org: str = typer.Option("", "--org", help=_("Organization (needed if you are in several).")),
    name: str = typer.Option("", "--name", help=_("Item name (default: from the artifact).")),
    version: str = typer.Option("", "--version", help=_("Version (default: the next number).")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Publish an artifact (corpus, run, assessment) or a certificate to a hub.

    Example: puhui hub publish runs/sib200-llama --url http://127.0.0.1:8421 --token "$TOKEN"
    """
    from puhui.api import publish as publish_artifact

    _choice(visibility, VISIBILITIES, "--visibility")
    item = publish_artifact(
        artifact,
        url=url,
        token=token,
        visibility=visibility,
        org=org,
        name=name,
        version=version,
        settings=settings(),
    )
    if json_out:
        print_json(item)
        return
    what = _("Published") if item["created"] else _("Already published")
    console.print(f"{what}: {item['urn']}", markup=False)
    console.print(item["url"], markup=False, soft_wrap=True)


# ---------------------------------------------------------------- trusted issuers

_URL_HELP = _("The hub (default: local, hub_port).")


def _hub_url(url: str | None) -> str:
    return url or f"http://127.0.0.1:{settings().hub_port}"


def _need_token(token: str | None) -> str:
    if not token:
        raise PuhuiError(
            _("no token given"),
            _("pass --token or set PUHUI_HUB_TOKEN (an admin's, with --scope publish)"),
        )
    return token


def _status_list_file(ref: Path) -> Path:
    return ref / "status-list.json" if ref.is_dir() else ref


@issuer_app.command("add")
def issuer_add(
    key: str = typer.Argument(..., help=_("did:key, a public.json or a key folder.")),
    org: str = typer.Option(
        "", "--org", help=_("Organization (needed if you administer several).")
    ),
    name: str = typer.Option("", "--name", help=_("Display name (default: the key's name).")),
    url: str = typer.Option(None, "--url", envvar="PUHUI_HUB_URL", help=_URL_HELP),
    token: str = typer.Option(
        None, "--token", envvar="PUHUI_HUB_TOKEN", help=_("An admin's API token, publish scope.")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Register a signing key as a trusted issuer of your organization (admins only).

    Certificates it signs then show as valid on the hub. Given a key folder, its status list
    (status-list.json) is sent too, so the hub can tell revoked certificates.
    Example: puhui hub issuer add ~/keys/lab --org knbs --token "$ADMIN_TOKEN"
    """
    from puhui.certify import credential, keys
    from puhui.hub import client

    did = keys.trusted_did(key, "KEY")
    path = Path(key)
    status_list = None
    if path.is_dir() and (path / keys.STATUS_LIST).is_file():
        status_list = credential.load_json_object(path / keys.STATUS_LIST, _("status list"))
    if not name:
        public = path / keys.PUBLIC if path.is_dir() else path
        if public.is_file():
            found = credential.load_json_object(public, _("public key")).get("name")
            name = found if isinstance(found, str) else ""
    issuer = client.add_issuer(
        _hub_url(url), _need_token(token), did, org=org, name=name, status_list=status_list
    )
    if json_out:
        print_json(issuer)
        return
    what = _("Registered") if issuer["created"] else _("Already registered")
    console.print(
        _("{what}: {did} ({name}) as a trusted issuer of {org}").format(
            what=what, did=issuer["did"], name=issuer["name"] or "-", org=issuer["org"]
        ),
        markup=False,
    )
    if status_list is None:
        console.print(
            _("No status list sent: send it with `puhui hub issuer status-list KEYDIR`."),
            markup=False,
        )


@issuer_app.command("list")
def issuer_list(
    org: str = typer.Option("", "--org", help=_("Only this organization's issuers.")),
    url: str = typer.Option(None, "--url", envvar="PUHUI_HUB_URL", help=_URL_HELP),
    token: str = typer.Option(None, "--token", envvar="PUHUI_HUB_TOKEN", help=_("API token.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List the hub's trusted issuers and the status lists it holds for them.

    Example: puhui hub issuer list --org knbs --url https://hub.example.org
    """
    from puhui.hub import client

    rows = client.list_issuers(_hub_url(url), token=token, org=org)
    if json_out:
        print_json(rows)
        return
    if not rows:
        console.print(_("No trusted issuers."), markup=False)
    for r in rows:
        lists = ", ".join(f"{x['id']} ({x['valid_from']})" for x in r["status_lists"])
        console.print(
            f"{r['org']}  {r['did']}  {r['name'] or '-'}  "
            + _("status lists: {l}").format(l=lists or _("none")),
            markup=False,
            soft_wrap=True,
        )


@issuer_app.command("remove")
def issuer_remove(
    key: str = typer.Argument(..., help=_("did:key, a public.json or a key folder.")),
    url: str = typer.Option(None, "--url", envvar="PUHUI_HUB_URL", help=_URL_HELP),
    token: str = typer.Option(
        None, "--token", envvar="PUHUI_HUB_TOKEN", help=_("An admin's API token, publish scope.")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Stop trusting a key (admins of its organization); its status lists go with it.

    Example: puhui hub issuer remove did:key:z6Mk… --token "$ADMIN_TOKEN"
    """
    from puhui.certify import keys
    from puhui.hub import client

    did = keys.trusted_did(key, "KEY")
    client.remove_issuer(_hub_url(url), _need_token(token), did)
    if json_out:
        print_json({"removed": did})
        return
    console.print(_("Removed trusted issuer {did}").format(did=did), markup=False)


@issuer_app.command("status-list")
def issuer_status_list(
    ref: Path = typer.Argument(..., help=_("A key folder, or a status-list.json.")),
    url: str = typer.Option(None, "--url", envvar="PUHUI_HUB_URL", help=_URL_HELP),
    token: str = typer.Option(None, "--token", envvar="PUHUI_HUB_TOKEN", help=_("API token.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Send a trusted issuer's signed status list to the hub (after `puhui cert revoke`).

    Anyone may send one: the hub keeps it only if its issuer's key signed it, that key is a
    trusted issuer, and it is not older than the list the hub holds.
    Example: puhui cert revoke cert.json --key ~/keys/lab && puhui hub issuer status-list ~/keys/lab
    """
    from puhui.certify import credential
    from puhui.hub import client

    doc = credential.load_json_object(_status_list_file(ref), _("status list"))
    held = client.send_status_list(_hub_url(url), doc, token=token)
    if json_out:
        print_json(held)
        return
    text = _("Sent") if held["changed"] else _("The hub already held")
    console.print(
        _("{what}: status list {id} of {i} (of {d})").format(
            what=text, id=held["id"], i=held["issuer"], d=held["valid_from"]
        ),
        markup=False,
        soft_wrap=True,
    )


# ---------------------------------------------------------------- federation

peer_app = typer.Typer(
    help=_("Peers: other hubs whose signed change feed this hub mirrors."),
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(peer_app, name="peer")


@app.command("identity")
def identity(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Print this hub's signing key (did:key) that signs its change feed; created on first use.

    Give it to the operators of a peer hub: `puhui hub peer add NAME URL --key DID`.
    """
    _django()
    from puhui.hub.federation import identity as fed_identity

    did = fed_identity.hub_did()
    if json_out:
        print_json({"did": did, "key_dir": str(fed_identity.key_dir())})
        return
    print(did, flush=True)


@app.command("withdraw")
def withdraw(
    urn: str = typer.Argument(..., help=_("The item's URN.")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Withdraw an item from this machine's hub; peers delete their mirrors on their next sync.

    Example: puhui hub withdraw urn:puhui:corpus:knbs/kiswahili-news@1
    """
    _django()
    from puhui.hub.federation import events

    info = events.withdraw(urn)
    if json_out:
        print_json(info)
        return
    console.print(_("Withdrew {u}").format(u=urn), markup=False, soft_wrap=True)


@peer_app.command("add")
def peer_add(
    name: str = typer.Argument(..., help=_("A short name for the peer (lower case).")),
    url: str = typer.Argument(..., help=_("The peer hub's URL.")),
    key: str = typer.Option(
        ..., "--key", help=_("The peer's key: its did:key (`puhui hub identity`) or public.json.")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Mirror another hub, trusting only feed pages signed by its key.

    Example: puhui hub peer add nairobi https://hub.example.ke --key did:key:z6Mk…
    """
    _django()
    from puhui.hub.federation import peers

    info = peers.add_peer(name, url, key)
    if json_out:
        print_json(info)
        return
    what = _("Added peer") if info["created"] else _("Updated peer")
    console.print(f"{what} {info['name']}: {info['url']} ({info['did']})", markup=False)


@peer_app.command("list")
def peer_list(json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """List the peers, their cursors and last sync."""
    _django()
    from puhui.hub.federation import peers

    rows = peers.list_peers()
    if json_out:
        print_json(rows)
        return
    if not rows:
        console.print(_("No peers."), markup=False)
    for r in rows:
        console.print(
            f"{r['name']}  {r['url']}  cursor {r['cursor']}  {r['last_sync'] or '-'}  "
            f"{r['last_error']}",
            markup=False,
            soft_wrap=True,
        )


@app.command("sync")
def sync(
    peer: str = typer.Argument(..., help=_("A peer's name or URL (`puhui hub peer add`).")),
    limit: int = typer.Option(100, "--limit", min=1, max=100, help=_("Entries per page.")),
    from_start: bool = typer.Option(
        False, "--from-start", help=_("Read the whole feed again (changes nothing held).")
    ),
    every: int = typer.Option(
        0,
        "--every",
        min=0,
        help=_("Keep syncing every N minutes (a schedule without cron; Ctrl+C stops it)."),
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Pull a peer's change feed and mirror its public items (files fetched on first download).

    Resumes from the last page applied; a page whose signature does not verify with the peer's
    key is refused. With --every, a failed sync (the network is down) is reported and retried at
    the next turn. Example: puhui hub sync nairobi --every 60
    """
    _django()
    import time

    from puhui.hub.federation import peers

    while every:
        try:
            _synced(peers.sync(peer, limit=limit, from_start=from_start), json_out, one_line=True)
        except PuhuiError as e:
            err_console.print(_("error: {message}").format(message=e), markup=False)
        from_start = False
        try:
            time.sleep(every * 60)
        except KeyboardInterrupt:
            return
    _synced(peers.sync(peer, limit=limit, from_start=from_start), json_out)


def _synced(info: dict[str, Any], json_out: bool, *, one_line: bool = False) -> None:
    if json_out:
        print_json(info, one_line=one_line)
        return
    console.print(
        _(
            "Synced {p}: {c} new, {u} updated, {w} withdrawn, {r} revoked ({n} pages, cursor {k})"
        ).format(
            p=info["peer"],
            c=info["created"],
            u=info["updated"],
            w=info["withdrawn"],
            r=info["revoked"],
            n=info["pages"],
            k=info["cursor"],
        ),
        markup=False,
    )
