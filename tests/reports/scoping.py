"""URL kwargs of the reports app, for tests/core/test_url_scoping.py.

Each factory points at an object of county A's tracking programme (tests/tracking_world.py),
which an outsider (county B) and an expert without grants cannot see. The helpers below are
shared by the reports tests: a draft monthly form with two number fields and a rule, and the
county's 2026-2027 calendar.
"""

from __future__ import annotations

import datetime as dt

from tests.tracking_world import pilot_world


def county_calendar(tree):
    from shidian.apps.reports.models import SchoolCalendar
    from shidian.apps.reports.services.calendars import BreakInput, TermInput, calendar_create

    found = SchoolCalendar.objects.filter(
        unit=tree.county, name="甲县2026-2027学年校历"
    ).first()  # scoping: ok test
    if found:
        return found
    return calendar_create(
        by=None,
        unit=tree.county,
        name="甲县2026-2027学年校历",
        terms=[
            TermInput("2026年秋季学期", dt.date(2026, 9, 1), dt.date(2027, 1, 22)),
            TermInput("2027年春季学期", dt.date(2027, 2, 22), dt.date(2027, 7, 2)),
        ],
        breaks=[
            BreakInput("国庆节", dt.date(2026, 10, 1), dt.date(2026, 10, 7), "holiday"),
            BreakInput("寒假", dt.date(2027, 1, 23), dt.date(2027, 2, 21), "vacation"),
            BreakInput("暑假", dt.date(2027, 7, 3), dt.date(2027, 8, 31), "vacation"),
        ],
    )


def monthly_form(tree):
    """A draft monthly form over 2026-09..2027-08 with classrooms, connected and a rule."""
    from shidian.apps.reports.models import ReportForm
    from shidian.apps.reports.services.definitions import (
        FieldInput,
        field_add,
        form_create,
        rule_add,
    )

    world = pilot_world(tree)
    found = ReportForm.objects.filter(
        programme=world.programme, name="测试月报"
    ).first()  # scoping: ok test
    if found:
        return found
    form = form_create(
        by=None,
        programme=world.programme,
        name="测试月报",
        period_type="monthly",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2027, 8, 31),
        calendar=county_calendar(tree),
    )
    field_add(by=None, form=form, data=FieldInput("classrooms", "教室数", "number", minimum=0))
    field_add(by=None, form=form, data=FieldInput("connected", "联网教室数", "number", minimum=0))
    rule_add(by=None, form=form, left="connected", operator="le", right="classrooms")
    return form


def _field(tree):
    return monthly_form(tree).fields.order_by("order").first().pk


def _rule(tree):
    return monthly_form(tree).rules.first().pk


def _period(tree):
    from shidian.apps.reports.services.definitions import periods_materialize

    form = monthly_form(tree)
    if not form.periods.exists():
        periods_materialize(by=None, form=form)
    return form.periods.order_by("starts_on").first().pk


URL_KWARG_FACTORIES = {
    "form_id": lambda tree: monthly_form(tree).pk,
    "field_id": _field,
    "rule_id": _rule,
    "period_id": _period,
    "calendar_id": lambda tree: county_calendar(tree).pk,
}
PUBLIC_URL_NAMES: set = set()

# The filing and completeness pages' kwargs.
from tests.reports.scoping_filing import URL_KWARG_FACTORIES as _FILING  # noqa: E402

URL_KWARG_FACTORIES.update(_FILING)
