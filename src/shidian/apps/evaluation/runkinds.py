"""The evaluation app's Run kinds (discovered by apps/runs at start-up): the annual report."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shidian.apps.evaluation.annual import jobs
from shidian.apps.runs.registry import run_kind


def _link(run):
    programme_id = run.params.get("programme_id")
    if not programme_id:
        return None
    return reverse("evaluation:annual", kwargs={"programme_id": programme_id}), _(
        "查看年度自评报告"
    )


def _result(run) -> str:
    year = (run.result or {}).get("year")
    return str(
        _("%(year)s年度自评报告的数据已汇总；文档和 PDF 见“已生成的报告”。") % {"year": year}
    )


run_kind(
    jobs.ANNUAL,
    label=_("生成年度自评报告"),
    describe_error=jobs.describe_error,
    describe_result=_result,
    result_link=_link,
)(jobs.make_report)
