from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "shidian.apps.standards"
    label = "standards"
    verbose_name = _("指标体系")

    def ready(self) -> None:
        from shidian.apps.core.audit import register_actions

        register_actions(
            {
                "standards.import": _("导入指标体系"),
                "standards.publish": _("发布指标体系"),
            }
        )
