from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormationsConfig(AppConfig):
    name = "shidian.apps.formations"
    label = "formations"
    verbose_name = _("共同体组建")
