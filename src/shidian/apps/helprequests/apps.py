from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelprequestsConfig(AppConfig):
    name = "shidian.apps.helprequests"
    label = "helprequests"
    verbose_name = _("援助申请")
