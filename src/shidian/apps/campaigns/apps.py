from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "shidian.apps.campaigns"
    label = "campaigns"
    verbose_name = _("自查赋分")

    def ready(self) -> None:
        from shidian.apps.campaigns import (
            events,
            sheets,  # noqa: F401  (registers the self-assessment kind)
        )
        from shidian.apps.campaigns.todos import campaign_todos, schools_behind
        from shidian.apps.core.audit import register_actions
        from shidian.apps.core.home_sections import register_home_section
        from shidian.apps.core.todos import register_todo_provider

        events.register()
        register_todo_provider(campaign_todos)
        register_home_section("campaigns/_home_behind.html", schools_behind, order=20)

        register_actions(
            {
                "campaigns.create": _("创建自查赋分活动"),
                "campaigns.remind": _("发送催报提醒"),
                "campaigns.sheet_save": _("保存自查表"),
                "campaigns.sheet_upload": _("上传自查表"),
                "campaigns.sheet_submit": _("提交自查表"),
                "campaigns.sheet_return": _("退回自查表"),
                "campaigns.sheet_accept": _("审核通过自查表"),
                "campaigns.review_save": _("保存专家评审"),
                "campaigns.reviews_release": _("公布评审结果"),
            }
        )
