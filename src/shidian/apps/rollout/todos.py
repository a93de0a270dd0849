"""Home-page to-dos: pending plans for who may approve them, returned ones for the office."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.core.approval import approval_todos
from shidian.apps.rollout.models import PlanStatus, RolloutPlan


def rollout_todos(user: Any, now: datetime.datetime) -> list[Any]:
    return approval_todos(
        user,
        RolloutPlan,
        pending=PlanStatus.PENDING,
        returned=PlanStatus.RETURNED,
        approve=_("审批推广计划"),
        amend=_("按领导小组意见修改推广计划后重新提交"),
        title=lambda p: p.name,
        url=lambda p: reverse("rollout:detail", kwargs={"rollout_id": p.pk}),
    )
