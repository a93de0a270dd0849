"""Takes over campaigns' Campaign, Sheet and SheetRevision tables as Round, Submission and
Revision: state only. The tables and columns keep their names (``db_table``/``db_column``), so
not one row or index is touched; campaigns 0007_campaign_is_a_round turns campaigns' models
into proxies of these."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STATUS = [
    ("not_opened", "未填报"),
    ("draft", "草稿"),
    ("submitted", "已提交"),
    ("returned", "已退回"),
    ("resubmitted", "已重新提交"),
    ("accepted", "已通过"),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("campaigns", "0006_move_reviews"),
        ("orgs", "0001_initial"),
        ("programmes", "0001_initial"),
        ("standards", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Round",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200, verbose_name="名称")),
                        ("opens_on", models.DateField(verbose_name="开始日期")),
                        ("deadline", models.DateTimeField(verbose_name="截止时间")),
                        ("accept_late", models.BooleanField(default=False, verbose_name="接受逾期提交")),
                        ("status", models.CharField(choices=[("open", "进行中"), ("closed", "已结束")], default="open", max_length=16, verbose_name="状态")),
                        ("invite_school_types", models.JSONField(blank=True, default=list, verbose_name="学校类型")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("reminded_at", models.DateTimeField(blank=True, null=True, verbose_name="上次催报")),
                        ("reviews_released_at", models.DateTimeField(blank=True, null=True, verbose_name="评审结果公布时间")),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("invite_root", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="orgs.orgunit", verbose_name="参评范围")),
                        ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="orgs.orgunit", verbose_name="组织单位")),
                        # Added to campaigns' table by campaigns 0003_campaign_programme.
                        ("programme", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="rounds", to="programmes.programme", verbose_name="试点项目")),
                        ("phase", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="rounds", to="programmes.phase", verbose_name="项目阶段")),
                        ("version", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="campaigns", to="standards.standardversion", verbose_name="指标体系版本")),
                    ],
                    options={"db_table": "campaigns_campaign", "ordering": ["-created_at"], "verbose_name": "填报活动", "verbose_name_plural": "填报活动"},
                ),
                migrations.CreateModel(
                    name="RoundReviewer",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("round", models.ForeignKey(db_column="campaign_id", on_delete=django.db.models.deletion.CASCADE, to="submissions.round")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"db_table": "campaigns_campaign_reviewers"},
                ),
                migrations.AddField(
                    model_name="round",
                    name="reviewers",
                    field=models.ManyToManyField(blank=True, related_name="+", through="submissions.RoundReviewer", to=settings.AUTH_USER_MODEL, verbose_name="评审专家"),
                ),
                migrations.AddConstraint(
                    model_name="roundreviewer",
                    constraint=models.UniqueConstraint(fields=("round", "user"), name="round_reviewer_unique"),
                ),
                migrations.CreateModel(
                    name="Submission",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("status", models.CharField(choices=STATUS, default="not_opened", max_length=16, verbose_name="状态")),
                        ("version", models.PositiveIntegerField(default=0, verbose_name="版本号")),
                        ("answers", models.JSONField(default=dict, verbose_name="填报内容")),
                        ("scores", models.JSONField(default=dict, verbose_name="要点得分")),
                        ("dimension_scores", models.JSONField(default=dict, verbose_name="一级指标得分")),
                        ("total", models.FloatField(default=0, verbose_name="自评总分")),
                        ("vetoed", models.BooleanField(default=False, verbose_name="一票否决")),
                        ("answered", models.PositiveIntegerField(default=0, verbose_name="已填要点")),
                        ("comments", models.JSONField(blank=True, default=dict, verbose_name="退回意见")),
                        ("return_note", models.TextField(blank=True, verbose_name="退回说明")),
                        ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="提交时间")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        ("round", models.ForeignKey(db_column="campaign_id", on_delete=django.db.models.deletion.CASCADE, related_name="sheets", to="submissions.round", verbose_name="填报活动")),
                        ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="orgs.orgunit", verbose_name="单位")),
                        ("updated_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"db_table": "campaigns_sheet", "verbose_name": "填报", "verbose_name_plural": "填报"},
                ),
                migrations.AddIndex(
                    model_name="submission",
                    index=models.Index(fields=["round", "status"], name="sheet_campaign_status_idx"),
                ),
                migrations.AddIndex(
                    model_name="submission",
                    index=models.Index(fields=["round", "-total"], name="sheet_campaign_total_idx"),
                ),
                migrations.AddConstraint(
                    model_name="submission",
                    constraint=models.UniqueConstraint(fields=("round", "unit"), name="sheet_campaign_unit_unique"),
                ),
                migrations.CreateModel(
                    name="Revision",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("number", models.PositiveIntegerField(verbose_name="版本号")),
                        ("kind", models.CharField(choices=[("save", "保存"), ("upload", "上传表格"), ("submit", "提交"), ("return", "退回"), ("accept", "通过")], max_length=16, verbose_name="操作")),
                        ("status", models.CharField(choices=STATUS, max_length=16, verbose_name="状态")),
                        ("answers", models.JSONField(verbose_name="填报内容")),
                        ("total", models.FloatField(verbose_name="自评总分")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("submission", models.ForeignKey(db_column="sheet_id", on_delete=django.db.models.deletion.CASCADE, related_name="revisions", to="submissions.submission")),
                    ],
                    options={"db_table": "campaigns_sheetrevision", "ordering": ["submission", "-number"], "verbose_name": "填报版本", "verbose_name_plural": "填报版本"},
                ),
                migrations.AddConstraint(
                    model_name="revision",
                    constraint=models.UniqueConstraint(fields=("submission", "number"), name="sheet_revision_unique"),
                ),
            ],
        ),
    ]
