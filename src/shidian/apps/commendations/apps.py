"""Commendations (通报表彰): nominations, the leading group's approval, the notice."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommendationsConfig(AppConfig):
    name = "shidian.apps.commendations"
    label = "commendations"
    verbose_name = _("通报表彰")

    def ready(self) -> None:
        from shidian.apps.commendations import policies, services, todos
        from shidian.apps.core.todos import register_todo_provider

        policies.register_all()
        services.register()
        register_todo_provider(todos.commendation_todos)
