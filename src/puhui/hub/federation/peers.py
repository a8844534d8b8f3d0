"""Peers: other hubs this one mirrors by pulling their signed change feed (:mod:`.feed`).

:func:`sync` asks a peer for pages from the stored cursor with :mod:`httpx` (timeouts; a page
over :data:`MAX_PAGE_BYTES` is refused while it is read), verifies each page's eddsa-jcs-2022
proof against the peer's pinned DID (a page that does not verify, or is signed by another key,
is refused whole: one-line error, cursor unchanged), then applies it in ONE transaction that
also moves the cursor, so a connection dropped between pages resumes where the last committed
page ended and nothing is applied twice. Applying is idempotent: an item already mirrored is
updated in place, a tombstone of an item not held changes nothing.

Mirrors are catalog items in the organization ``peer-<name>``, named ``<origin org>.<name>``
(an org slug has no dot, so two origin organizations never collide), each with a
:class:`~.models.Mirror` row. Their files are held by reference (:class:`~.models.MirrorFile`:
the peer's download URL and sha256) and fetched on the first download, checked against the
sha256 and size before the store keeps them (:func:`fetch_file`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from puhui.certify import dataintegrity as di
from puhui.certify import keys, limits
from puhui.errors import PuhuiError
from puhui.hub.catalog import search, storage
from puhui.hub.catalog.models import KINDS, Item, ItemFile, Organization
from puhui.hub.catalog.publish import media_type
from puhui.hub.federation.events import MIRROR_FLAG
from puhui.hub.federation.models import Mirror, MirrorFile, Peer

MAX_PAGE_BYTES = 8 * 1024 * 1024
#: JSON nesting a page may have (an ODRL policy is the deepest part).
MAX_PAGE_DEPTH = 24
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
PAGE_LIMIT = 100
#: Certificates fetched after a sync (each a few KB), the rest on their first download.
MAX_CERTIFICATE_FETCHES = 1000
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")
_URN = re.compile(
    r"^urn:puhui:([a-z]+):([a-z0-9][a-z0-9-]{0,63})/([^@/\s]{1,100})@([^@/\s]{1,32})$"
)
_KINDS = {k for k, _label in KINDS}


class SyncError(PuhuiError):
    """A feed page refused, or a peer that cannot be reached; nothing of that page applied."""


def _check_url(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise PuhuiError(
            _("{w} {u!r}: not an http(s) URL").format(w=what, u=url[:200]),
            _("e.g. https://hub.example.org"),
        )
    return url.rstrip("/")


def add_peer(name: str, url: str, key: str) -> dict[str, Any]:
    """Configure (or re-point) the peer ``name`` at ``url``, trusting only the key ``key``
    (a did:key, a public.json or a key folder)."""
    if not NAME.match(name):
        raise PuhuiError(
            _("peer name {n!r}: use up to 48 lower-case letters, digits and '-'").format(n=name),
            _("e.g. `name` hub-nairobi"),
        )
    url = _check_url(url, _("peer URL"))
    did = keys.trusted_did(key, "--key")
    peer, created = Peer.objects.get_or_create(name=name, defaults={"url": url, "did": did})
    if not created and (peer.url, peer.did) != (url, did):
        peer.url, peer.did = url, did
        peer.save(update_fields=["url", "did"])
    return _out(peer) | {"created": created}


def _out(peer: Peer) -> dict[str, Any]:
    return {
        "name": peer.name,
        "url": peer.url,
        "did": peer.did,
        "cursor": peer.cursor,
        "last_sync": peer.last_sync.isoformat() if peer.last_sync else None,
        "last_error": peer.last_error,
        "mirrors": peer.mirrors.count(),
    }


def list_peers() -> list[dict[str, Any]]:
    return [_out(p) for p in Peer.objects.all()]


def find_peer(ref: str) -> Peer:
    """A configured peer by its name or its URL."""
    peer = Peer.objects.filter(name=ref).first() or Peer.objects.filter(url=ref.rstrip("/")).first()
    if peer is None:
        raise PuhuiError(
            _("no peer {p!r} on this hub").format(p=ref[:200]),
            _("add it first: puhui hub peer add NAME URL --key DID"),
        )
    return peer


# ---------------------------------------------------------------- reading a page


def fetch_page(peer: Peer, after: int, limit: int, client: httpx.Client) -> dict[str, Any]:
    """One verified page of the peer's feed; :class:`SyncError` (one line) otherwise."""
    url = f"{peer.url}/api/v1/feed"
    try:
        with client.stream("GET", url, params={"after": after, "limit": limit}) as resp:
            if resp.status_code != 200:
                raise SyncError(
                    _("peer {p}: {u} answered HTTP {s}").format(
                        p=peer.name, u=url, s=resp.status_code
                    ),
                    _("check the peer's URL (`puhui hub peer add` again to change it)"),
                )
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_PAGE_BYTES:
                raise _too_big(peer)
            raw = bytearray()
            for chunk in resp.iter_bytes():
                raw += chunk
                if len(raw) > MAX_PAGE_BYTES:
                    raise _too_big(peer)
    except httpx.HTTPError as e:
        raise SyncError(
            _("peer {p}: connection to {u} failed after cursor {c}: {why}").format(
                p=peer.name, u=url, c=after, why=str(e).splitlines()[0][:200] or type(e).__name__
            ),
            _("run the sync again: it resumes from the last page applied"),
        ) from None
    try:
        doc = limits.loads(
            bytes(raw), _("feed page"), max_bytes=MAX_PAGE_BYTES, max_depth=MAX_PAGE_DEPTH
        )
    except limits.LimitError as e:
        raise SyncError(
            _("peer {p}: page after {c} refused: {why}").format(p=peer.name, c=after, why=e),
            _("nothing of it was applied; tell the peer's operators"),
        ) from None
    if not isinstance(doc, dict):
        raise SyncError(
            _("peer {p}: page after {c} is not a JSON object").format(p=peer.name, c=after),
            _("nothing of it was applied; tell the peer's operators"),
        )
    proof = di.verify_proof(doc)
    if not proof.ok or proof.controller != peer.did or doc.get("hub") != peer.did:
        why = proof.reason if not proof.ok else _("signed by {d}").format(d=proof.controller)
        raise SyncError(
            _(
                "peer {p}: page after {c} refused: its signature does not verify with the "
                "peer's key {k} ({why})"
            ).format(p=peer.name, c=after, k=peer.did, why=why),
            _("nothing was applied; check the key with the peer's operators (`hub identity`)"),
        )
    cursor = doc.get("cursor")
    if not isinstance(cursor, int) or isinstance(cursor, bool) or cursor < after:
        raise SyncError(
            _("peer {p}: page after {c} has no valid cursor").format(p=peer.name, c=after),
            _("nothing of it was applied; tell the peer's operators"),
        )
    return doc


