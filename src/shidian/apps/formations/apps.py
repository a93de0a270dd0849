"""Formations (共同体组建): propose communities with the grouping engine, edit, version, adopt."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormationsConfig(AppConfig):
    name = "shidian.apps.formations"
    label = "formations"
    verbose_name = _("共同体组建")

    def ready(self) -> None:
        from shidian.apps.formations import jobs, policies, services  # noqa: F401 (kind)

        policies.register_all()
        services.register()
