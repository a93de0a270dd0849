"""Notification moves to the notifications app: the table is renamed, no row is touched.

Renumber at merge: this comes after 0003_campaign_programme (the programmes branch).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_review_release_and_veto"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("notification", "notifications_notification"),
            ],
            state_operations=[migrations.DeleteModel("notification")],
        ),
    ]
