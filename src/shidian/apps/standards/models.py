"""Standards (指标体系): a standard owned by an office unit, and its numbered versions.

A version keeps the whole tree as the engine's plain data (``shidian.engine.scoring``), so what
campaigns pin, what the workbook carries and what the engine scores are the same object. A
published version is frozen: services refuse to change it and editing starts a new version.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet
from shidian.engine.scoring import MAX_LENGTHS, standard_from_dict
from shidian.engine.scoring import Standard as EngineStandard


class StandardQuerySet(ScopedQuerySet):
    pass


class Standard(models.Model):
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    # The engine checks every file against the same limits before anything is stored.
    code = models.CharField(_("代码"), max_length=MAX_LENGTHS["code"])
    name = models.CharField(_("名称"), max_length=MAX_LENGTHS["name"])
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StandardQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("指标体系")
        verbose_name_plural = _("指标体系")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="standard_unit_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def latest(self) -> StandardVersion | None:
        return self.versions.order_by("-number").first()


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class StandardVersionQuerySet(ScopedQuerySet):
    def published(self) -> StandardVersionQuerySet:
        return self.filter(status=VersionStatus.PUBLISHED)


class StandardVersion(models.Model):
    standard = models.ForeignKey(
        Standard, verbose_name=_("指标体系"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本"))
    status = models.CharField(
        _("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    data = models.JSONField(_("内容"))
    item_count = models.PositiveIntegerField(_("评分要点数"), default=0)
    max_total = models.FloatField(_("满分"), default=0)
    note = models.CharField(_("修订说明"), max_length=MAX_LENGTHS["note"], blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # Moves with every change (the API's ETag): services that save with update_fields name it.
    # The database fills it too, so rows written by code that predates the column (an app
    # server of the previous release during a rolling upgrade) still insert.
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    objects = StandardVersionQuerySet.as_manager()
    scope_unit_field = "standard__unit"

    class Meta:
        verbose_name = _("指标体系版本")
        verbose_name_plural = _("指标体系版本")
        ordering = ["standard", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="standard_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.standard.name} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    def as_standard(self) -> EngineStandard:
        """The engine's frozen model of this version (cached: published data never changes)."""
        if self.is_published and self.pk and self.published_at:
            # Keyed by publication time too, so a reused id (tests) never hits a stale entry;
            # the cache loads the data itself, so callers may defer the big ``data`` column.
            return _cached_standard(self.pk, self.published_at.timestamp())
        return _build(self.data)


def _build(data: dict) -> EngineStandard:
    standard, _problems, _rows = standard_from_dict(data)
    assert standard is not None
    return standard


@lru_cache(maxsize=64)
def _cached_standard(version_id: int, published: float) -> EngineStandard:
    version = StandardVersion.objects.only("data").get(pk=version_id)  # scoping: ok cache by id
    return _build(version.data)
