"""The organisation tree: province > city > county > zone > school, stored as materialised paths."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet
from shidian.apps.orgs import paths


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（区）")
    ZONE = "zone", _("片区")
    SCHOOL = "school", _("学校")


class SchoolType(models.TextChoices):
    SENIOR_HIGH = "senior_high", _("高中")
    VOCATIONAL = "vocational", _("中职")
    COMPLETE_SECONDARY = "complete_secondary", _("完全中学")
    JUNIOR_HIGH = "junior_high", _("初中")
    NINE_YEAR = "nine_year", _("九年制")
    PRIMARY = "primary", _("小学")
    TEACHING_POINT = "teaching_point", _("教学点")
    KINDERGARTEN = "kindergarten", _("幼儿园")
    SPECIAL = "special", _("特殊教育")
    OTHER = "other", _("其他")


class Locality(models.TextChoices):
    URBAN = "urban", _("城区")
    TOWN = "town", _("镇区")
    RURAL = "rural", _("乡村")


class OrgUnitQuerySet(ScopedQuerySet):
    def subtree(self, unit: OrgUnit, *, include_self: bool = True) -> OrgUnitQuerySet:
        """All units under ``unit`` in one indexed range query on the path."""
        qs = self.filter(path__gte=unit.path, path__lt=paths.subtree_upper_bound(unit.path))
        return qs if include_self else qs.exclude(pk=unit.pk)

    def schools(self) -> OrgUnitQuerySet:
        return self.filter(level=Level.SCHOOL)


class OrgUnit(models.Model):
    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), editable=False)
    school_type = models.CharField(
        _("学校类型"), max_length=32, choices=SchoolType.choices, blank=True
    )
    locality = models.CharField(_("城乡"), max_length=16, choices=Locality.choices, blank=True)
    zone = models.ForeignKey(
        "self",
        verbose_name=_("片区"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="zone_schools",
        limit_choices_to={"level": Level.ZONE},
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    students = models.PositiveIntegerField(_("学生数"), null=True, blank=True)
    teachers = models.PositiveIntegerField(_("教师数"), null=True, blank=True)
    classes = models.PositiveIntegerField(_("班级数"), null=True, blank=True)
    classrooms = models.PositiveIntegerField(_("教室数"), null=True, blank=True)
    has_fibre = models.BooleanField(_("光纤接入"), null=True, blank=True)
    multimedia_classrooms = models.PositiveIntegerField(_("多媒体教室数"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgUnitQuerySet.as_manager()
    scope_unit_field = ""  # this model *is* the unit

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["path"]
        indexes = [
            # Covers "counts by school type under X": a range on path, school_type read from
            # the index without touching the table.
            models.Index(fields=["path", "school_type"], name="orgunit_path_type_idx"),
            models.Index(fields=["level", "school_type"], name="orgunit_level_type_idx"),
            # "All schools under X" and "counts by school type under X" read this index only:
            # level equality, a range on path, then school_type and id (id as a key column:
            # SQLite has no INCLUDE, and PostgreSQL then needs no heap visit for the ids).
            models.Index(
                fields=["level", "path", "school_type", "id"],
                name="orgunit_level_path_type_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def subtree_upper_bound(self) -> str:
        return paths.subtree_upper_bound(self.path)

    def ancestors(self) -> OrgUnitQuerySet:
        """Proper ancestors, root first, in one query."""
        return OrgUnit.objects.filter(path__in=paths.ancestor_paths(self.path)).order_by("path")

    def is_within(self, other: OrgUnit) -> bool:
        return self.path.startswith(other.path)


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    APPLIED = "applied", _("已导入")


class ImportBatchQuerySet(ScopedQuerySet):
    pass


class ImportBatch(models.Model):
    """An uploaded units file between its dry run and its confirmation.

    The parsed rows are kept as JSON (never the raw file), with the file's SHA-256 and the digest
    of the plan the user saw: confirming re-validates against the database and refuses when the
    plan changed in between.
    """

    # The uploader's unit: colleagues in the same scope may review it. Null only for a
    # superuser without a unit (then only superusers see it).
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filename = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    columns = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    plan = models.JSONField(default=list)
    plan_digest = models.CharField(max_length=64, blank=True)
    notes = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
