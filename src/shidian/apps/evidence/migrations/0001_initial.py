"""Takes over campaigns' Evidence table (renamed by campaigns 0005_move_evidence): state only."""

import django.db.models.deletion
import shidian.apps.evidence.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("campaigns", "0005_move_evidence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Evidence",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("item_code", models.CharField(max_length=64, verbose_name="评分要点")),
                        ("file", models.FileField(upload_to=shidian.apps.evidence.models.evidence_path, verbose_name="文件")),
                        ("original_name", models.CharField(max_length=255, verbose_name="文件名")),
                        ("kind", models.CharField(max_length=16, verbose_name="类型")),
                        ("size", models.PositiveIntegerField(verbose_name="大小")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("uploaded_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("sheet", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="evidence", to="campaigns.sheet")),
                    ],
                    options={
                        "verbose_name": "佐证材料",
                        "verbose_name_plural": "佐证材料",
                        "ordering": ["item_code", "created_at"],
                    },
                ),
            ],
        ),
    ]
