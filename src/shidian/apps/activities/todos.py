"""What semester filings ask of people on their home page: the lead school files (or fixes) its
plan or summary, the office reviews the ones waiting for it."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.activities.models import CommunityFiling, FilingKind
from shidian.apps.core.access import FILL, MANAGE
from shidian.apps.core.todos import APPROVE_TASK, FILL_TASK, RETURNED_TASK, Todo
from shidian.apps.submissions.models import RoundStatus, Submission
from shidian.apps.submissions.states import EDITABLE, WAITING, Status


def filing_todos(user: Any, now: datetime.datetime) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    base = CommunityFiling.objects.filter(  # scoping: ok narrowed by the submission's access
        submission__round__status=RoundStatus.OPEN
    ).select_related("submission__round", "community")
    todos = []
    mine = Submission.objects.restrict(user, FILL).values("pk")
    for f in base.filter(submission__status__in=EDITABLE, submission__in=mine)[:20]:
        sub = f.submission
        returned = sub.status == Status.RETURNED
        if returned:
            action = _("按退回意见修改后重新提交")
        elif f.kind == FilingKind.PLAN:
            action = _("填写并提交学期初实施方案")
        else:
            action = _("填写并提交学期末阶段小结")
        todos.append(
            Todo(
                kind=RETURNED_TASK if returned else FILL_TASK,
                title=f"{f.community.name} · {sub.round.name}",
                action=action,
                url=reverse("activities:filing", kwargs={"filing_id": f.pk}),
                due=sub.round.deadline,
                status=sub.get_status_display(),
                note=sub.return_note[:200] if returned else "",
            )
        )
    decided = Submission.objects.restrict(user, MANAGE).values("pk")
    for f in base.filter(submission__status__in=WAITING, submission__in=decided)[:20]:
        sub = f.submission
        todos.append(
            Todo(
                kind=APPROVE_TASK,
                title=f"{f.community.name} · {sub.round.name}",
                action=_("审核共同体方案与小结"),
                url=reverse("activities:filing", kwargs={"filing_id": f.pk}),
                status=sub.get_status_display(),
            )
        )
    return todos
