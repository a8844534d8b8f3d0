"""Rating tasks held by the hub, who rates them in which languages, invitations, labels.

A :class:`Task` is a ``task.json`` made by ``puhui rate new`` (a
:class:`puhui.rating.types.RatingTask`), uploaded by an organization and kept as uploaded. A
:class:`Rater` row assigns a person to a task with the languages they rate; people become raters
through an :class:`Invite` link (only the sha256 of its token is stored; it is used once). A
:class:`Label` is one rater's current answer to one question about one item: a later answer to
the same question replaces it. Every form a rater sends carries a one-time client key, kept as a
:class:`Submission`, so a resubmitted form or a replayed offline queue never adds a label twice.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from puhui.hub.catalog.models import Organization


class Task(models.Model):
    task_id = models.CharField(max_length=40, unique=True)  # the task's own id, t-…
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="rating_tasks")
    title = models.CharField(max_length=300, blank=True)
    document = models.JSONField()  # task.json as uploaded (checked, bounded)
    digest = models.CharField(max_length=64)  # sha256 of the canonical document
    items = models.IntegerField(default=0)
    languages = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created", "-id")

    def __str__(self) -> str:
        return self.task_id


class Rater(models.Model):
    """``user`` rates ``task``'s items in ``languages`` (BCP-47 tags)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="raters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rating_assignments"
    )
    languages = models.JSONField(default=list)
    joined = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["task", "user"], name="one_rater_row"),)


class Invite(models.Model):
    """A single-use join link for ``task`` in ``languages``, valid until ``expires``."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="invites")
    digest = models.CharField(max_length=64, unique=True)  # sha256 of the link's token
    languages = models.JSONField(default=list)
    expires = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    used = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Label(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="labels")
    item = models.CharField(max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rating_labels"
    )
    question = models.CharField(max_length=16)
    value = models.TextField()
    at = models.DateTimeField(default=timezone.now)
    key = models.CharField(max_length=64)  # the client key of the submission that set it

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["task", "item", "user", "question"], name="one_label_per_question"
            ),
        )
        indexes = (models.Index(fields=["task", "item"], name="rating_label_item"),)


class Submission(models.Model):
    """A form sent by a rater, by its one-time client key: sent again, it changes nothing."""

    key = models.CharField(max_length=64, unique=True)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="submissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
