"""Activities (共同体活动): each semester's plan, activities, attendance and summary."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "shidian.apps.activities"
    label = "activities"
    verbose_name = _("共同体活动")

    def ready(self) -> None:
        from shidian.apps.activities import policies
        from shidian.apps.activities.kinds import CommunityPlanForm, CommunitySummaryForm
        from shidian.apps.activities.todos import filing_todos
        from shidian.apps.communities.panels import register_panel
        from shidian.apps.core.audit import register_actions
        from shidian.apps.core.todos import register_todo_provider
        from shidian.apps.submissions.kinds import register_kind

        policies.register_all()
        register_panel("activities/_community_panel.html")
        register_kind(CommunityPlanForm())
        register_kind(CommunitySummaryForm())
        register_todo_provider(filing_todos)
        register_actions(
            {
                "activities.filings_open": _("发起共同体方案与小结报送"),
                "activities.plan_filing_save": _("保存学期初实施方案"),
                "activities.plan_filing_submit": _("提交学期初实施方案"),
                "activities.plan_filing_return": _("退回学期初实施方案"),
                "activities.plan_filing_accept": _("通过学期初实施方案"),
                "activities.summary_filing_save": _("保存学期末阶段小结"),
                "activities.summary_filing_submit": _("提交学期末阶段小结"),
                "activities.summary_filing_return": _("退回学期末阶段小结"),
                "activities.summary_filing_accept": _("通过学期末阶段小结"),
            }
        )