def _too_big(peer: Peer) -> SyncError:
    return SyncError(
        _("peer {p}: a feed page is larger than {n:,} bytes").format(p=peer.name, n=MAX_PAGE_BYTES),
        _("nothing of it was applied; tell the peer's operators"),
    )


# ---------------------------------------------------------------- applying a page


def _bad(peer: Peer, seq: Any, why: str) -> SyncError:
    return SyncError(
        _("peer {p}: feed entry {s}: {why}").format(p=peer.name, s=limits.short(seq), why=why),
        _("nothing of that page was applied; tell the peer's operators"),
    )


def _text(entry: dict[str, Any], key: str, limit: int) -> str:
    value = entry.get(key, "")
    return value[:limit] if isinstance(value, str) else ""


def _files(peer: Peer, entry: dict[str, Any]) -> list[dict[str, Any]]:
    files = entry.get("files")
    if not isinstance(files, list) or len(files) > 100_000:
        raise _bad(peer, entry.get("seq"), _("files is not a list"))
    out = []
    for f in files:
        ok = (
            isinstance(f, dict)
            and isinstance(f.get("path"), str)
            and storage.safe_path(f["path"])
            and isinstance(f.get("sha256"), str)
            and storage.SHA256_RE.match(f["sha256"])
            and isinstance(f.get("bytes"), int)
            and f["bytes"] >= 0
            and isinstance(f.get("url"), str)
            and len(f["url"]) <= 1000
            and urlsplit(f["url"]).scheme in ("http", "https")
        )
        if not ok:
            raise _bad(peer, entry.get("seq"), _("a file lacks a safe path, sha256, bytes or url"))
        out.append(f)
    return out


