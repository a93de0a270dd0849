from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "shidian.apps.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from shidian.apps.core.audit import register_actions
        from shidian.apps.notifications import policies  # noqa: F401  (registers the policies)
        from shidian.apps.notifications.categories import register_defaults

        register_defaults()
        register_actions(
            {
                "notifications.preferences": _("修改通知设置"),
                "notifications.webhook_create": _("新建推送地址"),
                "notifications.webhook_update": _("修改推送地址"),
                "notifications.webhook_delete": _("删除推送地址"),
                "notifications.webhook_test": _("发送测试推送"),
                "notifications.webhook_retry": _("重新推送"),
            }
        )
