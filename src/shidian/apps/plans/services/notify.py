"""Tell a school about its plan (returned), after the state change, in the same transaction."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.accounts.models import Role, User
from shidian.apps.notifications.services import notify


def coordinators(unit_id: int):
    return User.objects.filter(  # scoping: ok the service is told which unit
        unit_id=unit_id, is_active=True, role__in=[Role.COORDINATOR, Role.COMMUNITY_LEAD]
    )


def tell_returned(submission, *, base_url: str = "") -> None:
    filing = getattr(submission, "plan_filing", None)
    if filing is None:
        return
    notify(
        list(coordinators(submission.unit_id)),
        "plans.returned",
        _("创建方案被退回：%(name)s") % {"name": submission.round.name},
        submission.return_note,
        reverse("plans:plan", kwargs={"plan_id": filing.plan_id}),
        target=submission,
        base_url=base_url,
    )
