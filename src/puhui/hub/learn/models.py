"""A signed-in learner's progress: one row per step (a lesson or a lab) of a course.

A course is named by its series (``org/name``), not a version, so progress carries over when a
teacher publishes a new version. Only what progress needs is kept — no answers, no free text:
whether the lesson was read, the best quiz score in percent and whether it passed; for a lab,
whether it passed. Learners without an account keep the same in their browser session
(:mod:`puhui.hub.learn.progress`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Progress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learn_progress"
    )
    course = models.CharField(max_length=200)  # org/name
    step = models.CharField(max_length=120)  # a lesson id, or "lab:<id>"
    read = models.BooleanField(default=False)
    best_percent = models.IntegerField(null=True, blank=True)
    passed = models.BooleanField(default=False)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["user", "course", "step"], name="one_row_per_step"),
        )