def _mirror_item(peer: Peer, org: Organization, entry: dict[str, Any]) -> str:
    """Create or update the mirror of one item entry; "created", "updated" or "same"."""
    urn = entry.get("urn")
    m = _URN.match(urn) if isinstance(urn, str) else None
    kind, name, version = entry.get("kind"), entry.get("name"), entry.get("version")
    if (
        m is None
        or kind not in _KINDS
        or (m.group(1), m.group(3), m.group(4)) != (kind, name, version)
        or not _SEGMENT.match(str(name))
    ):
        raise _bad(peer, entry.get("seq"), _("urn, kind, name and version do not agree"))
    files = _files(peer, entry)
    local_name = f"{m.group(2)}.{name}"[:100]
    langs = entry.get("languages")
    fields = {
        "title": _text(entry, "title", 300) or local_name,
        "description": _text(entry, "description", 100_000),
        "languages": [x[:35] for x in langs if isinstance(x, str)][:300]
        if isinstance(langs, list)
        else [],
        "content_sha256": _text(entry, "content_sha256", 64),
        "size": sum(int(f["bytes"]) for f in files),
    }
    mirror = Mirror.objects.select_related("item").filter(peer=peer, remote_urn=urn).first()
    first_url: dict[str, str] = {}
    for f in sorted(files, key=lambda f: str(f["path"])):
        first_url.setdefault(f["sha256"], f["url"])
    # one source per distinct file: the URL of its first path
    wanted = sorted(
        (f["path"], f["sha256"], int(f["bytes"]), first_url[f["sha256"]]) for f in files
    )
    if mirror is not None:
        item = mirror.item
        src = dict(mirror.sources.values_list("sha256", "url"))
        held = sorted((f.path, f.sha256, f.size, src.get(f.sha256, "")) for f in item.files.all())
        if all(getattr(item, k) == v for k, v in fields.items()) and held == wanted:
            return "same"
        for k, v in fields.items():
            setattr(item, k, v)
    else:
        item = Item(
            kind=kind,
            name=local_name,
            version=str(version),
            urn=Item.make_urn(str(kind), org.slug, local_name, str(version)),
            org=org,
            visibility="public",
            **fields,
        )
        setattr(item, MIRROR_FLAG, True)
    item.search_text = search.text_of(item)
    item.facet_terms = search.facet_terms_of(item)
    existed = mirror is not None
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise SyncError(
            _("peer {p}: {u} is already on this hub, not as a mirror of this peer").format(
                p=peer.name, u=item.urn
            ),
            _("withdraw the local item (`puhui hub withdraw`), then sync again"),
        ) from None
    if mirror is None:
        mirror = Mirror.objects.create(
            item=item, peer=peer, remote_urn=urn, remote_seq=int(entry.get("seq") or 0)
        )
    item.files.all().delete()
    mirror.sources.all().delete()
    ItemFile.objects.bulk_create(
        ItemFile(
            item=item,
            path=p,
            sha256=sha,
            size=size,
            media_type=media_type(p),
        )
        for p, sha, size, _url in wanted
    )
    seen: set[str] = set()
    sources = []
    for _p, sha, size, url in wanted:
        if sha not in seen:
            seen.add(sha)
            sources.append(MirrorFile(mirror=mirror, sha256=sha, size=size, url=url))
    MirrorFile.objects.bulk_create(sources)
    search.index(item)
    return "updated" if existed else "created"


def _entries(page: dict[str, Any]) -> Iterator[tuple[int, str, dict[str, Any]]]:
    merged = []
    for key, kind in (("items", "item"), ("tombstones", "withdrawn"), ("revoked", "revoked")):
        rows = page.get(key) or []
        if not isinstance(rows, list):
            raise ValueError(key)
        for e in rows:
            if not isinstance(e, dict) or not isinstance(e.get("seq"), int):
                raise ValueError(key)
            merged.append((int(e["seq"]), kind, e))
    yield from sorted(merged, key=lambda t: t[0])


def apply_page(peer: Peer, page: dict[str, Any], counts: dict[str, int]) -> None:
    """Apply one verified page and move the cursor, all in one transaction."""
    try:
        entries = list(_entries(page))
    except ValueError as exc:
        raise _bad(peer, "-", _("{k} is not a list of entries with a seq").format(k=exc)) from None
    with transaction.atomic():
        org, _new = Organization.objects.get_or_create(
            slug=peer.org_slug, defaults={"name": _("from hub {n}").format(n=peer.name)}
        )
        for seq, kind, e in entries:
            urn = e.get("urn")
            if not isinstance(urn, str):
                raise _bad(peer, seq, _("no urn"))
            if kind == "item":
                counts[_mirror_item(peer, org, e)] += 1
            elif kind == "withdrawn":
                mirror = Mirror.objects.filter(peer=peer, remote_urn=urn).first()
                if mirror is not None:
                    mirror.item.delete()
                    counts["withdrawn"] += 1
            else:
                at = di.parse_datetime(e.get("at")) or timezone.now()
                cid = e.get("credential")
                held = Mirror.objects.filter(peer=peer, remote_urn=urn, revoked_at__isnull=True)
                if isinstance(cid, str) and 0 < len(cid) <= 300:
                    n = held.update(revoked_at=at, credential_id=cid)
                else:
                    n = held.update(revoked_at=at)
                counts["revoked"] += n
        Peer.objects.filter(pk=peer.pk).update(
            cursor=page["cursor"], last_sync=timezone.now(), last_error=""
        )
    peer.cursor = page["cursor"]


