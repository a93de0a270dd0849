"""Evidence belongs to a submission (the column is renamed; rows unchanged)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("evidence", "sheet", "submission"),
    ]
