"""Freezing an approved filing as the plan's next version (its baseline).

Runs from the kind's ``on_accepted`` hook, in the acceptance's transaction. The weighting the
office chose travels in a context variable set by :func:`plans.services.plan_approve` (the
submission mechanism's accept takes no kind-specific arguments).
"""

from __future__ import annotations

import contextvars
import datetime as dt

from django.db import transaction
from django.utils import timezone

from shidian.apps.core.services import person_or_none
from shidian.apps.plans.kind import GOALS, TASKS
from shidian.apps.plans.models import PlanFiling, PlanTask, PlanVersion, Weighting

chosen_weighting: contextvars.ContextVar[str] = contextvars.ContextVar(
    "plans_weighting", default=Weighting.WEIGHT
)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@transaction.atomic
def version_freeze(*, submission, user) -> PlanVersion | None:
    """Write PlanVersion n+1 and its tasks from the accepted answers. A task of the previous
    version missing from the new answers is kept as cancelled, so the history shows it."""
    filing = (
        PlanFiling.objects.select_related("plan")
        .filter(submission=submission)  # scoping: ok the hook is given the submission
        .first()
    )
    if filing is None:
        return None
    plan = filing.plan
    previous = plan.versions.order_by("-number").first()
    now = timezone.now()
    version = PlanVersion.objects.create(
        plan=plan,
        number=(previous.number if previous else 0) + 1,
        submission=submission,
        approved_at=now,
        effective_on=timezone.localdate(now),
        approved_by=person_or_none(user),
        weighting=chosen_weighting.get(),
        goals=list(submission.answers.get(GOALS, [])),
    )
    rows = []
    seen = set()
    for task in submission.answers.get(TASKS, []):
        seen.add(task["code"])
        rows.append(
            PlanTask(
                version=version,
                code=task["code"],
                title=task["title"],
                owner=task.get("owner", ""),
                starts_on=_day(task["starts_on"]),
                due_on=_day(task["due_on"]),
                deliverable=task.get("deliverable", ""),
                indicator_code=task.get("indicator", ""),
                weight=float(task.get("weight") or 1),
                cancelled=bool(task.get("cancelled")),
            )
        )
    if previous is not None:
        for old in previous.tasks.exclude(code__in=seen):
            old.pk, old.version, old.cancelled = None, version, True
            rows.append(old)
    PlanTask.objects.bulk_create(rows)
    return version
