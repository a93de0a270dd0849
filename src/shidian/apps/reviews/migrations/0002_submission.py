"""A review belongs to a submission: the column is renamed (rows unchanged) and the one-review-
per-reviewer constraint is made again on it (SQLite rebuilds the table for the rename)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint("review", "review_unique"),
        migrations.RenameField("review", "sheet", "submission"),
        migrations.AddConstraint(
            "review",
            models.UniqueConstraint(fields=("submission", "reviewer"), name="review_unique"),
        ),
    ]
