"""Takes over campaigns' Review table (renamed by campaigns 0006_move_reviews): state only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("campaigns", "0006_move_reviews"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Review",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("item_scores", models.JSONField(default=dict, verbose_name="核定得分")),
                        ("total", models.FloatField(default=0, verbose_name="核定总分")),
                        ("strengths", models.TextField(blank=True, verbose_name="亮点")),
                        ("weaknesses", models.TextField(blank=True, verbose_name="不足")),
                        ("suggestions", models.TextField(blank=True, verbose_name="建议")),
                        ("veto_answers", models.JSONField(blank=True, default=dict, verbose_name="否决项核定")),
                        ("vetoed", models.BooleanField(default=False, verbose_name="一票否决")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("reviewer", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("sheet", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="reviews", to="campaigns.sheet")),
                    ],
                    options={"verbose_name": "评审", "verbose_name_plural": "评审"},
                ),
                migrations.AddConstraint(
                    model_name="review",
                    constraint=models.UniqueConstraint(fields=("sheet", "reviewer"), name="review_unique"),
                ),
            ],
        ),
    ]
