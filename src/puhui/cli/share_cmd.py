"""``puhui share``: usage policies (ODRL 2.2) for items, and whether an item may go to another
country for a purpose — permit, deny or permit with conditions, each reason cited. Not legal
advice."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from puhui.cli._common import JSON_HELP, console, print_json
from puhui.errors import PuhuiError
from puhui.i18n import _

if TYPE_CHECKING:
    from puhui.sharing.types import Policy

app = typer.Typer(
    help=_(
        "Share data lawfully across borders: write and check usage policies (ODRL 2.2 JSON-LD) "
        "and ask whether an item may go to another country for a purpose. Not legal advice."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
policy_app = typer.Typer(
    help=_("Create, validate and show usage policies (ODRL 2.2 JSON-LD)."),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
app.add_typer(policy_app, name="policy")

NOT_ADVICE = _(
    "Not legal advice: Puhui summarises the rules it cites and may be out of date or incomplete; "
    "ask a lawyer or the data protection authority before relying on it."
)
#: The cap on an artifact's audit.json read for its data categories.
MAX_AUDIT_BYTES = 20 * 1024 * 1024


def _say(text: object) -> None:
    console.print(text, emoji=False, markup=False, highlight=False)


def _codes(text: str | None) -> list[str]:
    return [c.strip().upper() for c in (text or "").split(",") if c.strip()]


@policy_app.command("create")
def create(
    preset_name: str = typer.Option(
        ..., "--preset", help=_("open, research-only, regional or on-request.")
    ),
    recipients: str = typer.Option(
        None,
        "--recipients",
        help=_("Countries or regions the data may go to, comma-separated (e.g. AU,KE)."),
    ),
    assigner: str = typer.Option(
        "", "--assigner", help=_("Who sets the policy (your organisation's name or URL).")
    ),
    uid: str = typer.Option(None, "--uid", help=_("The policy's IRI (default: a new urn:uuid).")),
    out: Path = typer.Option(
        None, "--out", "-o", help=_("Write the policy here (default: print it).")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Make a usage policy from a preset; an existing file is never overwritten.

    Example: puhui share policy create --preset research-only --recipients AU --out policy.json
    """
    from puhui.artifacts import atomic_write_text
    from puhui.sharing import policy

    made = policy.preset(
        preset_name,
        uid=uid or f"urn:uuid:{uuid.uuid4()}",
        assigner=assigner,
        recipients=_codes(recipients),
    )
    text = policy.dumps(made)
    if out is None:
        print(text, end="")
        return
    if out.exists():
        raise PuhuiError(
            _("{p} already exists").format(p=out), _("choose another `out` file or remove it")
        )
    atomic_write_text(out, text)
    if json_out:
        print_json({"out": str(out), "uid": made.uid, "preset": made.preset})
        return
    _say(_("Wrote a {preset} policy to {p}").format(preset=made.preset, p=out))
    _show_terms(made)


def _show_terms(made: Policy) -> None:
    from puhui.sharing.policy import describe

    for label, value in describe(made):
        _say(f"  {label}: {value}")


