"""Mid-term evaluation (初评、查漏补缺): scored rounds and their gaps."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MidtermConfig(AppConfig):
    name = "shidian.apps.midterm"
    label = "midterm"
    verbose_name = _("中期初评")

    def ready(self) -> None:
        from shidian.apps.midterm import policies, services, todos

        policies.register_all()
        services.register()
        todos.register()
