"""Labelled sets (``puhui rate export``) become a kind of item: only the field's choices change."""
# ruff: noqa: RUF012

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0011_rater_role")]

    operations = [
        migrations.AlterField(
            model_name="item",
            name="kind",
            field=models.CharField(
                choices=[
                    ("corpus", "corpus"),
                    ("model", "model"),
                    ("suite", "suite"),
                    ("run", "run"),
                    ("assessment", "assessment"),
                    ("certificate", "certificate"),
                    ("course", "course"),
                    ("labels", "labelled set"),
                ],
                max_length=16,
                verbose_name="kind",
            ),
        ),
    ]
