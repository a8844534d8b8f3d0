"""Publishing: check an uploaded artifact again on the server, store it, index it, link it.

The client sends the artifact's ``manifest.json`` and its files (or one certificate JSON). The
server trusts nothing it is told: it validates the manifest against Puhui's schema, recomputes the
content digest and id, hashes every uploaded file as it stores it and matches it to a manifest
entry by sha256, and refuses unsafe paths, unlisted files and missing files. A run's summary and
an assessment are checked against their schemas. What the hub then says about the item (title,
languages, per-language results…) comes from :mod:`~puhui.hub.catalog.describe`; lineage is
linked here.
"""

from __future__ import annotations

import io
import json
import mimetypes
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

import jsonschema
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from puhui.artifacts import content_digest, manifest_schema
from puhui.certify import limits
from puhui.errors import PuhuiError
from puhui.evals.summary import RunSummary
from puhui.hub.catalog import courses, describe, search, storage
from puhui.hub.catalog.access import (
    Caller,
    can_download,
    can_publish,
    publish_orgs,
    visible_items,
)
from puhui.hub.catalog.models import (
    VISIBILITIES,
    Item,
    ItemFile,
    Lineage,
    Organization,
)
from puhui.hub.catalog.storage import safe_path
from puhui.hub.catalog.verifying import signed_by_trusted_issuer, stored_certificate

#: Artifact kind in a manifest → item kind in the catalog.
KIND_OF_ARTIFACT = {
    "corpus": "corpus",
    "dataset": "corpus",  # an old name of the corpus kind
    "run": "run",
    "assessment": "assessment",
    "model": "model",
    "suite": "suite",
    "course": "course",
    "labels": "labels",
}
_JSON_LIMIT = 32 * 1024 * 1024
#: A certificate published on its own (no manifest) is one JSON file of a few KB.
MAX_CERTIFICATE_BYTES = limits.MAX_CREDENTIAL_BYTES
_MAX_LANGS = 300
_MAX_GROUPS = 40
_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,31}$")
_EXTRA_TYPES = {
    ".jsonl": "application/jsonl",
    ".zst": "application/zstd",
    ".md": "text/markdown",
    ".npy": "application/octet-stream",
    ".parquet": "application/vnd.apache.parquet",
    ".jsonld": "application/ld+json",
}


