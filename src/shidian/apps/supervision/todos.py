"""Home to-dos: a unit under 督办 (notice, warning or red) sees it on its home page."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.core.access import FILL
from shidian.apps.core.todos import FILL_TASK, Todo
from shidian.apps.supervision.models import CaseLevel, SupervisionCase

OPEN = (CaseLevel.NOTICE, CaseLevel.WARNING, CaseLevel.RED)


def supervision_todos(user: Any, now: datetime.datetime) -> list[Todo]:
    """Open cases of the user's own unit (FILL: the unit's own account acts on them)."""
    if not getattr(user, "is_authenticated", False) or user.unit_id is None:
        return []
    cases = (
        SupervisionCase.objects.restrict(user, FILL)
        .filter(unit_id=user.unit_id, level__in=OPEN)
        .select_related("programme")
    )
    return [
        Todo(
            kind=FILL_TASK,
            title=_("%(p)s督办事项") % {"p": c.programme.name},
            action=_("查看督办并整改"),
            url=reverse("supervision:mine"),
            status=str(CaseLevel(c.level).label),
            note=c.reason,
        )
        for c in cases
    ]
