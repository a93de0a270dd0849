from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

STEP_MODULES = (
    "recommend",
    "shortlist",
    "review",
    "reconcile",
    "batches",
    "controls",
    "design",
    "approval",
)


class SelectionConfig(AppConfig):
    name = "shidian.apps.selection"
    label = "selection"
    verbose_name = _("试点遴选")

    def ready(self) -> None:
        from shidian.apps.core.audit import register_actions
        from shidian.apps.selection import events, policies

        policies.register_all()
        events.register()
        for step in STEP_MODULES:
            import_module(f"shidian.apps.selection.services.{step}").register()
        register_actions(
            {
                "selection.create": _("创建遴选"),
                "selection.update": _("修改遴选"),
            }
        )