def sync(
    ref: str, *, limit: int = PAGE_LIMIT, from_start: bool = False, max_pages: int = 100_000
) -> dict[str, Any]:
    """Pull the peer's feed from its cursor (or from the start) to its end; what changed."""
    peer = find_peer(ref)
    if from_start:
        peer.cursor = 0
        Peer.objects.filter(pk=peer.pk).update(cursor=0)
    counts = {"created": 0, "updated": 0, "same": 0, "withdrawn": 0, "revoked": 0}
    pages = 0
    try:
        with httpx.Client(timeout=TIMEOUT, trust_env=False, follow_redirects=False) as client:
            while pages < max_pages:
                before = peer.cursor
                doc = fetch_page(peer, before, limit, client)
                apply_page(peer, doc, counts)
                pages += 1
                if doc.get("next") is None or peer.cursor == before:
                    break
    except PuhuiError as e:
        Peer.objects.filter(pk=peer.pk).update(last_error=e.message[:500])
        raise
    fetched = fetch_certificates(peer)
    return {
        "peer": peer.name,
        "pages": pages,
        "cursor": peer.cursor,
        **counts,
        "certificates_fetched": fetched,
    }


def fetch_certificates(peer: Peer, limit: int = MAX_CERTIFICATE_FETCHES) -> int:
    """Fetch the few-KB ``certificate.json`` of the peer's mirrored certificates the store
    lacks (at most ``limit`` a sync), so their item pages can verify them; how many came.
    Best effort: one that cannot be fetched now is fetched on its first download."""
    wanted = (
        ItemFile.objects.filter(
            item__mirror__peer=peer, item__kind="certificate", path="certificate.json"
        )
        .values_list("sha256", flat=True)
        .distinct()
    )
    n = 0
    for sha in wanted.iterator():
        if n >= limit:
            break
        if not storage.has(sha) and fetch_file(sha):
            n += 1
    return n


# ---------------------------------------------------------------- files on demand


class _Bounded:
    """A readable stream over a response's bytes that stops past ``limit`` bytes."""

    def __init__(self, chunks: Iterator[bytes], limit: int) -> None:
        self._chunks = chunks
        self._left = limit + 1
        self._buf = b""

    def read(self, n: int = -1) -> bytes:
        while len(self._buf) < max(n, 1) and self._left > 0:
            chunk = next(self._chunks, b"")
            if not chunk:
                break
            chunk = chunk[: self._left]
            self._left -= len(chunk)
            self._buf += chunk
        out, self._buf = (self._buf, b"") if n < 0 else (self._buf[:n], self._buf[n:])
        return out


def fetch_file(sha256: str) -> bool:
    """Fetch a mirrored file the store lacks from its origin hub; True once the store holds it
    (its sha256 and size checked first: a peer cannot slip other bytes in)."""
    for src in MirrorFile.objects.filter(sha256=sha256).order_by("id")[:3]:
        want_sha, want_size = src.sha256, src.size

        def accept(sha: str, size: int, want: tuple[str, int] = (want_sha, want_size)) -> bool:
            return (sha, size) == want

        try:
            with (
                httpx.Client(timeout=TIMEOUT, trust_env=False) as client,
                client.stream("GET", src.url) as resp,
            ):
                if resp.status_code != 200:
                    continue
                staged = storage.stage(
                    _Bounded(resp.iter_bytes(), src.size),  # type: ignore[arg-type]
                    accept,
                )
        except (httpx.HTTPError, storage.Refused, OSError):
            continue
        storage.keep(staged)
        return True
    return False


def connect() -> None:
    """Let the catalog's download ask for a mirrored file it does not hold yet."""
    if fetch_file not in storage.FETCHERS:
        storage.FETCHERS.append(fetch_file)
