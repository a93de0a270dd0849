"""Campaign, Sheet and SheetRevision become proxies of submissions' Round, Submission and
Revision, which took over their tables (submissions 0001): state only, no row touched.

The programme/phase fields campaigns 0003_campaign_programme added are Round's from here on
(submissions 0001 states them on Round; the columns stay where 0003 created them).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0006_move_reviews"),
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
