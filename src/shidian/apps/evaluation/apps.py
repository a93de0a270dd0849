"""Impact evaluation (效果评估): pilots against their matched controls, before and after."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "shidian.apps.evaluation"
    label = "evaluation"
    verbose_name = _("效果评估")
