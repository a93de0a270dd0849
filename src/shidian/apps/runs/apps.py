from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RunsConfig(AppConfig):
    name = "shidian.apps.runs"
    label = "runs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from shidian.apps.core.audit import register_actions
        from shidian.apps.runs import policies  # noqa: F401  (registers the access policies)

        register_actions(
            {
                "runs.start": _("启动后台任务"),
                "runs.cancel": _("取消后台任务"),
                "runs.retry": _("重试后台任务"),
            }
        )
        # Every app's long work registers itself in <app>/runkinds.py (see registry.py).
        autodiscover_modules("runkinds")
