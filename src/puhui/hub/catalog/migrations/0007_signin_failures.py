"""Failed sign-ins, counted to throttle password guessing (see ``catalog/throttle.py``)."""
# ruff: noqa: RUF012

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_drop_itemtag"),
    ]

    operations = [
        migrations.CreateModel(
            name="SignInFailure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("account", models.CharField(db_index=True, max_length=64)),
                ("address", models.CharField(db_index=True, max_length=45)),
                ("at", models.DateTimeField(db_index=True)),
            ],
        ),
    ]
