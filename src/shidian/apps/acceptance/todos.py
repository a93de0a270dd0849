"""What acceptance asks of people on their home page: a pilot files its report and checklist,
an expert scores the pilots of an open round, the leading group confirms a scored round."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.acceptance.kinds import KIND
from shidian.apps.acceptance.models import AcceptanceRound, Status
from shidian.apps.core.access import APPROVE, FILL, REVIEW
from shidian.apps.core.todos import APPROVE_TASK, FILL_TASK, RETURNED_TASK, REVIEW_TASK, Todo
from shidian.apps.reviews.models import Review
from shidian.apps.submissions.models import Submission

LIMIT = 20
PENDING = ("draft", "returned", "not_opened")


def pilot_todos(user: Any, now: datetime.datetime) -> list[Todo]:
    subs = (
        Submission.objects.restrict(user, FILL)
        .filter(round__kind=KIND, round__status="open", status__in=PENDING)
        .select_related("round")
        .order_by("round__deadline")[:LIMIT]
    )
    return [
        Todo(
            kind=RETURNED_TASK if s.status == "returned" else FILL_TASK,
            title=s.round.name,
            action=_("提交验收总结报告和档案清单"),
            url=reverse("acceptance:report", kwargs={"report_id": s.pk}),
            due=s.round.deadline,
            status=s.get_status_display(),
            note=s.return_note[:200] if s.status == "returned" else "",
        )
        for s in subs
    ]


def expert_todos(user: Any, now: datetime.datetime) -> list[Todo]:
    if getattr(user, "role", "") != "expert":
        return []
    mine = Review.objects.filter(submission=OuterRef("pk"), reviewer=user, draft=False)
    subs = (
        Submission.objects.restrict(user, REVIEW)
        .filter(round__kind=KIND, round__acceptance__status=Status.OPEN)
        .exclude(Exists(mine))
        .select_related("round", "unit")
        .order_by("round__deadline", "unit__code")[:LIMIT]
    )
    return [
        Todo(
            kind=REVIEW_TASK,
            title=f"{s.round.name} · {s.unit.name}",
            action=_("验收评分"),
            url=reverse("acceptance:score", kwargs={"report_id": s.pk}),
        )
        for s in subs
    ]


def approve_todos(user: Any, now: datetime.datetime) -> list[Todo]:
    if getattr(user, "role", "") == "expert":
        return []
    rounds = (
        AcceptanceRound.objects.restrict(user, APPROVE)
        .filter(status=Status.OPEN, round__deadline__lte=now)
        .order_by("round__deadline")[:LIMIT]
    )
    return [
        Todo(
            kind=APPROVE_TASK,
            title=r.name,
            action=_("确认验收结论"),
            url=reverse("acceptance:confirm", kwargs={"acceptance_id": r.pk}),
        )
        for r in rounds
    ]


def register() -> None:
    from shidian.apps.core.todos import register_todo_provider

    register_todo_provider(pilot_todos)
    register_todo_provider(expert_todos)
    register_todo_provider(approve_todos)
