"""Offline bundles: items carried from one hub to another on a USB stick, with no network
(``puhui share export URN... --out bundle.puhui`` and ``puhui share import bundle.puhui``).

Format ``puhui-share-bundle-1``: a zip file (``.puhui``) holding exactly

- ``bundle.json``: ``{"format": "puhui-share-bundle-1", "hub": <the exporting hub's did:key
  (its federation key, :func:`puhui.hub.federation.identity.hub_key`)>, "created": <ISO time>,
  "items": [...]}``, signed with an eddsa-jcs-2022 ``proof`` by that key. Each item: ``urn``,
  ``kind``, ``name``, ``version``, ``title``, ``description``, ``org`` (``slug``, ``name``,
  ``country``), ``visibility``, ``languages``, ``sector``, ``countries``, ``risk_areas``,
  ``metadata``, ``manifest_id``, ``content_sha256``, ``policy`` (its ODRL 2.2 policy as the
  sharing app stores it, or null) and ``files`` (``path``, ``sha256``, ``bytes``,
  ``media_type``);
- ``files/<sha256>``: the content of each file the items list, once per distinct sha256.

Export takes the hub's public items and the items of ``org``; an item whose policy needs an
access request leaves only with its own organization (``org``), never otherwise. A file a
mirror has not fetched yet cannot go.

Import reads within limits (member count, declared and actual sizes, member names only
``bundle.json`` and ``files/<sha256>``, ``bundle.json`` size and nesting via
:mod:`puhui.certify.limits`), verifies the signature against the trusted key, checks every
listed file is in the bundle, then stages every file into the store's staging area checking its
sha256 and size while it is copied. Only when all of that passed are the items written, in one
transaction: under their origin organization's slug on this hub (created when missing), with the
same URN, visibility, files and policy. Nothing is half-imported: a refused bundle leaves no
item, no policy and no file. Importing the same bundle again changes nothing. Imported items are
this hub's own from then on (not federation mirrors, which are pulled from a peer hub and
fetched on demand); their audit log starts with the ``policy-set`` the import wrote.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from puhui.certify import dataintegrity as di
from puhui.certify import keys, limits
from puhui.errors import PuhuiError
from puhui.hub.catalog import search, storage
from puhui.hub.catalog.access import Caller
from puhui.hub.catalog.models import KINDS, VISIBILITIES, Item, ItemFile, Organization
from puhui.hub.catalog.publish import media_type
from puhui.sharing.policy import from_odrl, to_odrl

from .models import ItemPolicy
from .service import store_policy

FORMAT = "puhui-share-bundle-1"
MANIFEST = "bundle.json"
MAX_MEMBERS = 100_000
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
#: JSON nesting bundle.json may have (an item's metadata and ODRL policy are the deepest).
MAX_DEPTH = 32
#: What a bundle's files may add up to (declared sizes; each copy is bounded by its own).
MAX_TOTAL_BYTES = 256 * 1024**3
_URN = re.compile(
    r"^urn:puhui:([a-z]+):([a-z0-9][a-z0-9-]{0,63})/([A-Za-z0-9][A-Za-z0-9._+-]{0,99})"
    r"@([A-Za-z0-9._-]{1,32})$"
)
_KINDS = {k for k, _label in KINDS}
_VISIBILITIES = {v for v, _label in VISIBILITIES}


class BundleError(PuhuiError):
    """A bundle refused (one line naming the bundle and, where one is to blame, its member)."""


# ------------------------------------------------------------------------------------ export


def _entry(item: Item, policy: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "urn": item.urn,
        "kind": item.kind,
        "name": item.name,
        "version": item.version,
        "title": item.title,
        "description": item.description,
        "org": {"slug": item.org.slug, "name": item.org.name, "country": item.org.country},
        "visibility": item.visibility,
        "languages": list(item.languages or []),
        "sector": item.sector,
        "countries": list(item.countries or []),
        "risk_areas": list(item.risk_areas or []),
        "metadata": dict(item.metadata or {}),
        "manifest_id": item.manifest_id,
        "content_sha256": item.content_sha256,
        "policy": policy,
        "files": [
            {"path": f.path, "sha256": f.sha256, "bytes": f.size, "media_type": f.media_type}
            for f in item.files.order_by("path")
        ],
    }


def export_bundle(urns: list[str], out: Path, *, org: str = "") -> dict[str, Any]:
    """Write the items ``urns`` (this hub's public items, or items of the organization ``org``)
    with their files and policies to the signed bundle ``out``; what was written."""
    from puhui.hub.federation.identity import hub_key

    if not urns:
        raise PuhuiError(_("no items to export"), _("give one or more item URNs"))
    if out.exists():
        raise PuhuiError(
            _("{p} already exists; a bundle is never overwritten").format(p=out),
            _("choose another `out` file"),
        )
    entries: list[dict[str, Any]] = []
    blobs: dict[str, int] = {}
    for urn in dict.fromkeys(urns):
        item = Item.objects.select_related("org").filter(urn=urn).first()
        if item is None:
            raise PuhuiError(
                _("no item {u} on this hub").format(u=urn[:300]),
                _("give the URN as the item's page shows it"),
            )
        own = bool(org) and item.org.slug == org
        if item.visibility != "public" and not own:
            raise PuhuiError(
                _("{u}: not public; only its own organization may export it").format(u=urn),
                _("give `org` {o} if you act for it").format(o=item.org.slug),
            )
        row = ItemPolicy.objects.filter(item=item).first()
        if row is not None and row.on_request and not own:
            raise PuhuiError(
                _(
                    "{u}: its policy needs an access request; only its organization may carry it "
                    "away"
                ).format(u=urn),
                _("ask {o} for it (`puhui share` on their hub)").format(o=item.org.slug),
            )
        entry = _entry(item, dict(row.odrl) if row is not None else None)
        for f in entry["files"]:
            if not storage.has(f["sha256"]):
                raise PuhuiError(
                    _("{u}: file {p} is not held on this hub (a mirror not downloaded yet)").format(
                        u=urn, p=f["path"]
                    ),
                    _("download it once on this hub, then export again"),
                )
            blobs[f["sha256"]] = f["bytes"]
        entries.append(entry)
    pair = hub_key()
    doc = {
        "format": FORMAT,
        "hub": pair.did,
        "created": di.format_datetime(datetime.now(UTC)),
        "items": entries,
    }
    signed = di.sign(doc, pair.private_key, pair.verification_method)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, di.canonicalize(signed))
            for sha in sorted(blobs):
                z.write(storage.blob_path(sha), f"files/{sha}")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return {
        "out": str(out),
        "hub": pair.did,
        "items": [e["urn"] for e in entries],
        "files": len(blobs),
        "bytes": sum(blobs.values()),
    }


# ------------------------------------------------------------------------------------ import


@dataclass
class Imported:
    """What importing a bundle changed: items created, updated (policy changed) or the same."""

    signer: str = ""
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    same: list[str] = field(default_factory=list)
    files: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "signer": self.signer,
            "created": self.created,
            "updated": self.updated,
            "same": self.same,
            "files": self.files,
        }


def _bad(path: Path, what: str, why: str) -> BundleError:
    return BundleError(
        f"{path}: {what}: {why}",
        _("the bundle was refused whole; nothing was imported. Ask for a fresh copy"),
    )


class _Capped:
    """A readable stream that fails past ``limit`` bytes (a member longer than it says)."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self._raw = raw
        self._left = limit + 1

    def read(self, n: int = -1) -> bytes:
        want = self._left if n < 0 else min(n, self._left)
        chunk = self._raw.read(want) if want > 0 else b""
        self._left -= len(chunk)
        return chunk


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _strings(value: Any, limit: int, count: int = 300) -> list[str]:
    return (
        [x[:limit] for x in value if isinstance(x, str)][:count] if isinstance(value, list) else []
    )


def _check_item(path: Path, i: int, e: Any) -> dict[str, Any]:
    where = f"{MANIFEST} items[{i}]"
    if not isinstance(e, dict):
        raise _bad(path, where, _("not an object"))
    urn = e.get("urn")
    m = _URN.match(urn) if isinstance(urn, str) else None
    org = e.get("org")
    if (
        m is None
        or e.get("kind") not in _KINDS
        or (m.group(1), m.group(3), m.group(4)) != (e.get("kind"), e.get("name"), e.get("version"))
        or not isinstance(org, dict)
        or org.get("slug") != m.group(2)
    ):
        raise _bad(path, where, _("urn, kind, org, name and version do not agree"))
    if e.get("visibility") not in _VISIBILITIES:
        raise _bad(path, where, _("visibility must be public, organization or private"))
    files = e.get("files")
    if not isinstance(files, list) or not files or len(files) > MAX_MEMBERS:
        raise _bad(path, where, _("files is not a non-empty list"))
    seen: set[str] = set()
    for j, f in enumerate(files):
        ok = (
            isinstance(f, dict)
            and isinstance(f.get("path"), str)
            and storage.safe_path(f["path"])
            and f["path"] not in seen
            and isinstance(f.get("sha256"), str)
            and storage.SHA256_RE.match(f["sha256"]) is not None
            and isinstance(f.get("bytes"), int)
            and not isinstance(f.get("bytes"), bool)
            and 0 <= f["bytes"] <= MAX_TOTAL_BYTES
        )
        if not ok:
            raise _bad(
                path, f"{where}.files[{j}]", _("needs a safe unique path, a sha256 and bytes")
            )
        seen.add(f["path"])
    policy = e.get("policy")
    if policy is not None:
        try:
            from_odrl(policy, f"{path}: {where}.policy")
        except PuhuiError as exc:
            raise BundleError(exc.message, _("the bundle was refused whole")) from None
    return e


def read_manifest(path: Path, z: zipfile.ZipFile, trusted_did: str) -> dict[str, Any]:
    """The verified ``bundle.json`` of the open bundle ``z``; :class:`BundleError` otherwise."""
    infos = z.infolist()
    if len(infos) > MAX_MEMBERS + 1:
        raise _bad(path, _("zip"), _("more than {n:,} members").format(n=MAX_MEMBERS + 1))
    names: set[str] = set()
    for info in infos:
        name = info.filename
        if name in names:
            raise _bad(path, name, _("the name appears twice"))
        names.add(name)
        if name != MANIFEST and not (
            name.startswith("files/") and storage.SHA256_RE.match(name[6:])
        ):
            raise _bad(path, name[:200], _("not a member a bundle holds"))
    if MANIFEST not in names:
        raise _bad(path, MANIFEST, _("missing: not a Puhui share bundle"))
    info = z.getinfo(MANIFEST)
    if info.file_size > MAX_MANIFEST_BYTES:
        raise _bad(path, MANIFEST, _("larger than {n:,} bytes").format(n=MAX_MANIFEST_BYTES))
    try:
        with z.open(info) as f:
            raw = f.read(MAX_MANIFEST_BYTES + 1)
        doc = limits.loads(raw, MANIFEST, max_bytes=MAX_MANIFEST_BYTES, max_depth=MAX_DEPTH)
    except limits.LimitError as e:
        raise _bad(path, MANIFEST, str(e)) from None
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise _bad(path, MANIFEST, str(e) or type(e).__name__) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _bad(path, MANIFEST, _("not format {f}").format(f=FORMAT))
    proof = di.verify_proof(doc)
    if not proof.ok:
        raise _bad(
            path, MANIFEST, _("the signature does not verify ({why})").format(why=proof.reason)
        )
    if proof.controller != trusted_did or doc.get("hub") != trusted_did:
        raise BundleError(
            _("{p}: signed by {d}, not by the trusted key {t}").format(
                p=path, d=proof.controller, t=trusted_did
            ),
            _("nothing was imported; check the exporting hub's key (`puhui hub identity`)"),
        )
    items = doc.get("items")
    if not isinstance(items, list) or not items:
        raise _bad(path, MANIFEST, _("items is not a non-empty list"))
    checked = [_check_item(path, i, e) for i, e in enumerate(items)]
    wanted = {f["sha256"]: f["bytes"] for e in checked for f in e["files"]}
    for entry in checked:
        for f in entry["files"]:
            if wanted[f["sha256"]] != f["bytes"]:
                raise _bad(path, f"files/{f['sha256']}", _("listed with two sizes"))
    if sum(wanted.values()) > MAX_TOTAL_BYTES:
        raise _bad(
            path, MANIFEST, _("its files add up to more than {n:,} bytes").format(n=MAX_TOTAL_BYTES)
        )
    held = {n[6:] for n in names if n != MANIFEST}
    for sha in sorted(set(wanted) - held):
        raise _bad(path, f"files/{sha}", _("listed in bundle.json but missing"))
    for sha in sorted(held - set(wanted)):
        raise _bad(path, f"files/{sha}", _("not listed in bundle.json"))
    for sha, size in wanted.items():
        if z.getinfo(f"files/{sha}").file_size != size:
            raise _bad(
                path, f"files/{sha}", _("its size is not the {n:,} bytes listed").format(n=size)
            )
    doc["items"] = checked
    return doc


def _stage_files(path: Path, z: zipfile.ZipFile, doc: dict[str, Any]) -> list[storage.Staged]:
    wanted = {f["sha256"]: f["bytes"] for e in doc["items"] for f in e["files"]}
    staged: list[storage.Staged] = []
    try:
        for sha in sorted(wanted):
            member = f"files/{sha}"
            size = wanted[sha]

            def accept(got: str, n: int, want: tuple[str, int] = (sha, size)) -> bool:
                return (got, n) == want

            try:
                with z.open(member) as raw:
                    staged.append(storage.stage(_Capped(raw, size), accept))  # type: ignore[arg-type]
            except storage.Refused:
                raise _bad(path, member, _("sha256 does not match")) from None
            except (zipfile.BadZipFile, OSError, EOFError) as e:
                raise _bad(path, member, str(e)[:200] or type(e).__name__) from None
    except BaseException:
        for one in staged:
            storage.discard(one)
        raise
    return staged


def _same(item: Item, e: dict[str, Any]) -> bool:
    held = sorted((f.path, f.sha256, f.size) for f in item.files.all())
    wanted = sorted((f["path"], f["sha256"], f["bytes"]) for f in e["files"])
    return held == wanted


def _apply(path: Path, doc: dict[str, Any], result: Imported) -> None:
    for e in doc["items"]:
        urn = e["urn"]
        item = Item.objects.filter(urn=urn).first()
        if item is not None and not _same(item, e):
            raise BundleError(
                _("{p}: {u} is already on this hub with other files").format(p=path, u=urn),
                _("nothing was imported; withdraw the local item first (`puhui hub withdraw`)"),
            )
        policy = e.get("policy")
        if item is None:
            o = e["org"]
            org, _new = Organization.objects.get_or_create(
                slug=o["slug"],
                defaults={
                    "name": _text(o.get("name"), 200) or o["slug"],
                    "country": _text(o.get("country"), 2),
                },
            )
            item = Item(
                kind=e["kind"],
                name=e["name"],
                version=e["version"],
                urn=urn,
                org=org,
                title=_text(e.get("title"), 300) or e["name"],
                description=_text(e.get("description"), 100_000),
                visibility=e["visibility"],
                languages=_strings(e.get("languages"), 35),
                sector=_text(e.get("sector"), 100),
                countries=_strings(e.get("countries"), 2),
                risk_areas=_strings(e.get("risk_areas"), 100),
                metadata=e["metadata"] if isinstance(e.get("metadata"), dict) else {},
                manifest_id=_text(e.get("manifest_id"), 100),
                content_sha256=_text(e.get("content_sha256"), 64),
                size=sum(int(f["bytes"]) for f in e["files"]),
            )
            item.search_text = search.text_of(item)
            item.facet_terms = search.facet_terms_of(item)
            item.save()
            ItemFile.objects.bulk_create(
                ItemFile(
                    item=item,
                    path=f["path"],
                    sha256=f["sha256"],
                    size=f["bytes"],
                    media_type=_text(f.get("media_type"), 100) or media_type(f["path"]),
                )
                for f in e["files"]
            )
            search.index(item)
            result.created.append(urn)
            if policy is not None:
                store_policy(Caller(), item, from_odrl(policy, urn))
            continue
        row = ItemPolicy.objects.filter(item=item).first()
        want = None if policy is None else to_odrl(from_odrl(policy, urn), target=urn)
        have = None if row is None else dict(row.odrl)
        if want is not None and want != have:
            store_policy(Caller(), item, from_odrl(policy, urn))
            result.updated.append(urn)
        else:
            result.same.append(urn)  # a local policy with none in the bundle is kept


def import_bundle(path: Path, trust: str) -> Imported:
    """Import the bundle ``path`` signed by the key ``trust`` (a did:key, public.json or key
    folder); refused whole (one line) when anything in it is wrong."""
    trusted_did = keys.trusted_did(trust, "--trust")
    try:
        z = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise PuhuiError(_("{p}: no such file").format(p=path), _("give the bundle file")) from None
    except (zipfile.BadZipFile, OSError) as e:
        raise _bad(path, _("zip"), str(e)[:200] or type(e).__name__) from None
    with z:
        doc = read_manifest(path, z, trusted_did)
        staged = _stage_files(path, z, doc)
    result = Imported(signer=trusted_did, files=len(staged))
    try:
        with transaction.atomic():
            _apply(path, doc, result)
            for one in staged:
                storage.keep(one)
    finally:
        for one in staged:
            storage.discard(one)  # what was kept is no longer there to discard
    return result
