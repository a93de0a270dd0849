"""Periodic reports (周调度、月总结、季点评): forms, calendar, periods, filing, completeness."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "shidian.apps.reports"
    label = "reports"
    verbose_name = _("调度报表")

    def ready(self) -> None:
        from shidian.apps.core.audit import register_actions
        from shidian.apps.core.todos import register_todo_provider
        from shidian.apps.reports import (
            kind,  # noqa: F401  (registers the periodic_report kind)
            policies,
        )
        from shidian.apps.reports.todos import report_todos

        policies.register_all()
        register_todo_provider(report_todos)
        register_actions(
            {
                "reports.period_open": _("开启报送期"),
                "reports.remind": _("发送报表催报"),
                "reports.report_save": _("保存调度报表"),
                "reports.report_submit": _("提交调度报表"),
                "reports.report_return": _("退回调度报表"),
                "reports.report_accept": _("通过调度报表"),
            }
        )
