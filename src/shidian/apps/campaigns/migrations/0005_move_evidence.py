"""Evidence moves to the evidence app: the table is renamed, no row is touched.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_move_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable("evidence", "evidence_evidence")],
            state_operations=[migrations.DeleteModel("evidence")],
        ),
    ]
