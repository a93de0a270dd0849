"""What plans ask of people on their home page: a school files or revises its plan, the
office approves the plans waiting for it."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.core.access import FILL, MANAGE
from shidian.apps.core.todos import APPROVE_TASK, FILL_TASK, RETURNED_TASK, Todo
from shidian.apps.plans.kind import KIND
from shidian.apps.plans.models import PlanFiling
from shidian.apps.submissions.models import RoundStatus
from shidian.apps.submissions.states import EDITABLE, WAITING, Status


def plan_todos(user: Any, now: datetime.datetime) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    todos = []
    base = PlanFiling.objects.filter(
        submission__round__kind=KIND, submission__round__status=RoundStatus.OPEN
    ).select_related("submission__round", "plan__unit")
    for filing in base.filter(
        submission__status__in=EDITABLE,
        submission__in=_restricted(user, FILL),
    )[:20]:
        sub = filing.submission
        returned = sub.status == Status.RETURNED
        todos.append(
            Todo(
                kind=RETURNED_TASK if returned else FILL_TASK,
                title=sub.round.name,
                action=_("按退回意见修改创建方案") if returned else _("填写并提交创建方案"),
                url=reverse("plans:plan", kwargs={"plan_id": filing.plan_id}),
                due=sub.round.deadline,
                status=sub.get_status_display(),
                note=sub.return_note[:200] if returned else "",
            )
        )
    for filing in base.filter(
        submission__status__in=WAITING, submission__in=_restricted(user, MANAGE)
    )[:20]:
        sub = filing.submission
        todos.append(
            Todo(
                kind=APPROVE_TASK,
                title=f"{sub.round.name} · {filing.plan.unit.name}",
                action=_("审核创建方案"),
                url=reverse("plans:plan", kwargs={"plan_id": filing.plan_id}),
                status=sub.get_status_display(),
            )
        )
    return todos


def _restricted(user: Any, action: str):
    from shidian.apps.submissions.models import Submission

    return Submission.objects.restrict(user, action).values("pk")
