"""What the mid-term evaluation asks of the office on its home page: rounds whose scores are
in (reviews released, or the office's own) and whose gaps are not yet rectification items."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.core.access import FILL, MANAGE
from shidian.apps.core.todos import Todo, register_todo_provider
from shidian.apps.midterm.models import MidtermRound, Scorer
from shidian.apps.submissions.models import Submission

MANAGE_TASK = "manage"
READ_TASK = "read"
LIMIT = 10
# A school is pointed at its gap report for this long after the scores are released.
FRESH = datetime.timedelta(days=30)


def midterm_todos(user: Any, now: datetime.datetime) -> list[Todo]:
    rounds = (
        MidtermRound.objects.restrict(user, MANAGE)
        .filter(Q(scorer=Scorer.OFFICE) | Q(campaign__reviews_released_at__isnull=False))
        .filter(items__isnull=True)
        .select_related("campaign")
        .only("pk", "name", "campaign__deadline")[:LIMIT]
    )
    return [
        Todo(
            kind=MANAGE_TASK,
            title=r.name,
            action=_("分析差距并转为整改事项"),
            url=reverse("midterm:detail", kwargs={"midterm_id": r.pk}),
        )
        for r in rounds
    ]


def school_todos(user: Any, now: datetime.datetime) -> list[Todo]:
    """The school's gap reports released lately (its own sheets of mid-term rounds)."""
    sheets = (
        Submission.objects.restrict(user, FILL)
        .filter(round__midterm__isnull=False, round__reviews_released_at__gte=now - FRESH)
        .select_related("round")
        .only("pk", "round__name")[:LIMIT]
    )
    return [
        Todo(
            kind=READ_TASK,
            title=s.round.name,
            action=_("查看本校差距报告并准备整改"),
            url=reverse("midterm:school", kwargs={"sheet_id": s.pk}),
        )
        for s in sheets
    ]


def register() -> None:
    register_todo_provider(school_todos)
    register_todo_provider(midterm_todos)
