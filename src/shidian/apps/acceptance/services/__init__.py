"""Writes of acceptance: open a round (rounds.py), the pilot's report (reports.py), an expert's
scores (scoring.py), the leading group's confirmation (confirm.py)."""

from django.utils.translation import gettext_lazy

from shidian.apps.acceptance.services.assign import (
    assignment_add,
    assignment_pick,
    assignment_propose,
    assignment_remove,
)
from shidian.apps.acceptance.services.confirm import acceptance_confirm
from shidian.apps.acceptance.services.reports import (
    report_attach,
    report_detach,
    report_return,
    report_save,
    report_save_answers,
    report_submit,
    tell_returned,
)
from shidian.apps.acceptance.services.rounds import acceptance_create, batch_pilots
from shidian.apps.acceptance.services.scoring import score_put

__all__ = [
    "acceptance_confirm",
    "acceptance_create",
    "assignment_add",
    "assignment_pick",
    "assignment_propose",
    "assignment_remove",
    "batch_pilots",
    "register",
    "report_attach",
    "report_detach",
    "report_return",
    "report_save",
    "report_save_answers",
    "report_submit",
    "score_put",
    "tell_returned",
]


def register() -> None:
    from shidian.apps.core.audit import register_actions
    from shidian.apps.notifications.categories import register_category

    register_actions(
        {
            "acceptance.create": gettext_lazy("创建验收"),
            "acceptance.score": gettext_lazy("验收评分"),
            "acceptance.score_draft": gettext_lazy("保存验收评分草稿"),
            "acceptance.assign": gettext_lazy("分配验收评分专家"),
            "acceptance.confirm": gettext_lazy("确认验收结论"),
            "acceptance.report_save": gettext_lazy("保存验收总结报告"),
            "acceptance.report_upload": gettext_lazy("上传验收档案"),
            "acceptance.report_submit": gettext_lazy("提交验收总结报告"),
            "acceptance.report_return": gettext_lazy("退回验收总结报告"),
            "acceptance.report_accept": gettext_lazy("通过验收总结报告"),
        }
    )
    register_category("acceptance", gettext_lazy("验收"))
