"""Acceptance rounds (验收): a batch's pilots report, experts score, the leading group confirms."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcceptanceConfig(AppConfig):
    name = "shidian.apps.acceptance"
    label = "acceptance"
    verbose_name = _("验收")

    def ready(self) -> None:
        from shidian.apps.acceptance import kinds, policies, services, todos
        from shidian.apps.submissions.kinds import register_kind

        policies.register_all()
        register_kind(kinds.AcceptanceReportForm())
        services.register()
        todos.register()
