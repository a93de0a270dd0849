"""Notifications about anything: kind, body and a (target_type, target_id) pair replace the
foreign key to a campaign; existing rows keep their campaign as their target."""

from django.db import migrations, models


def campaign_to_target(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.update(target_type="campaigns.campaign", target_id=models.F("campaign_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField("notification", "kind", models.CharField(blank=True, max_length=32, verbose_name="类型")),
        migrations.AddField("notification", "body", models.TextField(blank=True, verbose_name="正文")),
        migrations.AddField("notification", "target_type", models.CharField(blank=True, max_length=64)),
        migrations.AddField("notification", "target_id", models.PositiveBigIntegerField(blank=True, null=True)),
        migrations.RunPython(campaign_to_target, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField("notification", "campaign"),
        migrations.AlterModelOptions(
            name="notification",
            options={"ordering": ["-created_at"], "verbose_name": "通知", "verbose_name_plural": "通知"},
        ),
        migrations.AddIndex("notification", models.Index(fields=["user", "read"], name="notification_user_read_idx")),
        migrations.AddIndex("notification", models.Index(fields=["target_type", "target_id"], name="notification_target_idx")),
    ]
