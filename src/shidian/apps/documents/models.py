"""Document templates with versions, generated documents and document-number counters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet


class Kind(models.TextChoices):
    NOTICE = "notice", _("通知")
    BULLETIN = "bulletin", _("通报")
    COMMENDATION = "commendation", _("通报表彰")
    BOOKLET = "booklet", _("汇编")


class Status(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class PdfStatus(models.TextChoices):
    NONE = "none", _("未生成")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("转换中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class DocumentTemplate(models.Model):
    """A template of one document type owned by an issuing unit; its versions are kept."""

    scope_unit_field = "unit"

    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("发文单位"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("文种"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    current = models.ForeignKey(
        "TemplateVersion",
        verbose_name=_("当前版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公文模板")
        verbose_name_plural = _("公文模板")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "name"], name="documents_tpl_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"


def _version_path(instance: TemplateVersion, filename: str) -> str:
    return f"documents/templates/{instance.template_id}/v{instance.number}.docx"


class TemplateVersion(models.Model):
    scope_unit_field = "template__unit"

    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    file = models.FileField(_("文件"), upload_to=_version_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    fields = models.JSONField(_("占位符"), default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("模板版本")
        verbose_name_plural = _("模板版本")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="documents_tplver_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class NumberCounter(models.Model):
    """The last document number used per issuing unit, prefix and year (locked when used)."""

    scope_unit_field = "unit"

    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(_("机关代字"), max_length=20)
    year = models.PositiveIntegerField(_("年份"))
    last = models.PositiveIntegerField(_("已用到"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "prefix", "year"], name="documents_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last}"


def _doc_path(instance: Document, filename: str) -> str:
    return f"documents/{instance.unit_id}/{instance.pk}/{filename}"


class Document(models.Model):
    """A generated document: its inputs, template version and author, so it can be remade."""

    scope_unit_field = "unit"

    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("发文单位"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("文种"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=300)
    number = models.CharField(_("发文字号"), max_length=60, blank=True)
    template_version = models.ForeignKey(
        TemplateVersion,
        verbose_name=_("模板版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inputs = models.JSONField(_("输入数据"))
    assets = models.JSONField(_("附带图片"), default=list)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    regenerated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("错误"), blank=True)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    cancel_requested = models.BooleanField(default=False)
    docx = models.FileField(upload_to=_doc_path, max_length=300, blank=True)
    docx_sha256 = models.CharField(max_length=64, blank=True)
    pdf = models.FileField(upload_to=_doc_path, max_length=300, blank=True)
    pdf_status = models.CharField(
        _("PDF"), max_length=12, choices=PdfStatus.choices, default=PdfStatus.NONE
    )
    pdf_error = models.TextField(_("PDF 错误"), blank=True)
    pdf_attempts = models.PositiveSmallIntegerField(default=0)
    # What the document is about (all optional): a programme, one of its batches, a unit.
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    cycle = models.ForeignKey(
        "programmes.Cycle",
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("涉及单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公文")
        verbose_name_plural = _("公文")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_busy(self) -> bool:
        return self.status in {Status.QUEUED, Status.RUNNING} or self.pdf_status in {
            PdfStatus.QUEUED,
            PdfStatus.RUNNING,
        }
