"""The class tool's Run kinds (discovered by apps/runs at start-up); bodies in jobs.py."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shidian.apps.classgroups import jobs
from shidian.apps.runs.registry import run_kind


def _link(run):
    class_list_id = run.params.get("class_list_id")
    if not class_list_id:
        return None
    return reverse("classgroups:detail", kwargs={"class_list_id": class_list_id}), _("查看分组")


run_kind(jobs.SHEET, label=_("生成座位表 PDF"), result_link=_link)(jobs.make_sheet)
