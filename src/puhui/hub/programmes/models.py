"""Programmes as the hub keeps them: programme → cohort → session, people enrolled in cohorts,
attendance marks, and the credentials awarded.

Every programme belongs to an organization; only its members see its people (the pages and the
API check :func:`puhui.hub.catalog.access.acts_in`). A person is kept once per organization,
found by their contact key (:func:`puhui.programmes.types.contact_key`), so a second roster or
an imported bundle never duplicates them. Programmes, cohorts, sessions and people carry a
``uid`` that stays the same on every hub a bundle is imported into (imports match on it).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puhui.hub.catalog.models import Organization

GENDER_CHOICES = (
    ("woman", _("woman")),
    ("man", _("man")),
    ("another", _("another identity")),
    ("unspecified", _("prefer not to say")),
)
AGE_BAND_CHOICES = (
    ("under-18", _("under 18")),
    ("18-24", "18–24"),
    ("25-34", "25–34"),
    ("35-44", "35–44"),
    ("45-54", "45–54"),
    ("55-64", "55–64"),
    ("65+", "65+"),
    ("unspecified", _("prefer not to say")),
)
ROLE_CHOICES = (("participant", _("participant")), ("facilitator", _("facilitator")))


class Programme(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="programmes")
    slug = models.SlugField(max_length=64)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    created = models.DateTimeField(default=timezone.now)
    # the last change to anything its reach counts (people, enrolments, attendance, rules,
    # projects): what a cached reach table is keyed on
    changed = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["org", "slug"], name="one_programme_per_slug"),
        )
        ordering = ("org", "slug")

    def __str__(self) -> str:
        return f"{self.org.slug}/{self.slug}"


class Cohort(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    slug = models.SlugField(max_length=64)
    name = models.CharField(_("name"), max_length=200)
    rule = models.JSONField(default=dict, blank=True)  # puhui.programmes.rules.rule_to_dict
    courses = models.JSONField(default=list, blank=True)  # course series "org/name" (learn)
    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["programme", "slug"], name="one_cohort_per_slug"),
        )
        ordering = ("programme", "slug")

    def __str__(self) -> str:
        return f"{self.programme}/{self.slug}"


class Session(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    slug = models.SlugField(max_length=64)
    name = models.CharField(_("name"), max_length=200)
    date = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)  # or "online"
    uid = models.UUIDField(default=uuid.uuid4, unique=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["cohort", "slug"], name="one_session_per_slug"),
        )
        ordering = ("cohort", "date", "slug")


class Person(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="people")
    key = models.CharField(max_length=330)  # contact_key: mailto:… or tel:+…
    name = models.CharField(_("name"), max_length=300)
    email = models.CharField(_("e-mail"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    role = models.CharField(_("role"), max_length=300, blank=True)
    sector = models.CharField(_("sector"), max_length=300, blank=True)
    gender = models.CharField(
        _("gender"), max_length=16, choices=GENDER_CHOICES, default="unspecified"
    )
    age_band = models.CharField(
        _("age band"), max_length=16, choices=AGE_BAND_CHOICES, default="unspecified"
    )
    consent = models.BooleanField(default=True)
    guardian_consent = models.BooleanField(default=False)
    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["org", "key"], name="one_person_per_key"),)


class Enrolment(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    role = models.CharField(max_length=16, choices=ROLE_CHOICES, default="participant")
    project_accepted = models.BooleanField(default=False)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["cohort", "person"], name="one_enrolment_per_person"),
        )


class Mark(models.Model):
    """Attendance: ``enrolment``'s person was (or was not) at ``session``."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="marks")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="marks")
    present = models.BooleanField(default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["session", "enrolment"], name="one_mark_per_session"),
        )


class Award(models.Model):
    """A completion credential issued to an enrolled person (an Open Badges 3.0 credential)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="awards")
    credential_id = models.CharField(max_length=100, unique=True)
    credential = models.JSONField()
    issued = models.DateTimeField(default=timezone.now)
    revoked = models.BooleanField(default=False)
