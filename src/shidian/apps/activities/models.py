"""Community life each semester: semesters, activities, attendance and files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet


class Semester(models.Model):
    owner_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("主管单位")
    )
    name = models.CharField(_("学期名称"), max_length=60)
    starts_on = models.DateField(_("学期开始"))
    ends_on = models.DateField(_("学期结束"))
    plan_round = models.ForeignKey(
        "submissions.Round", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary_round = models.ForeignKey(
        "submissions.Round", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["owner_unit", "name"], name="uniq_semester_name")
        ]

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    SEMINAR = "seminar", _("研讨")
    OBSERVE = "observe", _("观摩")
    SAME_TOPIC = "same_topic", _("同课异构")
    LECTURE = "lecture", _("专家讲座")
    SHOWCASE = "showcase", _("成果展示")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("已取消")


class Activity(models.Model):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="activities"
    )
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="activities")
    theme = models.CharField(_("活动主题"), max_length=120)
    kind = models.CharField(_("活动形式"), max_length=20, choices=ActivityKind.choices)
    planned_on = models.DateField(_("活动日期"))
    host_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("承办学校")
    )
    status = models.CharField(
        max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    plan = models.TextField(_("活动方案"), blank=True)
    plan_filed_at = models.DateTimeField(null=True, blank=True)
    next_theme = models.CharField(_("下次活动主题建议"), max_length=120, blank=True)
    next_on = models.DateField(_("下次活动日期建议"), null=True, blank=True)
    next_host = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The API's ETag: every change of the row moves it (saves naming fields name it too).
    # The database fills it too, so rows written by code that predates the column (an app
    # server of the previous release during a rolling upgrade) still insert.
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on", "pk"]

    def __str__(self) -> str:
        return self.theme


class Attendance(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendees = models.PositiveIntegerField(_("参加人数"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "unit"], name="uniq_attendance_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.attendees}"


class FileKind(models.TextChoices):
    MATERIAL = "material", _("活动材料")
    PHOTO = "photo", _("活动照片")


class ActivityFile(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=10, choices=FileKind.choices)
    file = models.FileField(upload_to="activities/%Y/%m/")
    name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name


class FilingKind(models.TextChoices):
    PLAN = "plan", _("学期初实施方案")
    SUMMARY = "summary", _("学期末阶段小结")


class CommunityFiling(models.Model):
    """A community's semester plan or stage summary: one submission of the kind
    ``community_plan`` / ``community_summary``, filed by the lead school (the submission's
    unit) and reviewed by the office that runs the round. The row ties the submission to the
    community, so its members reach an accepted one through the community's policy."""

    semester = models.ForeignKey(Semester, on_delete=models.CASCADE, related_name="filings")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="semester_filings"
    )
    kind = models.CharField(max_length=10, choices=FilingKind.choices)
    submission = models.OneToOneField(
        "submissions.Submission", on_delete=models.CASCADE, related_name="community_filing"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["semester_id", "community_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["semester", "community", "kind"], name="uniq_community_filing"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id} · {self.semester_id} · {self.kind}"

    @property
    def updated_at(self):
        """The filing changes with its submission (the API's ETag)."""
        return self.submission.updated_at
