"""What the mid-term evaluation asks of the office on its home page: rounds whose scores are
in (reviews released, or the office's own) and whose gaps are not yet rectification items."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE
from shidian.apps.core.todos import Todo, register_todo_provider
from shidian.apps.midterm.models import MidtermRound, Scorer

MANAGE_TASK = "manage"
LIMIT = 10


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


def register() -> None:
    register_todo_provider(midterm_todos)
