"""Campaign, Sheet and SheetRevision become proxies of submissions' Round, Submission and
Revision, which took over their tables (submissions 0001): state only, no row touched.

Renumber at merge: after 0005_move_reviews (and after 0003_campaign_programme: that branch's
programme/phase fields then belong on submissions.Round, see the submissions branch report).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_move_reviews"),
        ("submissions", "0002_round_kind"),
        ("evidence", "0003_submission_model"),
        ("reviews", "0003_submission_model"),
        ("notifications", "0002_generic"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel("SheetRevision"),
                migrations.DeleteModel("Sheet"),
                migrations.DeleteModel("Campaign"),
                migrations.CreateModel(
                    name="Campaign",
                    fields=[],
                    options={"verbose_name": "自查赋分", "verbose_name_plural": "自查赋分", "ordering": ["-created_at"], "proxy": True, "indexes": [], "constraints": []},
                    bases=("submissions.round",),
                ),
                migrations.CreateModel(
                    name="Sheet",
                    fields=[],
                    options={"verbose_name": "自查表", "verbose_name_plural": "自查表", "proxy": True, "indexes": [], "constraints": []},
                    bases=("submissions.submission",),
                ),
                migrations.CreateModel(
                    name="SheetRevision",
                    fields=[],
                    options={"verbose_name": "自查表版本", "verbose_name_plural": "自查表版本", "ordering": ["submission", "-number"], "proxy": True, "indexes": [], "constraints": []},
                    bases=("submissions.revision",),
                ),
            ],
        ),
    ]
