"""The submission a row belongs to is now submissions.Submission (the same table): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_submission"),
        ("submissions", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="review",
                    name="submission",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="reviews", to="submissions.submission"),
                ),
            ],
        ),
    ]
