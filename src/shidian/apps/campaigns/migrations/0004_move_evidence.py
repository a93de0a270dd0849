"""Evidence moves to the evidence app: the table is renamed, no row is touched.

Renumber at merge: after 0003_move_notifications.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_move_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable("evidence", "evidence_evidence")],
            state_operations=[migrations.DeleteModel("evidence")],
        ),
    ]
