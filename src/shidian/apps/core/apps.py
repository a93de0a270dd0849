from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shidian.apps.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self) -> None:
        from shidian.apps.core import policies  # noqa: F401  (registers the access policies)
        from shidian.apps.core.audit import register_actions

        register_actions({"core.grant": _("授权"), "core.grant_revoke": _("撤销授权")})
