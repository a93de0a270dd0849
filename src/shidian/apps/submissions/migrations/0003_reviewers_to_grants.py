"""A round's named reviewers become expert grants on the round (core.Grant), and the
many-to-many table goes. Each reviewer row gives one active grant, granted by whoever created
the round."""

from django.db import migrations


def reviewers_to_grants(apps, schema_editor):
    RoundReviewer = apps.get_model("submissions", "RoundReviewer")
    Grant = apps.get_model("core", "Grant")
    rows = RoundReviewer.objects.select_related("round")
    Grant.objects.bulk_create(
        [
            Grant(
                user_id=row.user_id,
                role="expert",
                target_type="submissions.round",
                target_id=row.round_id,
                owner_unit_id=row.round.unit_id,
                granted_by_id=row.round.created_by_id,
                note="评审专家",
            )
            for row in rows
            if not Grant.objects.filter(
                user_id=row.user_id,
                role="expert",
                target_type="submissions.round",
                target_id=row.round_id,
                revoked_at__isnull=True,
            ).exists()
        ]
    )


def grants_to_reviewers(apps, schema_editor):
    RoundReviewer = apps.get_model("submissions", "RoundReviewer")
    Grant = apps.get_model("core", "Grant")
    for grant in Grant.objects.filter(
        role="expert", target_type="submissions.round", unit__isnull=True, revoked_at__isnull=True
    ):
        RoundReviewer.objects.get_or_create(round_id=grant.target_id, user_id=grant.user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0002_round_kind"),
        ("core", "0002_grant"),
    ]

    operations = [
        migrations.RunPython(reviewers_to_grants, grants_to_reviewers),
        migrations.RemoveField(model_name="round", name="reviewers"),
        migrations.DeleteModel(name="RoundReviewer"),
    ]
