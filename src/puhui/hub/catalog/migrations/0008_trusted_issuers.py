"""Trusted issuers (an organization's signing keys, registered by its admins) and the signed
revocation lists the hub holds for them. New tables only: nothing to convert, safe to reverse."""
# ruff: noqa: RUF012

from __future__ import annotations

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_signin_failures"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TrustedIssuer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("did", models.CharField(max_length=100, unique=True, verbose_name="DID")),
                ("name", models.CharField(blank=True, max_length=200, verbose_name="name")),
                ("added", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "added_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "org",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="issuers",
                        to="catalog.organization",
                    ),
                ),
            ],
            options={"ordering": ("org__slug", "added", "id")},
        ),
        migrations.CreateModel(
            name="StatusList",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("list_id", models.CharField(max_length=300)),
                ("document", models.JSONField()),
                ("valid_from", models.DateTimeField()),
                ("updated", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "issuer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lists",
                        to="catalog.trustedissuer",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("issuer", "list_id"), name="one_row_per_status_list"
                    )
                ],
            },
        ),
    ]
