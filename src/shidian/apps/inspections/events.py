"""The inspections' business event pushed to endpoints: a rectification item overdue.

Sent when the daily escalation raises an item's level (1 the day after its due date, then 2
and 3, see ``ESCALATION_DAYS``): once per item and level. It carries the push of the
``inspections.item_escalated`` notification, which is therefore not pushed separately.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

RECTIFICATION_OVERDUE = "inspections.item_overdue"


def register() -> None:
    from shidian.apps.notifications.services.events import register_event

    register_event(
        RECTIFICATION_OVERDUE,
        gettext_lazy("整改事项逾期"),
        replaces=("inspections.item_escalated",),
    )


def rectification_overdue(item: Any, *, today: datetime.date) -> list[int]:
    from shidian.apps.inspections.services.rectification import item_link
    from shidian.apps.notifications.services.events import event_publish

    return event_publish(
        event=RECTIFICATION_OVERDUE,
        key=f"{item.pk}:{item.escalation_level}",
        unit=item.unit,
        obj=item,
        link=item_link(item),
        title=_("整改逾期（%(level)d 级）：%(unit)s %(title)s")
        % {"level": item.escalation_level, "unit": item.unit.name, "title": item.title},
        programme=item.programme,
        data={
            "title": item.title,
            "severity": item.severity,
            "status": item.status,
            "due_on": item.due_on.isoformat(),
            "days_overdue": (today - item.due_on).days,
            "escalation_level": item.escalation_level,
        },
    )