@policy_app.command("validate")
def validate(
    file: Path = typer.Argument(..., help=_("A policy file (ODRL JSON-LD).")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Check a policy file; a problem prints as one line naming its JSON path."""
    from puhui.sharing import policy

    read = policy.load(file)
    if json_out:
        print_json({"file": str(file), "valid": True, "uid": read.uid, "preset": read.preset})
        return
    _say(_("{p}: a valid usage policy ({preset})").format(p=file, preset=read.preset))


@policy_app.command("show")
def show(
    file: Path = typer.Argument(..., help=_("A policy file (ODRL JSON-LD).")),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Print a policy's terms in words (or, with --json, its terms and its ODRL document)."""
    from puhui.sharing import policy

    read = policy.load(file)
    if json_out:
        print_json(
            {
                "file": str(file),
                "terms": {
                    "uid": read.uid,
                    "preset": read.preset,
                    "assigner": read.assigner,
                    "purposes": sorted(read.purposes),
                    "recipients": sorted(read.recipients),
                    "commercial": read.commercial,
                    "reidentification": read.reidentification,
                    "attribution": read.attribution,
                    "share_alike": read.share_alike,
                    "delete_after_days": read.delete_after_days,
                    "expires": read.expires.isoformat() if read.expires else None,
                    "on_request": read.on_request,
                },
                "odrl": policy.to_odrl(read),
            }
        )
        return
    _say(str(file))
    _show_terms(read)


def _read_audit(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_AUDIT_BYTES:
            raise PuhuiError(
                _("{p}: larger than {n} MB").format(p=path, n=MAX_AUDIT_BYTES // 2**20),
                _("rebuild it with `puhui corpus audit`"),
            )
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise PuhuiError(
            _("{p}: not a readable audit ({why})").format(p=path, why=e),
            _("rebuild it with `puhui corpus audit`"),
        ) from None
    if not isinstance(doc, dict):
        raise PuhuiError(
            _("{p}: not an audit (a JSON object)").format(p=path),
            _("rebuild it with `puhui corpus audit`"),
        )
    return doc


@app.command("check")
def check_cmd(
    item: Path = typer.Argument(
        ...,
        help=_(
            "A policy file, or an artifact folder (its policy.json beside its manifest; its "
            "audit.json says whether it holds personal data)."
        ),
    ),
    from_: str = typer.Option(..., "--from", help=_("Country the data leaves (e.g. GH).")),
    to: str = typer.Option(..., "--to", help=_("Country (or region) it goes to (e.g. KE).")),
    purpose: str = typer.Option(
        ..., "--purpose", help=_("research, education, public-service or commercial.")
    ),
    category: list[str] = typer.Option(
        [],
        "--category",
        help=_(
            "What the data holds: non-personal, personal, special-category, children "
            "(repeat it; added to what the audit shows)."
        ),
    ),
    records: int = typer.Option(
        None,
        "--records",
        min=0,
        help=_("How many records go (default: the audit's document count)."),
    ),
    granted: bool = typer.Option(
        False, "--granted", help=_("The owner granted your access request.")
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Whether an item may go from one country to another for a purpose: permit, deny or
    permit with conditions, each reason with its citation. Not legal advice.

    Example: puhui share check policy.json --from GH --to KE --purpose research --category personal
    """
    from puhui.sharing import check, jurisdictions, policy

    categories = set(category)
    used: Policy | None
    if item.is_dir():
        found = item / "policy.json"
        used = policy.load(found) if found.is_file() else None
        audit_path = item / "audit.json"
        if audit_path.is_file():
            audit = _read_audit(audit_path)
            categories |= check.categories_from_audit(audit)
            totals = audit.get("totals")
            if records is None and isinstance(totals, dict):
                documents = totals.get("documents")
                records = documents if isinstance(documents, int) else None
    else:
        used = policy.load(item)
    profiles = jurisdictions.load_all()
    source = check.exporter(from_, profiles, jurisdictions.members)
    destination = to.strip().upper()
    decision = check.check(
        used,
        sorted(categories),
        source,
        destination,
        purpose,
        to_jurisdiction=profiles.get(destination),
        records=records,
        granted=granted,
        members=jurisdictions.members,
    )
    result = {
        "decision": decision.verdict,
        "reasons": [
            {"name": r.name, "text": r.text, "cite": r.cite, "verdict": r.verdict}
            for r in decision.reasons
        ],
        "conditions": [{"id": c.id, "text": c.text, "cite": c.cite} for c in decision.conditions],
        "unverified": list(decision.unverified),
        "from": from_.strip().upper(),
        "profile": None if isinstance(source, str) else source.code,
        "to": destination,
        "purpose": purpose,
        "categories": sorted(categories) or ["non-personal"],
        "records": records,
        "policy": used.uid if used else None,
        "note": NOT_ADVICE,
    }
    if json_out:
        print_json(result)
        return
    words = {
        "permit": _("PERMIT: the item may go there for this purpose."),
        "conditional": _(
            "PERMIT WITH CONDITIONS: the item may go there once the conditions below are met."
        ),
        "deny": _("DENY: the item may not go there for this purpose."),
    }
    _say(words[decision.verdict])
    _say(_("Reasons:"))
    for r in decision.reasons:
        cite = f" [{r.cite}]" if r.cite else ""
        _say(f"  - {r.verdict}: {r.text}{cite} ({r.name})")
    if decision.conditions:
        _say(_("Conditions:"))
        for c in decision.conditions:
            cite = f" [{c.cite}]" if c.cite else ""
            _say(f"  - {c.text}{cite}")
    if decision.unverified:
        _say(
            _("Unverified profiles (not yet checked against the official texts): {codes}").format(
                codes=", ".join(decision.unverified)
            )
        )
    _say(NOT_ADVICE)


def _hub() -> None:
    from puhui.hub.accounts import open_database

    open_database()


@app.command("export")
def export_cmd(
    urns: list[str] = typer.Argument(..., help=_("The items' URNs (as their pages show them).")),
    out: Path = typer.Option(..., "--out", "-o", help=_("The bundle to write (e.g. x.puhui).")),
    org: str = typer.Option(
        "",
        "--org",
        help=_("Also export this organization's items that are not public, or need a request."),
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write items of this machine's hub, their files and usage policies to one signed file
    (a zip), to carry to another hub without a network.

    Example: puhui share export urn:puhui:corpus:uni-ghana/twi@1 --out twi.puhui
    """
    _hub()
    from puhui.hub.sharing import bundle

    info = bundle.export_bundle(list(urns), out, org=org)
    if json_out:
        print_json(info)
        return
    _say(
        _("{n} item(s), {f} file(s) ({b:,} bytes) written to {out}, signed by {hub}").format(
            n=len(info["items"]), f=info["files"], b=info["bytes"], out=out, hub=info["hub"]
        )
    )


@app.command("import")
def import_cmd(
    path: Path = typer.Argument(..., help=_("The bundle (`puhui share export` wrote it).")),
    trust: str = typer.Option(
        ...,
        "--trust",
        help=_("The exporting hub's key: its did:key (`puhui hub identity`) or public.json."),
    ),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Import a bundle into this machine's hub: every file's sha256 and the signature are
    checked first, and a bundle with anything wrong is refused whole. Importing it again
    changes nothing.

    Example: puhui share import twi.puhui --trust did:key:z6Mk…
    """
    _hub()
    from puhui.hub.sharing import bundle

    result = bundle.import_bundle(path, trust).as_dict()
    if json_out:
        print_json(result)
        return
    _say(
        _("{c} item(s) created, {u} updated, {s} already here; signed by {d}").format(
            c=len(result["created"]),
            u=len(result["updated"]),
            s=len(result["same"]),
            d=result["signer"],
        )
    )
