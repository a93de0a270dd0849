"""Monthly league tables, 督办 status and the bulletin (按月通报、末位督办)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "shidian.apps.supervision"
    label = "supervision"
    verbose_name = _("通报督办")

    def ready(self) -> None:
        from shidian.apps.core.todos import register_todo_provider
        from shidian.apps.supervision import policies, services, todos

        policies.register_all()
        services.register()
        register_todo_provider(todos.supervision_todos)
