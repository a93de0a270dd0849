"""Writes of the inspections app: visits and findings (``visits``), rectification items
(``rectification``), the rectification notice (``notice``)."""

from __future__ import annotations


def register() -> None:
    """Audit names; called once from InspectionsConfig.ready()."""
    from django.utils.translation import gettext_lazy as _

    from shidian.apps.core.audit import register_actions

    register_actions(
        {
            "inspections.visit_create": _("安排督查"),
            "inspections.visit_start": _("开始督查"),
            "inspections.visit_complete": _("完成督查"),
            "inspections.visit_cancel": _("取消督查"),
            "inspections.finding_add": _("记录督查发现"),
            "inspections.item_issue": _("下达整改事项"),
            "inspections.item_answer": _("提交整改情况"),
            "inspections.item_close": _("核验销号"),
            "inspections.item_reopen": _("退回重新整改"),
            "inspections.item_escalate": _("整改逾期督办"),
            "inspections.notice": _("生成整改通知书"),
        }
    )
