"""Home-page to-dos: pending plans for who may approve them, returned ones for the office."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.core.access import APPROVE, MANAGE
from shidian.apps.rollout.models import PlanStatus, RolloutPlan

LIMIT = 50


def rollout_todos(user: Any, now: datetime.datetime) -> list[Any]:
    from shidian.apps.core.todos import APPROVE_TASK, RETURNED_TASK, Todo

    may_approve = RolloutPlan.objects.restrict(user, APPROVE)
    todos = [
        Todo(
            kind=APPROVE_TASK,
            title=p.name,
            action=_("审批推广计划"),
            url=reverse("rollout:detail", kwargs={"rollout_id": p.pk}),
            status=p.get_status_display(),
        )
        for p in may_approve.filter(status=PlanStatus.PENDING)[:LIMIT]
    ]
    returned = (
        RolloutPlan.objects.restrict(user, MANAGE)
        .filter(status=PlanStatus.RETURNED)
        .exclude(pk__in=may_approve.values("pk"))[:LIMIT]
    )
    todos += [
        Todo(
            kind=RETURNED_TASK,
            title=p.name,
            action=_("按领导小组意见修改推广计划后重新提交"),
            url=reverse("rollout:detail", kwargs={"rollout_id": p.pk}),
            status=p.get_status_display(),
        )
        for p in returned
    ]
    return todos
