"""Review moves to the reviews app: the table is renamed, no row is touched.

Renumber at merge: after 0004_move_evidence.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_move_evidence"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable("review", "reviews_review")],
            state_operations=[migrations.DeleteModel("review")],
        ),
    ]
