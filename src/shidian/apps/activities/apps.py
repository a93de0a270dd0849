"""Activities (共同体活动): each semester's plan, activities, attendance and summary."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "shidian.apps.activities"
    label = "activities"
    verbose_name = _("共同体活动")

    def ready(self) -> None:
        from shidian.apps.activities import policies

        policies.register_all()
        from shidian.apps.communities.panels import register_panel

        register_panel("activities/_community_panel.html")
