"""Periodic reports (周调度、月总结、季点评): forms, calendar, periods, filing, completeness."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "shidian.apps.reports"
    label = "reports"
    verbose_name = _("调度报表")

    def ready(self) -> None:
        from shidian.apps.core.audit import register_actions
        from shidian.apps.core.daily import register_daily
        from shidian.apps.core.todos import register_todo_provider
        from shidian.apps.reports import (
            kind,  # noqa: F401  (registers the periodic_report kind)
            lateness,
            policies,
        )
        from shidian.apps.reports.tasks import flag_late_reports, open_due_periods
        from shidian.apps.reports.todos import report_todos

        policies.register_all()
        register_todo_provider(report_todos)
        register_daily(open_due_periods)
        register_daily(flag_late_reports)
        lateness.register()
        register_actions(
            {
                "reports.form_create": _("新建报表"),
                "reports.form_update": _("修改报表"),
                "reports.field_add": _("添加报表字段"),
                "reports.field_update": _("修改报表字段"),
                "reports.field_remove": _("删除报表字段"),
                "reports.field_move": _("调整字段顺序"),
                "reports.rule_add": _("添加校验规则"),
                "reports.rule_remove": _("删除校验规则"),
                "reports.periods": _("生成报送期"),
                "reports.form_publish": _("发布报表"),
                "reports.form_close": _("停用报表"),
                "reports.calendar_create": _("新建校历"),
                "reports.calendar_update": _("修改校历"),
                "reports.period_open": _("开启报送期"),
                "reports.remind": _("发送报表催报"),
                "reports.report_save": _("保存调度报表"),
                "reports.report_submit": _("提交调度报表"),
                "reports.report_return": _("退回调度报表"),
                "reports.report_accept": _("通过调度报表"),
            }
        )
