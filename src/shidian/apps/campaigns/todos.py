"""What campaigns ask of people on their home page: sheets to fill or correct, reviews to do,
and, for a zone, the schools that are behind with a reminder button."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.campaigns.models import Campaign, CampaignStatus, Sheet, SheetStatus
from shidian.apps.core.access import FILL, MANAGE, REMIND, may
from shidian.apps.core.todos import FILL_TASK, RETURNED_TASK, REVIEW_TASK, Todo

PENDING = (SheetStatus.NOT_OPENED, SheetStatus.DRAFT, SheetStatus.RETURNED)
# A school is "behind" when its sheet is not in and the deadline is this close, or passed.
BEHIND_WITHIN = datetime.timedelta(days=3)
BEHIND_LIMIT = 20


def campaign_todos(user: Any, now: datetime.datetime) -> list[Todo]:
    todos = []
    to_fill = (
        Sheet.objects.restrict(user, FILL)
        .filter(round__status=CampaignStatus.OPEN, status__in=PENDING)
        .filter(Q(round__accept_late=True) | Q(round__deadline__gte=now))
        .select_related("round")
        .only("pk", "status", "return_note", "round__name", "round__deadline")
        .order_by("round__deadline")[:50]
    )
    for sheet in to_fill:
        returned = sheet.status == SheetStatus.RETURNED
        todos.append(
            Todo(
                kind=RETURNED_TASK if returned else FILL_TASK,
                title=sheet.campaign.name,
                action=_("按退回意见修改后重新提交") if returned else _("填写并提交自查表"),
                url=reverse("campaigns:sheet", kwargs={"sheet_id": sheet.pk}),
                due=sheet.campaign.deadline,
                status=sheet.get_status_display(),
                note=sheet.return_note[:200] if returned else "",
            )
        )
    from shidian.apps.campaigns.selectors import review_assignments

    # Anyone may be named a reviewer; for most people the query is empty.
    for sheet in review_assignments(user=user).filter(scored=False)[:50]:
        todos.append(
            Todo(
                kind=REVIEW_TASK,
                title=f"{sheet.campaign.name} · {sheet.unit.name}",
                action=_("评审自查表"),
                url=reverse("campaigns:review", kwargs={"sheet_id": sheet.pk}),
                status=sheet.get_status_display(),
            )
        )
    return todos


def schools_behind(user: Any) -> dict[str, Any] | None:
    """For a zone: per open campaign, the schools of its subtree whose sheet is not in while the
    deadline is near or past. The office has its cockpit; this card is for who reminds only."""
    if not may(user, REMIND) or may(user, MANAGE):
        return None
    from django.utils import timezone

    now = timezone.now()
    pending = Sheet.objects.restrict(user, REMIND).filter(
        round__status=CampaignStatus.OPEN,
        round__deadline__lte=now + BEHIND_WITHIN,
        status__in=PENDING,
    )
    counts = {
        row["round_id"]: row["n"]
        for row in pending.values("round_id").annotate(n=Count("pk")).order_by()
    }
    campaigns = []
    for campaign in Campaign.objects.filter(pk__in=counts).order_by("deadline"):  # scoping: ok
        rows = list(
            pending.filter(round=campaign)
            .select_related("unit")
            .only("pk", "status", "updated_at", "unit__name", "unit__code")
            .order_by("status", "unit__code")[:BEHIND_LIMIT]
        )
        campaigns.append(
            {
                "campaign": campaign,
                "overdue": campaign.deadline < now,
                "count": counts[campaign.pk],
                "sheets": rows,
                "remind_url": reverse("campaigns:remind", kwargs={"campaign_id": campaign.pk}),
            }
        )
    return {"campaigns": campaigns, "limit": BEHIND_LIMIT}
