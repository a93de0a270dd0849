from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "shidian.apps.submissions"
    label = "submissions"
    verbose_name = _("填报")

    def ready(self) -> None:
        from shidian.apps.submissions import policies  # noqa: F401  (registers the policies)
