"""What periodic reports ask of a school on its home page: reports due (or late) and reports
returned for correction. The office has none here: its view is the completeness table."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.core.access import FILL
from shidian.apps.core.todos import FILL_TASK, RETURNED_TASK, Todo
from shidian.apps.reports.kind import KIND
from shidian.apps.submissions.models import RoundStatus, Submission
from shidian.apps.submissions.states import Status

PENDING = (Status.NOT_OPENED, Status.DRAFT, Status.RETURNED)
LIMIT = 30


def report_todos(user: Any, now: datetime.datetime) -> list[Todo]:
    if getattr(user, "role", "") not in ("coordinator", "community_lead"):
        return []
    rows = (
        Submission.objects.restrict(user, FILL)
        .filter(round__kind=KIND, round__status=RoundStatus.OPEN, status__in=PENDING)
        .filter(round__opens_on__lte=now.date())
        .select_related("round")
        .only("pk", "status", "return_note", "round__name", "round__deadline")
        .order_by("round__deadline")[:LIMIT]
    )
    todos = []
    for sub in rows:
        returned = sub.status == Status.RETURNED
        todos.append(
            Todo(
                kind=RETURNED_TASK if returned else FILL_TASK,
                title=sub.round.name,
                action=_("按退回意见修改后重新提交") if returned else _("填写并报送"),
                url=reverse("reports:fill", kwargs={"submission_id": sub.pk}),
                due=sub.round.deadline,
                status=sub.get_status_display(),
                note=sub.return_note[:200] if returned else "",
            )
        )
    return todos
