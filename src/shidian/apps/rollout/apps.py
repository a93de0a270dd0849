"""Roll-out plans (推广计划、辐射带动): the next batch's schools, each led by an accepted pilot."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolloutConfig(AppConfig):
    name = "shidian.apps.rollout"
    label = "rollout"
    verbose_name = _("推广计划")

    def ready(self) -> None:
        from shidian.apps.core.todos import register_todo_provider
        from shidian.apps.rollout import policies, services, todos

        policies.register_all()
        services.register()
        register_todo_provider(todos.rollout_todos)
