from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassgroupsConfig(AppConfig):
    name = "shidian.apps.classgroups"
    label = "classgroups"
    verbose_name = _("班级分组")

    def ready(self) -> None:
        from shidian.apps.classgroups import policies

        policies.register_all()
