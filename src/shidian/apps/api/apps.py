"""The REST API (/api/v1/, django-ninja) and the personal access tokens that open it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "shidian.apps.api"
    label = "api"
    verbose_name = _("开放接口")

    def ready(self) -> None:
        from shidian.apps.api import policies
        from shidian.apps.core.audit import register_actions

        policies.register_all()
        register_actions(
            {
                "api.token_create": _("创建访问令牌"),
                "api.token_revoke": _("吊销访问令牌"),
            }
        )
