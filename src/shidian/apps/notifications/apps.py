from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "shidian.apps.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from shidian.apps.notifications import policies  # noqa: F401  (registers the policy)
