"""Indicators across units and balance between schools (覆盖率、校际均衡)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "shidian.apps.indicators"
    label = "indicators"
    verbose_name = _("指标监测")

    def ready(self) -> None:
        from shidian.apps.core.audit import register_actions
        from shidian.apps.core.home_sections import register_home_section
        from shidian.apps.indicators import policies
        from shidian.apps.indicators.home import indicators_card

        policies.register_all()
        register_home_section("indicators/_home_card.html", indicators_card, order=60)
        register_actions({"indicators.create": _("创建监测指标")})
