"""The catalog's data: organizations and roles, versioned items with files and lineage, tokens.

An item is one published version of an artifact: a corpus, model, suite, run, assessment or
certificate, named as everywhere else in Puhui (a corpus is a ``corpus``; only the DCAT catalog
calls every item a ``dcat:Dataset``, that vocabulary's word). It has a stable URN
``urn:puhui:{kind}:{org}/{name}@{version}``; its files are stored once by sha256 (see
:mod:`puhui.hub.catalog.storage`). Lineage rows point from an item to what it was made from,
resolved to another item when that one is in the catalog, kept as a reference otherwise.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KINDS: tuple[tuple[str, Any], ...] = (
    ("corpus", _("corpus")),
    ("model", _("model")),
    ("suite", _("suite")),
    ("run", _("run")),
    ("assessment", _("assessment")),
    ("certificate", _("certificate")),
    ("course", _("course")),
    ("labels", _("labelled set")),
)
VISIBILITIES: tuple[tuple[str, Any], ...] = (
    ("public", _("public")),
    ("organization", _("organization")),
    ("private", _("private")),
)
ROLES: tuple[tuple[str, Any], ...] = (
    ("admin", _("admin")),
    ("member", _("member")),
    ("viewer", _("viewer")),
    ("rater", _("rater")),  # rates the tasks they are invited to, nothing else
)
SCOPES: tuple[tuple[str, Any], ...] = (
    ("read", _("read")),
    ("publish", _("publish")),
)
RELATIONS: tuple[tuple[str, Any], ...] = (
    ("derived_from", _("derived from")),
    ("evaluates_model", _("evaluates model")),
    ("uses_suite", _("uses suite")),
    ("uses_evidence", _("uses evidence")),
    ("certifies", _("certifies")),
)
#: Old names of kinds a search still accepts (``?kind=dataset``: items published before 0009).
KIND_ALIASES: dict[str, str] = {"dataset": "corpus"}
#: Facets offered on the search page, in order; ``kind`` is a column, the rest are tags.
FACETS: tuple[str, ...] = ("kind", "language", "sector", "country", "risk_area")


class Organization(models.Model):
    slug = models.SlugField(_("short name"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, blank=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.slug


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=ROLES, default="member")

    class Meta:
        constraints = (models.UniqueConstraint(fields=["user", "org"], name="one_role_per_org"),)


class Item(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=KINDS)
    name = models.CharField(_("name"), max_length=100)
    version = models.CharField(_("version"), max_length=32)
    urn = models.CharField("URN", max_length=300, unique=True)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="items")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="items"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=VISIBILITIES, default="public"
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    risk_areas = models.JSONField(_("risk areas"), default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    manifest_id = models.CharField(max_length=100, blank=True)
    content_sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField(default=0)
    search_text = models.TextField(blank=True)
    # the hidden full-text terms of the item's facet values (search.facet_terms_of)
    facet_terms = models.TextField(blank=True, default="")
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["org", "kind", "name", "version"], name="one_item_per_version"
            ),
        )
        indexes = (
            models.Index(fields=["org", "kind", "name"], name="item_series"),
            models.Index(fields=["visibility", "kind"], name="item_visibility_kind"),
        )
        ordering = ("-created", "-id")

    def __str__(self) -> str:
        return self.urn

    @staticmethod
    def make_urn(kind: str, org: str, name: str, version: str) -> str:
        return f"urn:puhui:{kind}:{org}/{name}@{version}"


class ItemFile(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(_("path"), max_length=500)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField(_("size"))
    media_type = models.CharField(max_length=100)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["item", "path"], name="one_file_per_path"),)
        ordering = ("path",)


class Lineage(models.Model):
    """``from_item`` was made from (or certifies, or evaluates) the target."""

    from_item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="lineage_out")
    to_item = models.ForeignKey(
        Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="lineage_in"
    )
    relation = models.CharField(_("relation"), max_length=32, choices=RELATIONS)
    target_kind = models.CharField(max_length=16, blank=True)
    target_name = models.CharField(max_length=200, blank=True)
    target_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    target_label = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = (models.Index(fields=["target_kind", "target_name"], name="lineage_target"),)


class ApiToken(models.Model):
    """A bearer token: only a digest is stored; it can narrow, never widen, its owner's rights."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=16, choices=SCOPES, default="read")
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SignInFailure(models.Model):
    """One wrong password (see :mod:`puhui.hub.catalog.throttle`); kept for 15 minutes."""

    account = models.CharField(max_length=64, db_index=True)  # sha256 of the name as typed
    address = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(db_index=True)


class TrustedIssuer(models.Model):
    """A signing key (``did:key``) an admin of ``org`` registered as the organization's own.

    Certificates it signs are trusted on this hub (see :mod:`puhui.hub.catalog.verifying`); a
    key belongs to one organization at most.
    """

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="issuers")
    did = models.CharField("DID", max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("org__slug", "added", "id")

    def __str__(self) -> str:
        return self.did


class StatusList(models.Model):
    """The newest signed BitstringStatusListCredential a trusted issuer's list was sent as."""

    issuer = models.ForeignKey(TrustedIssuer, on_delete=models.CASCADE, related_name="lists")
    list_id = models.CharField(max_length=300)
    document = models.JSONField()
    valid_from = models.DateTimeField()
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["issuer", "list_id"], name="one_row_per_status_list"),
        )
