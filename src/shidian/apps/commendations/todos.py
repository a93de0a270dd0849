"""Home-page to-dos: pending lists for who may approve them, returned ones for the office."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.commendations.models import Commendation, Status
from shidian.apps.core.access import APPROVE, MANAGE

LIMIT = 50


def commendation_todos(user: Any, now: datetime.datetime) -> list[Any]:
    from shidian.apps.core.todos import APPROVE_TASK, RETURNED_TASK, Todo

    may_approve = Commendation.objects.restrict(user, APPROVE)
    todos = [
        Todo(
            kind=APPROVE_TASK,
            title=c.title,
            action=_("审批表彰名单"),
            url=reverse("commendations:detail", kwargs={"commendation_id": c.pk}),
            status=c.get_status_display(),
        )
        for c in may_approve.filter(status=Status.PENDING)[:LIMIT]
    ]
    returned = (
        Commendation.objects.restrict(user, MANAGE)
        .filter(status=Status.RETURNED)
        .exclude(pk__in=may_approve.values("pk"))[:LIMIT]
    )
    todos += [
        Todo(
            kind=RETURNED_TASK,
            title=c.title,
            action=_("按领导小组意见修改表彰名单后重新提交"),
            url=reverse("commendations:detail", kwargs={"commendation_id": c.pk}),
            status=c.get_status_display(),
        )
        for c in returned
    ]
    return todos
