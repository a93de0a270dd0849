"""Communities (共同体): strong schools lifting weak ones, their members, contacts and space."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "shidian.apps.communities"
    label = "communities"
    verbose_name = _("共同体")

    def ready(self) -> None:
        from shidian.apps.communities import policies, services
        from shidian.apps.communities import space as space_services

        policies.register_all()
        services.register()
        space_services.register()
