from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "shidian.apps.programmes"
    label = "programmes"
    verbose_name = _("试点项目")

    def ready(self) -> None:
        from shidian.apps.core.audit import register_actions
        from shidian.apps.core.home_sections import register_home_section
        from shidian.apps.programmes import policies
        from shidian.apps.programmes.selectors import programme_cards

        policies.register_all()
        register_home_section("programmes/_home_cards.html", programme_cards, order=10)
        register_actions(
            {
                "programmes.create": _("创建试点项目"),
                "programmes.update": _("修改试点项目"),
                "programmes.sync": _("更新参与范围"),
                "programmes.move": _("变更参与状态"),
                "programmes.move_bulk": _("批量变更参与状态"),
            }
        )
