"""Notification moves to the notifications app: the table is renamed, no row is touched.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_campaign_programme"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("notification", "notifications_notification"),
            ],
            state_operations=[migrations.DeleteModel("notification")],
        ),
    ]
