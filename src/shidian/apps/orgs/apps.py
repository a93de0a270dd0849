from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "shidian.apps.orgs"
    label = "orgs"
    verbose_name = _("组织机构")

    def ready(self) -> None:
        from shidian.apps.core.audit import register_actions
        from shidian.apps.orgs import policies  # noqa: F401  (registers the access policies)

        register_actions(
            {
                "orgs.import": _("导入单位"),
                "orgs.move": _("移动单位"),
                "orgs.create": _("新建单位"),
                "orgs.update": _("修改单位"),
            }
        )
