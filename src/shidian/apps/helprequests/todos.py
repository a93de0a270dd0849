"""Home to-dos: the expert answers, the lead (or office) routes, the school confirms."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.core.access import FILL, MANAGE, REVIEW
from shidian.apps.core.todos import FILL_TASK, Todo
from shidian.apps.helprequests.models import HelpRequest, Status


def _due(d):
    if d is None:
        return None
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(d, datetime.time(23, 59)))


def help_todos(user: Any, now: datetime.datetime) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    todos = []
    qs = HelpRequest.objects.select_related("community")

    def url(r):
        return reverse("helprequests:detail", kwargs={"help_request_id": r.pk})

    for r in qs.restrict(user, REVIEW).filter(status=Status.ROUTED, expert_id=user.pk)[:20]:
        todos.append(
            # A plain task: the home page keeps REVIEW_TASK for campaign reviews (their own card)
            # and APPROVE_TASK for those who may approve, which a lead school may not.
            Todo(
                FILL_TASK,
                r.title,
                _("答复援助申请"),
                url(r),
                _due(r.due_on),
                r.get_status_display(),
            )
        )
    if getattr(user, "role", "") != "expert":
        managed = qs.restrict(user, MANAGE).filter(status=Status.OPEN)
        for r in managed[:20]:
            todos.append(
                Todo(
                    FILL_TASK,
                    f"{r.community.name} · {r.title}",
                    _("分派援助申请给专家"),
                    url(r),
                    status=r.get_status_display(),
                )
            )
        mine = qs.restrict(user, FILL).filter(status=Status.ANSWERED, unit_id=user.unit_id)
        for r in mine[:20]:
            todos.append(
                Todo(
                    FILL_TASK,
                    r.title,
                    _("确认专家答复是否解决问题"),
                    url(r),
                    status=r.get_status_display(),
                )
            )
    return todos
