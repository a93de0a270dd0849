"""The campaigns' business event pushed to endpoints: a sheet submitted (or resubmitted)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SHEET_SUBMITTED = "campaigns.sheet_submitted"


def register() -> None:
    from shidian.apps.notifications.services.events import register_event

    register_event(SHEET_SUBMITTED, gettext_lazy("自查表已提交"))


def sheet_submitted(sheet: Any) -> list[int]:
    """Push the submit of ``sheet`` (once per submitted version) to the listening endpoints."""
    from shidian.apps.notifications.services.events import event_publish

    campaign = sheet.round
    return event_publish(
        event=SHEET_SUBMITTED,
        key=f"{sheet.pk}:{sheet.version}",
        unit=sheet.unit,
        obj=sheet,
        link=reverse("campaigns:sheet", kwargs={"sheet_id": sheet.pk}),
        title=_("%(unit)s 已提交自查表：%(campaign)s")
        % {"unit": sheet.unit.name, "campaign": campaign.name},
        programme=campaign.programme,
        occurred_at=sheet.submitted_at,
        data={
            "campaign": {"id": campaign.pk, "name": campaign.name},
            "version": sheet.version,
            "total": sheet.total,
            "vetoed": sheet.vetoed,
        },
    )
