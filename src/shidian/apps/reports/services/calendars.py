"""School calendars (校历): an office keeps one per school year for its subtree, with terms
(学期) and breaks (holidays and vacations). Forms read them to know which periods are owed.

Writes need MANAGE on the calendar's unit; terms must not overlap each other, nor breaks each
other; every row needs a name and a start no later than its end. Saving replaces the terms
and breaks with the rows given. A published form's periods are not recomputed when its
calendar changes: regenerating them is the form's own action (periods are facts schools
report against).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record
from shidian.apps.reports.models import BreakKind, CalendarBreak, CalendarTerm, SchoolCalendar


@dataclass
class TermInput:
    name: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass
class BreakInput:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    kind: str = BreakKind.VACATION


def _span_problems(rows: list, what: str) -> list[str]:
    problems = []
    for row in rows:
        if not (row.name or "").strip():
            problems.append(_("%(what)s需要名称。") % {"what": what})
        if not isinstance(row.starts_on, dt.date) or not isinstance(row.ends_on, dt.date):
            problems.append(
                _("%(what)s“%(name)s”需要开始和结束日期。") % {"what": what, "name": row.name}
            )
        elif row.ends_on < row.starts_on:
            problems.append(
                _("%(what)s“%(name)s”的结束日期早于开始日期。") % {"what": what, "name": row.name}
            )
    dated = sorted(
        (r for r in rows if isinstance(r.starts_on, dt.date) and isinstance(r.ends_on, dt.date)),
        key=lambda r: r.starts_on,
    )
    for a, b in zip(dated, dated[1:], strict=False):
        if b.starts_on <= a.ends_on:
            problems.append(
                _("%(what)s“%(a)s”和“%(b)s”的日期重叠。") % {"what": what, "a": a.name, "b": b.name}
            )
    return problems


def _problems(name: str, terms: list[TermInput], breaks: list[BreakInput]) -> list[str]:
    problems = []
    if not (name or "").strip():
        problems.append(_("请填写校历名称。"))
    problems += _span_problems(terms, _("学期"))
    problems += _span_problems(breaks, _("假期"))
    if any(b.kind not in BreakKind.values for b in breaks):
        problems.append(_("假期类型无效。"))
    return problems


def _write_rows(calendar: SchoolCalendar, terms: list[TermInput], breaks: list[BreakInput]):
    calendar.terms.all().delete()
    calendar.breaks.all().delete()
    CalendarTerm.objects.bulk_create(
        CalendarTerm(
            calendar=calendar, name=t.name.strip(), starts_on=t.starts_on, ends_on=t.ends_on
        )
        for t in terms
    )
    CalendarBreak.objects.bulk_create(
        CalendarBreak(
            calendar=calendar,
            name=b.name.strip(),
            kind=b.kind,
            starts_on=b.starts_on,
            ends_on=b.ends_on,
        )
        for b in breaks
    )


@transaction.atomic
def calendar_create(
    *,
    by: Any,
    unit: Any,
    name: str,
    terms: list[TermInput] | None = None,
    breaks: list[BreakInput] | None = None,
) -> SchoolCalendar:
    require(by, MANAGE, unit)
    terms, breaks = list(terms or []), list(breaks or [])
    problems = _problems(name, terms, breaks)
    if problems:
        raise ValidationError(problems)
    calendar = SchoolCalendar.objects.create(unit=unit, name=name.strip(), created_by=by)
    _write_rows(calendar, terms, breaks)
    audit_record(
        actor=by,
        action="reports.calendar_create",
        target=calendar,
        unit=unit,
        summary=calendar.name,
        data={"terms": len(terms), "breaks": len(breaks)},
    )
    return calendar


@transaction.atomic
def calendar_update(
    *,
    by: Any,
    calendar: SchoolCalendar,
    name: str,
    terms: list[TermInput],
    breaks: list[BreakInput],
) -> SchoolCalendar:
    require(by, MANAGE, calendar)
    calendar = SchoolCalendar.objects.select_for_update().get(pk=calendar.pk)
    problems = _problems(name, list(terms), list(breaks))
    if problems:
        raise ValidationError(problems)
    calendar.name = name.strip()
    calendar.save(update_fields=["name", "updated_at"])
    _write_rows(calendar, list(terms), list(breaks))
    audit_record(
        actor=by,
        action="reports.calendar_update",
        target=calendar,
        unit=calendar.unit,
        summary=calendar.name,
        data={"terms": len(terms), "breaks": len(breaks)},
    )
    return calendar
