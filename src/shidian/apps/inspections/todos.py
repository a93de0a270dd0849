"""Home-page to-dos: a school answers its items; the office verifies the answers."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.access import FILL, MANAGE
from shidian.apps.inspections import states
from shidian.apps.inspections.models import RectificationItem


def _due(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


def inspection_todos(user: Any, now: datetime.datetime) -> list[Any]:
    from shidian.apps.core.todos import FILL_TASK, RETURNED_TASK, REVIEW_TASK, Todo

    todos = []
    mine = RectificationItem.objects.restrict(user, FILL).filter(status__in=states.AWAITING_UNIT)
    for item in mine.order_by("due_on", "pk")[:50]:
        todos.append(
            Todo(
                kind=RETURNED_TASK if item.status == states.REOPENED else FILL_TASK,
                title=item.title,
                action=_("整改并上传佐证"),
                url=reverse("inspections:item", kwargs={"rect_item_id": item.pk}),
                due=_due(item.due_on),
                status=item.get_status_display(),
            )
        )
    waiting = RectificationItem.objects.restrict(user, MANAGE).filter(status=states.ANSWERED)
    count = waiting.count()
    if count:
        todos.append(
            Todo(
                kind=REVIEW_TASK,
                title=_("整改情况待核验（%(n)d 项）") % {"n": count},
                action=_("核验销号或退回重新整改"),
                url=reverse("inspections:items") + "?status=answered",
            )
        )
    return todos
