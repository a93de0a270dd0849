"""Report data for indicator and aggregate tests: a monthly form with number, yes/no and
percent fields, periods with their rounds, and values written straight into ReportValue (the
submission mechanism is the reports app's; here only the rows aggregates read matter)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

NA = "na"


def monthly_form(programme, *, months=3, name="月度报表", status="published"):
    from shidian.apps.reports.models import ReportField, ReportForm, ReportPeriod
    from shidian.apps.submissions.models import Round

    form = ReportForm.objects.create(
        programme=programme,
        name=name,
        period_type="monthly",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3 + months - 1, 28),
        status=status,
    )
    fields = {
        "rooms": ReportField.objects.create(
            form=form, code="rooms", label="教室数", type="number", allow_na=True, order=1
        ),
        "fibre": ReportField.objects.create(
            form=form, code="fibre", label="光纤接入", type="yes_no", allow_na=True, order=2
        ),
        "rate": ReportField.objects.create(
            form=form, code="rate", label="使用率", type="percent", order=3
        ),
    }
    periods = []
    for i in range(months):
        start = dt.date(2026, 3 + i, 1)
        end = dt.date(2026, 3 + i, 28)
        rnd = Round.objects.create(
            kind="periodic_report",
            unit=programme.unit,
            name=f"{name} {start:%Y-%m}",
            opens_on=start,
            deadline=timezone.make_aware(dt.datetime.combine(end, dt.time(23, 0))),
            programme=programme,
        )
        periods.append(
            ReportPeriod.objects.create(
                form=form,
                key=f"{start:%Y-%m}",
                label=f"{start.year}年{start.month}月",
                starts_on=start,
                ends_on=end,
                due_on=end,
                closes_on=end,
                round=rnd,
            )
        )
    return form, fields, periods


def put_values(period, values):
    """``values``: {unit: {field: number | NA | str}}; one submission per unit and period."""
    from shidian.apps.reports.models import ReportValue
    from shidian.apps.submissions.models import Submission

    rows = []
    for unit, answers in values.items():
        sub, _ = Submission.objects.get_or_create(  # scoping: ok test
            round=period.round, unit=unit, defaults={"status": "submitted"}
        )
        for fld, value in answers.items():
            if value == NA:
                rows.append(
                    ReportValue(period=period, field=fld, unit=unit, submission=sub, na=True)
                )
            elif isinstance(value, str):
                rows.append(
                    ReportValue(period=period, field=fld, unit=unit, submission=sub, text=value)
                )
            else:
                rows.append(
                    ReportValue(period=period, field=fld, unit=unit, submission=sub, number=value)
                )
    ReportValue.objects.bulk_create(rows)
