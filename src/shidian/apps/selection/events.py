"""The selection's business event pushed to endpoints: a selection approved (each version).

It carries the push of the ``selection.approved`` notification (told to the office), which is
therefore not pushed separately.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SELECTION_APPROVED = "selection.approved"


def register() -> None:
    from shidian.apps.notifications.services.events import register_event

    register_event(
        SELECTION_APPROVED, gettext_lazy("遴选结果已批准"), replaces=(SELECTION_APPROVED,)
    )


def selection_approved(selection: Any, version: Any) -> list[int]:
    from shidian.apps.notifications.services.events import event_publish

    programme = selection.programme
    snapshot = version.snapshot or {}
    return event_publish(
        event=SELECTION_APPROVED,
        key=f"{selection.pk}:{version.number}",
        unit=programme.unit,
        obj=selection,
        link=reverse("selection:approval", kwargs={"selection_id": selection.pk}),
        title=_("遴选结果已批准（第%(n)d版）：%(name)s")
        % {"n": version.number, "name": selection.name},
        programme=programme,
        occurred_at=version.approved_at,
        data={
            "name": selection.name,
            "version": version.number,
            "pilots": len(snapshot.get("pilots", [])),
            "controls": len(snapshot.get("controls", [])),
        },
    )
