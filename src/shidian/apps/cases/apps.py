"""Typical cases (典型案例): case calls, expert opinions, the published library and its search."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "shidian.apps.cases"
    label = "cases"
    verbose_name = _("典型案例")

    def ready(self) -> None:
        from shidian.apps.cases import home, kinds, policies, services
        from shidian.apps.core.home_sections import register_home_section
        from shidian.apps.submissions.kinds import register_kind

        policies.register_all()
        register_kind(kinds.TypicalCaseForm())
        services.register()
        register_home_section("cases/_home_card.html", home.home_card, order=70)
