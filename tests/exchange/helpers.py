"""A report world and a campaign for the exchange tests, and small file builders."""

from __future__ import annotations

from shidian.apps.exchange.formats import write_csv


def csv_bytes(columns, rows) -> bytes:
    return write_csv(columns, [dict(zip(columns, row, strict=True)) for row in rows])


REPORT_COLUMNS = ("unit", "form", "period", "field", "value")
SHEET_COLUMNS = ("unit", "campaign", "item", "value")


def submission(world, unit, key="2026-04"):
    from shidian.apps.submissions.models import Submission

    return Submission.objects.get(round=world.periods[key].round, unit=unit)  # scoping: ok


def report_rows(world, unit, key="2026-04", **values):
    form = world.form.pk
    return [(unit.code, form, key, code, value) for code, value in values.items()]
