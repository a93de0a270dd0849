from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "shidian.apps.campaigns"
    label = "campaigns"
    verbose_name = _("自查赋分")
