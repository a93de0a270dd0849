"""Periodic reports (周调度、月总结、季点评): forms, calendar, periods, filing, completeness."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "shidian.apps.reports"
    label = "reports"
    verbose_name = _("调度报表")

    def ready(self) -> None:
        from shidian.apps.reports import policies

        policies.register_all()
