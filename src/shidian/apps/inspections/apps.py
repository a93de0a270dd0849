"""Inspection visits, findings and rectification items (督查指导、整改)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "shidian.apps.inspections"
    label = "inspections"
    verbose_name = _("督查整改")

    def ready(self) -> None:
        from shidian.apps.core.daily import register_daily
        from shidian.apps.core.todos import register_todo_provider
        from shidian.apps.inspections import events, policies, services, tasks, todos

        policies.register_all()
        events.register()
        services.register()
        register_todo_provider(todos.inspection_todos)
        register_daily(tasks.escalate_overdue_items)
