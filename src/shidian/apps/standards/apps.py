from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "shidian.apps.standards"
    label = "standards"
    verbose_name = _("指标体系")
