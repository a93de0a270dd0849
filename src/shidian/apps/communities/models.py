"""Communities (共同体) and who belongs to them.

A ``Community`` is run by an owner unit (the bureau whose office formed it), may belong to a
programme, and has one lead school and member schools (``CommunityMember``; the lead is a member
with ``is_lead``). Membership is dated: leaving sets ``left_on`` and keeps the row, so an
activity held last year still shows who was a member then. ``CommunityContact`` names the
contact people of each member school. A community formed by the formation tool points at the
version it came from.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet


class CommunityType(models.TextChoices):
    MERGED = "merged", _("融合型")
    CO_BUILT = "co_built", _("共建型")
    COLLABORATIVE = "collaborative", _("协作型")


class CommunityQuerySet(ScopedQuerySet):
    def active(self) -> CommunityQuerySet:
        return self.filter(is_active=True)


class Community(models.Model):
    owner_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("主管单位"), on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(
        _("共同体类型"), max_length=16, choices=CommunityType.choices, default=CommunityType.MERGED
    )
    lead_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("牵头校"), on_delete=models.PROTECT, related_name="+"
    )
    # "formations.FormationVersion" id the community was adopted from (no FK: formations builds
    # on communities, not the other way round).
    formation_version_id = models.PositiveBigIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(_("序号"), default=1)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommunityQuerySet.as_manager()
    scope_unit_field = "owner_unit"

    class Meta:
        verbose_name = _("共同体")
        verbose_name_plural = _("共同体")
        ordering = ["owner_unit_id", "number", "pk"]

    def __str__(self) -> str:
        return self.name


class CommunityMember(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="members")
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("成员校"), on_delete=models.PROTECT, related_name="+"
    )
    is_lead = models.BooleanField(_("牵头校"), default=False)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    objects = CommunityQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("共同体成员校")
        verbose_name_plural = _("共同体成员校")
        ordering = ["community_id", "-is_lead", "unit__code"]
        indexes = [models.Index(fields=["unit", "left_on"], name="community_member_unit_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "unit"],
                condition=models.Q(left_on__isnull=True),
                name="community_member_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.community}"


class CommunityContact(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="contacts")
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所在学校"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=60)
    duty = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)

    objects = CommunityQuerySet.as_manager()
    scope_unit_field = "community__owner_unit"

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["community_id", "unit__code", "name"]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    """A file or a link shared in a community's space."""

    class Kind(models.TextChoices):
        FILE = "file", _("文件")
        LINK = "link", _("链接")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("资源标题"), max_length=200)
    kind = models.CharField(_("资源类型"), max_length=8, choices=Kind.choices)
    url = models.URLField(_("链接地址"), blank=True)
    file = models.FileField(_("文件"), upload_to="communities/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey("orgs.OrgUnit", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityQuerySet.as_manager()
    scope_unit_field = "community__owner_unit"

    class Meta:
        verbose_name = _("共同体资源")
        verbose_name_plural = _("共同体资源")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    """A message on a community's board; ``parent`` makes it a reply."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey("orgs.OrgUnit", null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("留言内容"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deleted = models.BooleanField(default=False)

    objects = CommunityQuerySet.as_manager()
    scope_unit_field = "community__owner_unit"

    class Meta:
        verbose_name = _("共同体留言")
        verbose_name_plural = _("共同体留言")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.body[:40]
