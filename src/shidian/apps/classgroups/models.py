"""Class lists a teacher groups (班级分组): the pupils, their scores and the pairs kept apart.

Pupil data belongs to the school's unit only (see policies.py): a zone or office above the school
never sees it, and deleting a list removes every pupil at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet
from shidian.xlsxcell import column_letter


class ClassList(models.Model):
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    name = models.CharField(_("班级名称"), max_length=100)
    group_size = models.PositiveSmallIntegerField(_("每组人数"), default=6)
    subjects = models.JSONField(default=list)  # score column names; [] when graded by 等级
    seed = models.PositiveIntegerField(default=0)
    # The printable seating sheet (PDF), made by the run kind classgroups.sheet; served only
    # through this app's view, so it keeps the list's access rule (not the run's).
    sheet_pdf = models.FileField(upload_to="classgroups/", blank=True)
    # The groups the stored PDF was drawn from (sheet.groups_fingerprint): when they differ from
    # the groups now, the PDF is stale and is not served.
    sheet_groups = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name


class Pupil(models.Model):
    class_list = models.ForeignKey(ClassList, on_delete=models.CASCADE, related_name="pupils")
    row = models.PositiveIntegerField()  # row number in the uploaded file
    name = models.CharField(max_length=50)
    gender = models.CharField(max_length=10, blank=True)
    scores = models.JSONField(default=dict)
    level = models.CharField(max_length=1, blank=True)
    group = models.PositiveSmallIntegerField(default=0)
    seat = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "class_list__unit"

    class Meta:
        ordering = ["group", "seat", "row"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return f"{group_letter(self.group)}{self.seat}"


class ApartPair(models.Model):
    class_list = models.ForeignKey(ClassList, on_delete=models.CASCADE, related_name="apart_pairs")
    first = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "class_list__unit"

    def __str__(self) -> str:
        return f"{self.first_id}-{self.second_id}"


def group_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (the spreadsheet column letters)."""
    return column_letter(index)
