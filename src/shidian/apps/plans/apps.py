"""Creation plans (创建方案) and their task breakdown (任务分解表)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "shidian.apps.plans"
    label = "plans"
    verbose_name = _("创建方案")

    def ready(self) -> None:
        from shidian.apps.core.audit import register_actions
        from shidian.apps.core.todos import register_todo_provider
        from shidian.apps.plans import policies
        from shidian.apps.plans.kind import CreationPlanForm
        from shidian.apps.plans.todos import plan_todos
        from shidian.apps.submissions.kinds import register_kind

        policies.register_all()
        register_kind(CreationPlanForm())
        register_todo_provider(plan_todos)
        register_actions(
            {
                "plans.round_open": _("发起创建方案报送"),
                "plans.revision_start": _("提出方案修订"),
                "plans.plan_save": _("保存创建方案"),
                "plans.plan_upload": _("上传方案附件"),
                "plans.plan_submit": _("提交创建方案"),
                "plans.plan_return": _("退回创建方案"),
                "plans.plan_accept": _("批准创建方案"),
                "plans.task_update": _("填报任务进展"),
                "plans.goal_update": _("填报目标进展"),
            }
        )
