"""Creation plans (创建方案) and their task breakdown (任务分解表)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "shidian.apps.plans"
    label = "plans"
    verbose_name = _("创建方案")

    def ready(self) -> None:
        from shidian.apps.plans import policies

        policies.register_all()
