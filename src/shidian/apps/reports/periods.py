"""Reporting periods in words, and a form's calendar as the engine's ``Calendar``.

``period_label(period)`` words a period from its key in the active language ("2026年第9周" /
"2026 week 9"); pages call it rather than showing the stored ``label`` (stored in the site's
language for exports and the admin). ``reason_label`` words why a period is not expected.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.engine.periods import Break, Calendar, Term

REASON_LABELS = {
    "vacation": gettext_lazy("假期"),
    "holiday": gettext_lazy("节假日"),
    "outside_term": gettext_lazy("不在学期内"),
    "weekend": gettext_lazy("周末"),
}

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_SEMESTER = re.compile(r"^(\d{4})-S(\d)$")
_YEAR = re.compile(r"^(\d{4})$")


def key_label(key: str) -> str:
    """The words for a period key; an unknown key is shown as it is."""
    if m := _WEEK.match(key):
        return _("%(year)s年第%(week)s周") % {"year": m[1], "week": int(m[2])}
    if m := _MONTH.match(key):
        return _("%(year)s年%(month)s月") % {"year": m[1], "month": int(m[2])}
    if m := _QUARTER.match(key):
        return _("%(year)s年第%(quarter)s季度") % {"year": m[1], "quarter": m[2]}
    if m := _SEMESTER.match(key):
        return _("%(year)s—%(next)s学年第%(n)s学期") % {
            "year": m[1],
            "next": int(m[1]) + 1,
            "n": m[2],
        }
    if m := _YEAR.match(key):
        return _("%(year)s年") % {"year": m[1]}
    return key


def period_label(period: Any) -> str:
    """A ReportPeriod (or an engine Period, or a key) in words, in the active language."""
    return key_label(period if isinstance(period, str) else period.key)


def reason_label(reason: str) -> str:
    return str(REASON_LABELS.get(reason, reason))


def engine_calendar(calendar: Any) -> Calendar | None:
    """A SchoolCalendar row as the engine's Calendar (None stays None)."""
    if calendar is None:
        return None
    return Calendar(
        terms=tuple(Term(t.name, t.starts_on, t.ends_on) for t in calendar.terms.all()),
        breaks=tuple(Break(b.name, b.starts_on, b.ends_on, b.kind) for b in calendar.breaks.all()),
    )
