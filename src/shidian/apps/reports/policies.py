"""Who may do what with periodic reports (core.access policies).

A form, its fields, rules and periods are run by the programme's unit (owner: manage) and
reached by the programme's grants. A school never looks a form up by itself: it reaches its
own report through its ``Submission`` (unit = the school), and the form through that report.
A value concerns its unit, so the zone and county above it see it. A calendar belongs to the
office that keeps it and is seen by its subtree.
"""

from __future__ import annotations

from shidian.apps.core.access import Policy, register
from shidian.apps.reports import models as m

PROGRAMME = "programmes.programme"

CALENDAR = Policy(unit="unit", owner="unit")
FORM = Policy(
    unit="programme__unit",
    owner="programme__unit",
    targets=(("programme", PROGRAMME),),
)
VALUE = Policy(
    unit="unit",
    owner="period__form__programme__unit",
    targets=(("period__form__programme", PROGRAMME),),
)


def register_all() -> None:
    register(m.SchoolCalendar, CALENDAR)
    register(m.CalendarTerm, CALENDAR.through("calendar"))
    register(m.CalendarBreak, CALENDAR.through("calendar"))
    register(m.ReportForm, FORM)
    for model in (m.ReportField, m.ReportRule, m.ReportPeriod):
        register(model, FORM.through("form"))
    register(m.ReportValue, VALUE)
