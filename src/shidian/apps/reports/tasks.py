"""Reminders and notices of periodic reports, and the daily task that opens periods.

The notices are written in the caller's transaction (``notifications.deliver``: in-app now,
e-mail after commit); the tasks are thin wrappers that take ids and call a service.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from shidian.apps.accounts.models import Role, User
from shidian.apps.notifications.services import Note, deliver


def _coordinators(unit_ids) -> list:
    return list(
        User.objects.filter(  # scoping: ok the service is told which units
            unit_id__in=list(unit_ids),
            is_active=True,
            role__in=[Role.COORDINATOR, Role.COMMUNITY_LEAD],
        ).only("pk", "email", "unit_id")
    )


def fill_url(submission) -> str:
    return reverse("reports:fill", kwargs={"submission_id": submission.pk})


def notify_behind(*, period, submissions, base_url: str = "") -> int:
    """One reminder per coordinator of each unit behind, linking to the unit's own report."""
    by_unit = {s.unit_id: s for s in submissions}
    deadline = timezone.localdate(timezone.now()) > period.closes_on
    notes = []
    for user in _coordinators(by_unit):
        submission = by_unit[user.unit_id]
        subject = (
            _("催报：%(form)s %(period)s 已逾期，请尽快报送")
            if deadline
            else _("催报：请在 %(due)s 前报送 %(form)s %(period)s")
        ) % {"form": period.form.name, "period": period.label, "due": period.closes_on}
        notes.append(Note(user=user, subject=subject, link=fill_url(submission)))
    return deliver(notes, kind="reports.remind", target=period.round, base_url=base_url)


def notify_returned(*, submission, base_url: str = "") -> int:
    from shidian.apps.reports.kind import period_of

    period = period_of(submission.round)
    subject = _("%(form)s %(period)s 被退回，请按意见修改后重新提交") % {
        "form": period.form.name,
        "period": period.label,
    }
    notes = [
        Note(user=u, subject=subject, body=submission.return_note, link=fill_url(submission))
        for u in _coordinators([submission.unit_id])
    ]
    return deliver(notes, kind="reports.return", target=submission, base_url=base_url)


@task()
def open_due_periods() -> int:
    """Daily: open every started period of every published form."""
    from shidian.apps.reports.models import FormStatus, ReportForm
    from shidian.apps.reports.services.filing import periods_open_due

    forms = ReportForm.objects.filter(status=FormStatus.PUBLISHED)  # scoping: ok system task
    return sum(periods_open_due(form) for form in forms)


@task()
def flag_late_reports() -> int:
    """Daily: push each report gone late to the listening endpoints (once each)."""
    from shidian.apps.reports.lateness import reports_flag_late

    return reports_flag_late()


@task()
def remind_period(*, period_id: int, user_id: int | None = None, base_url: str = "") -> int:
    from shidian.apps.reports.models import ReportPeriod
    from shidian.apps.reports.services.filing import period_remind

    period = ReportPeriod.objects.select_related("form", "round").get(  # scoping: ok task id
        pk=period_id
    )
    user = User.objects.filter(pk=user_id).first() if user_id else None  # scoping: ok task id
    return period_remind(period=period, user=user, base_url=base_url)
