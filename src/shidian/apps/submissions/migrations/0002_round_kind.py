"""Rounds have a kind (every existing one is a self-assessment); only the self-assessment kind
needs a standard version. Grants given on campaigns or sheets name the rounds and submissions
they now are."""

from django.db import migrations, models
import django.db.models.deletion


def grants_to_rounds(apps, schema_editor):
    Grant = apps.get_model("core", "Grant")
    Grant.objects.filter(target_type="campaigns.campaign").update(target_type="submissions.round")
    Grant.objects.filter(target_type="campaigns.sheet").update(target_type="submissions.submission")


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0001_initial"),
        ("core", "0002_grant"),
    ]

    operations = [
        migrations.AddField(
            model_name="round",
            name="kind",
            field=models.CharField(db_index=True, default="self_assessment", max_length=32, verbose_name="类型"),
        ),
        migrations.AlterField(
            model_name="round",
            name="version",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="campaigns", to="standards.standardversion", verbose_name="指标体系版本"),
        ),
        migrations.RunPython(grants_to_rounds, migrations.RunPython.noop, elidable=True),
    ]
