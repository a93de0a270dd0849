"""Takes over campaigns' Notification table (renamed by campaigns 0004_move_notifications):
state only, the rows stay as they are."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("campaigns", "0004_move_notifications"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("message", models.CharField(max_length=300, verbose_name="内容")),
                        ("url", models.CharField(blank=True, max_length=300)),
                        ("read", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("campaign", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="campaigns.campaign")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="notifications", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"ordering": ["-created_at"]},
                ),
            ],
        ),
    ]
