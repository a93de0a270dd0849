from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelprequestsConfig(AppConfig):
    name = "shidian.apps.helprequests"
    label = "helprequests"
    verbose_name = _("援助申请")

    def ready(self) -> None:
        from shidian.apps.core.todos import register_todo_provider
        from shidian.apps.helprequests import policies, services
        from shidian.apps.helprequests.todos import help_todos

        policies.register_all()
        services.register()
        register_todo_provider(help_todos)
        from shidian.apps.communities.panels import register_panel

        register_panel("helprequests/_community_panel.html")