class PublishError(Exception):
    """A refused upload; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Upload:
    """One uploaded file, already stored by hash."""

    sha256: str
    size: int


def media_type(path: str) -> str:
    for ext, mt in _EXTRA_TYPES.items():
        if path.endswith(ext):
            return mt
    guessed, _enc = mimetypes.guess_type(path, strict=False)
    return guessed or "application/octet-stream"


def _check_assessment(manifest: Mapping[str, Any], staged: list[storage.Staged]) -> None:
    """An assessment's assessment.json (staged, or already held), checked against
    ``assessment-1``; a 400 naming the file and the field otherwise."""
    from puhui.assess.types import Assessment

    sha = next((f["sha256"] for f in manifest["files"] if f["path"] == "assessment.json"), None)
    if sha is None:
        raise PublishError(400, _("an assessment must hold assessment.json"))
    held = next((one.tmp for one in staged if one.sha256 == sha), None)
    try:
        raw = held.read_bytes() if held is not None else storage.read_bytes(sha)
        Assessment.from_json(limits.loads(raw, "assessment.json", max_bytes=_JSON_LIMIT))
    except (OSError, limits.LimitError) as e:
        raise PublishError(400, str(e)) from None
    except PuhuiError as e:
        raise PublishError(400, e.message) from None


def _check_course(manifest: Mapping[str, Any], staged: list[storage.Staged]) -> dict[str, Any]:
    """Validate the uploaded course with the learn engine; what the catalog keeps about it."""
    tmp_of = {one.sha256: one.tmp for one in staged}
    sources = {
        f["path"]: tmp_of.get(f["sha256"]) or storage.blob_path(f["sha256"])
        for f in manifest["files"]
    }
    try:
        course_id = manifest["provenance"].get("parameters", {}).get("id")
        return courses.check_upload(sources, course_id)
    except PuhuiError as e:
        raise PublishError(400, e.message) from None


def _check_manifest(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PublishError(400, _("manifest.json is not valid UTF-8 JSON")) from None
    if not isinstance(data, dict):
        raise PublishError(400, _("manifest.json must be a JSON object"))
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(manifest_schema()).iter_errors(data)
    )
    if error is not None:
        raise PublishError(400, _("manifest.json: {why}").format(why=error.message[:300]))
    digest = content_digest(data["files"])
    if digest != data["content_sha256"] or data["id"] != f"{data['kind']}-{digest[:16]}":
        raise PublishError(400, _("manifest.json: content_sha256 or id does not match its files"))
    return data


def _check_run_summary(manifest: Mapping[str, Any], staged: list[storage.Staged]) -> RunSummary:
    """A run's summary.json (staged, or already held), checked against ``run-summary-1``;
    a 400 naming the file and the field otherwise."""
    sha = next((f["sha256"] for f in manifest["files"] if f["path"] == "summary.json"), None)
    if sha is None:
        raise PublishError(400, _("a run must hold summary.json"))
    held = next((one.tmp for one in staged if one.sha256 == sha), None)
    try:
        raw = held.read_bytes() if held is not None else storage.read_bytes(sha)
        doc = limits.loads(raw, "summary.json", max_bytes=_JSON_LIMIT)
        return RunSummary.from_json(doc, "summary.json")
    except (OSError, limits.LimitError) as e:
        raise PublishError(400, str(e)) from None
    except PuhuiError as e:
        raise PublishError(400, e.message) from None


def _choose_org(caller: Caller, org_slug: str) -> Organization:
    if org_slug:
        org = Organization.objects.filter(slug=org_slug).first()
        if org is None or not can_publish(caller, org):
            raise PublishError(
                403, _("you may not publish into organization {o}").format(o=org_slug)
            )
        return org
    orgs = list(publish_orgs(caller)[:2])
    if not orgs:
        raise PublishError(403, _("this token may not publish into any organization"))
    if len(orgs) > 1:
        raise PublishError(400, _("you belong to several organizations: name one with org"))
    return orgs[0]


def _next_version(org: Organization, kind: str, name: str) -> str:
    numbers = [
        int(v)
        for v in Item.objects.filter(org=org, kind=kind, name=name).values_list(
            "version", flat=True
        )
        if v.isdigit()
    ]
    return str(max(numbers, default=0) + 1)


def _stage(
    files: Iterable[IO[bytes]],
    accept: Callable[[str, int], bool],
    refused: str,
    staged: list[storage.Staged],
) -> dict[str, Upload]:
    """Stage the uploaded files (into ``staged``); refuse the upload at the first one ``accept``
    does not take, with the message ``refused`` (``{n}`` bytes, sha256 ``{s}``)."""
    by_sha: dict[str, Upload] = {}
    for f in files:
        try:
            one = storage.stage(f, accept)
        except storage.Refused as e:
            raise PublishError(400, refused.format(n=e.size, s=e.sha256[:12])) from None
        staged.append(one)
        by_sha[one.sha256] = Upload(one.sha256, one.size)
    return by_sha


def publish(
    caller: Caller,
    *,
    files: Iterable[IO[bytes]],
    manifest_raw: bytes | None,
    org_slug: str = "",
    visibility: str = "public",
    name: str = "",
    version: str = "",
) -> tuple[Item, bool]:
    """Create an item from uploaded files; return it and whether it is new.

    The form, the right to publish into the organization and the manifest are checked before a
    byte is read; each file is hashed into a staging area and refused as soon as it matches no
    manifest entry (or, without a manifest, is more than one certificate-sized file); the files
    reach the store only once the whole upload is accepted, so a refused upload leaves nothing
    behind. Publishing the same content again under the same name returns the existing item, if
    the caller may see it; an item the caller may not see is never named in the answer.
    """
    staged: list[storage.Staged] = []
    try:
        item, created = _publish(
            caller, files, manifest_raw, org_slug, visibility, name, version, staged
        )
    finally:
        for one in staged:
            storage.discard(one)  # what was kept is no longer there to discard
    return item, created


def _publish(
    caller: Caller,
    files: Iterable[IO[bytes]],
    manifest_raw: bytes | None,
    org_slug: str,
    visibility: str,
    name: str,
    version: str,
    staged: list[storage.Staged],
) -> tuple[Item, bool]:
    if visibility not in dict(VISIBILITIES):
        raise PublishError(400, _("visibility must be public, organization or private"))
    if version and not _VERSION_RE.match(version):
        raise PublishError(400, _("version must be up to 32 letters, digits, '.', '_' or '-'"))
    org = _choose_org(caller, org_slug)
    entries: list[dict[str, Any]]
    if manifest_raw is not None:
        manifest = _check_manifest(manifest_raw)
        kind = KIND_OF_ARTIFACT.get(manifest["kind"])
        if kind is None:
            raise PublishError(
                400, _("artifacts of kind {k} cannot be published").format(k=manifest["kind"])
            )
        for f in manifest["files"]:
            if not safe_path(f["path"]):
                raise PublishError(
                    400, _("unsafe file name in the manifest: {p!r}").format(p=f["path"])
                )
        wanted = {f["sha256"]: f["bytes"] for f in manifest["files"]}
        by_sha = _stage(
            files,
            lambda sha, size: wanted.get(sha) == size,
            _(
                "an uploaded file ({n} bytes, sha256 {s}…) matches no file of the manifest: "
                "changed after the manifest was written, or not part of the artifact"
            ),
            staged,
        )
        entries = []
        for f in manifest["files"]:
            rel, sha, size = f["path"], f["sha256"], f["bytes"]
            got = by_sha.get(sha)
            # a file the hub already holds need not be sent again, but only by a caller who may
            # read it: otherwise knowing a private file's hash and size would be enough to
            # publish it into a public item and download it from there
            if got is None and storage.has(sha) and can_download(caller, sha):
                got = Upload(sha, storage.blob_path(sha).stat().st_size)
            if got is None:
                raise PublishError(400, _("file {p} was not uploaded").format(p=rel))
            if got.size != size:
                raise PublishError(400, _("file {p} has the wrong size").format(p=rel))
            entries.append({"path": rel, "sha256": sha, "size": size})
        staged.append(storage.stage(io.BytesIO(manifest_raw)))
        entries.append(
            {"path": "manifest.json", "sha256": staged[-1].sha256, "size": staged[-1].size}
        )
        if kind == "run":  # the summary every page of the run is drawn from: checked first
            _check_run_summary(manifest, staged)
        if kind == "assessment":  # what the item's page, lineage and certificates rest on
            _check_assessment(manifest, staged)
        course_meta: dict[str, Any] = {}
        if kind == "course":  # every course item loads: the learn pages rest on it
            course_meta = _check_course(manifest, staged)
        for one in staged:  # the upload is complete and consistent: into the store
            storage.keep(one)
        content_sha = manifest["content_sha256"]
        manifest_id = manifest["id"]
        by_path = {e["path"]: e["sha256"] for e in entries}
        describer = {
            "corpus": describe.describe_corpus,
            "run": describe.describe_run,
            "assessment": describe.describe_assessment,
            "suite": describe.describe_suite,
            "model": describe.describe_model,
            "labels": describe.describe_labels,
        }.get(kind)
        desc = describer(by_path, manifest) if describer else describe.Described()
        if kind == "course":
            desc = describe.describe_course(course_meta, manifest)
        relation = "uses_evidence" if kind == "assessment" else "derived_from"
        # a model card's inputs are runs of the model: they link to it (evaluates_model) already
        inputs = [] if kind == "model" else manifest["provenance"].get("inputs", [])
        for inp in inputs:
            sha = inp.get("sha256")
            if isinstance(sha, str) and storage.SHA256_RE.match(sha):
                desc.lineage.append(
                    {
                        "relation": relation,
                        "sha256": sha,
                        "kind": str(inp.get("kind") or "")[:16],
                        "label": str(inp.get("id") or inp.get("name") or sha[:16])[:300],
                    }
                )
    else:
        files = list(files)
        if len(files) != 1:
            raise PublishError(400, _("send an artifact's manifest.json, or one certificate file"))
        by_sha = _stage(
            files,
            lambda sha, size: size <= MAX_CERTIFICATE_BYTES,
            _("the file ({n} bytes) is too large for a certificate"),
            staged,
        )
        (only,) = by_sha.values()
        try:  # within the size and depth limits: nothing recursive reads a hostile document
            cred = limits.loads(staged[0].tmp.read_bytes(), _("the certificate"))
        except (OSError, limits.LimitError) as e:
            raise PublishError(400, str(e)) from None
        types = cred.get("type") if isinstance(cred, dict) else None
        if not isinstance(types, list) or "VerifiableCredential" not in types:
            raise PublishError(400, _("the file is not a certificate (a verifiable credential)"))
        storage.keep(staged[0])
        kind = "certificate"
        entries = [{"path": "certificate.json", "sha256": only.sha256, "size": only.size}]
        content_sha = only.sha256
        manifest_id = ""
        desc = describe.describe_certificate(cred)
        if not signed_by_trusted_issuer(cred):
            # anybody can sign a certificate with a key of their own: only a trusted issuer's
            # may say it certifies another organization's assessment
            for ref in desc.lineage:
                if ref["relation"] == "certifies":
                    ref["same_org_only"] = "1"
    base = slugify(name or desc.name_hint or manifest_id or kind)[:100] or kind
    with transaction.atomic():
        # only an item the caller may see is "the same": naming another member's private item
        # (its id, URN, title) to whoever sends the same content would leak it
        same = visible_items(caller).filter(
            org=org, kind=kind, name=base, content_sha256=content_sha
        )
        existing = same.first()
        if existing is not None:
            return existing, False
        ver = version or _next_version(org, kind, base)
        if Item.objects.filter(org=org, kind=kind, name=base, version=ver).exists():
            raise PublishError(409, _("{n}@{v} already exists").format(n=base, v=ver))
        item = Item(
            kind=kind,
            name=base,
            version=ver,
            urn=Item.make_urn(kind, org.slug, base, ver),
            org=org,
            created_by=caller.user,
            title=(desc.title or base)[:300],
            description=desc.description,
            visibility=visibility,
            languages=desc.languages or [],
            sector=desc.sector,
            countries=desc.countries or [],
            risk_areas=desc.risk_areas or [],
            metadata=desc.metadata or {},
            manifest_id=manifest_id,
            content_sha256=content_sha,
            size=sum(e["size"] for e in entries),
        )
        item.search_text = search.text_of(item)
        item.facet_terms = search.facet_terms_of(item)
        item.save()
        ItemFile.objects.bulk_create(
            ItemFile(
                item=item,
                path=e["path"],
                sha256=e["sha256"],
                size=e["size"],
                media_type=media_type(e["path"]),
            )
            for e in entries
        )
        _link(item, desc.lineage)
        search.index(item)
    return item, True


def _link(item: Item, refs: list[dict[str, str]]) -> None:
    """Write the item's lineage, resolving targets already in the catalog, and resolve older
    items' dangling references to this one."""
    seen = set()
    for ref in refs:
        # one edge per target: an artifact named both by the manifest's inputs and by the
        # assessment's evidence list is the same sha256
        if ref.get("sha256"):
            key: tuple[str, ...] = (ref["relation"], ref["sha256"])
        else:
            key = (ref["relation"], ref.get("kind", ""), ref.get("name", ""))
        if key in seen:
            continue
        seen.add(key)
        target = None
        if ref.get("sha256"):
            found = Item.objects.filter(content_sha256=ref["sha256"]).exclude(pk=item.pk)
            if ref.get("same_org_only"):
                found = found.filter(org_id=item.org_id)
            target = found.first()
        elif ref.get("kind") and ref.get("name"):
            named = Item.objects.filter(kind=ref["kind"], name=slugify(ref["name"]))
            target = named.filter(org_id=item.org_id).first() or named.order_by("-created").first()
        Lineage.objects.create(
            from_item=item,
            to_item=target,
            relation=ref["relation"],
            target_kind=ref.get("kind", "")[:16],
            target_name=slugify(ref.get("name", ""))[:200],
            target_sha256=ref.get("sha256", ""),
            target_label=ref.get("label", "")[:300],
        )
    dangling = (
        Lineage.objects.filter(to_item__isnull=True)
        .filter(
            Q(target_sha256=item.content_sha256)
            | Q(target_sha256="", target_kind=item.kind, target_name=item.name)
        )
        .exclude(from_item=item)
    )
    # another organization's certificate certifies this item only if a trusted issuer signed it
    foreign = Q(relation="certifies") & ~Q(from_item__org_id=item.org_id)
    vouched = [
        ln.pk
        for ln in dangling.filter(foreign).select_related("from_item")[:100]
        if signed_by_trusted_issuer(stored_certificate(ln.from_item))
    ]
    dangling.exclude(foreign).update(to_item=item)
    Lineage.objects.filter(pk__in=vouched).update(to_item=item)
