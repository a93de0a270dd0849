"""Review moves to the reviews app: the table is renamed, no row is touched.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_move_evidence"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable("review", "reviews_review")],
            state_operations=[migrations.DeleteModel("review")],
        ),
    ]
