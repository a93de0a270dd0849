"""The periodic reports' business event pushed to endpoints: a report gone late.

A report is late (逾期未报) when its period's grace deadline (``closes_on``) has passed and the
unit never submitted it: the completeness figures' "missing". The daily job announces each
such report once; a report that was already missing more than ``LOOKBACK`` ago when the job
first met it (a new installation, an endpoint added later) is not announced, so one day's run
never floods a receiver with a school year of history.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REPORT_LATE = "reports.late"
LOOKBACK = dt.timedelta(days=30)


def register() -> None:
    from shidian.apps.notifications.services.events import register_event

    register_event(REPORT_LATE, gettext_lazy("定期报告逾期未报"))


def late_reports(*, today: dt.date):
    """The submissions never submitted whose period closed before ``today`` (within LOOKBACK)."""
    from shidian.apps.reports.models import ReportPeriod
    from shidian.apps.submissions.models import Submission
    from shidian.apps.submissions.states import Status

    periods = ReportPeriod.objects.filter(  # scoping: ok system job over all periods
        expected=True,
        round__isnull=False,
        closes_on__lt=today,
        closes_on__gte=today - LOOKBACK,
    )
    return (
        Submission.objects.filter(  # scoping: ok system job over all periods
            round__report_period__in=periods,
            status__in=[Status.NOT_OPENED, Status.DRAFT],
            submitted_at__isnull=True,
        )
        .select_related("unit", "round__report_period__form__programme")
        .order_by("pk")
    )


@transaction.atomic
def reports_flag_late(*, today: dt.date | None = None) -> int:
    """Push one ``reports.late`` event per late report (once to each endpoint); returns how
    many deliveries were queued."""
    from shidian.apps.notifications.services.events import (
        Event,
        events_publish,
        listening_endpoints,
    )
    from shidian.apps.reports.tasks import fill_url

    today = today or timezone.localdate()
    if not listening_endpoints(REPORT_LATE):
        return 0  # nobody listens: not even the query
    events = []
    for submission in late_reports(today=today).iterator(chunk_size=2000):
        period = submission.round.report_period
        form = period.form
        events.append(
            Event(
                event=REPORT_LATE,
                key=str(submission.pk),
                unit=submission.unit,
                obj=submission,
                link=fill_url(submission),
                title=_("%(unit)s 逾期未报：%(form)s %(period)s")
                % {"unit": submission.unit.name, "form": form.name, "period": period.label},
                programme=form.programme,
                occurred_at=timezone.make_aware(
                    dt.datetime.combine(period.closes_on + dt.timedelta(days=1), dt.time.min)
                ),
                data={
                    "form": {"id": form.pk, "name": form.name},
                    "period": {
                        "id": period.pk,
                        "key": period.key,
                        "label": period.label,
                        "due_on": period.due_on.isoformat(),
                        "closes_on": period.closes_on.isoformat(),
                    },
                    "status": submission.status,
                },
            )
        )
    return len(events_publish(events))
