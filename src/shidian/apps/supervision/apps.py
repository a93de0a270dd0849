"""Monthly league tables, 督办 status and the bulletin (按月通报、末位督办)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "shidian.apps.supervision"
    label = "supervision"
    verbose_name = _("通报督办")

    def ready(self) -> None:
        from shidian.apps.supervision import policies

        policies.register_all()
