"""Reporting periods from a period type and a school calendar (no Django).

CONTRACT (foundation; the reports helper implements it):

    generate_periods(period_type, starts_on, ends_on, *, due_days, grace_days, calendar=None)
        -> list[Period]

``period_type`` is one of "weekly", "monthly", "quarterly", "semester", "yearly". Weeks are ISO
weeks (key "2026-W09"), months "2026-03", quarters "2026-Q1", semesters are the calendar's
terms (key "<year>-S1"/"-S2" by start date), years "2026". Each period's ``due_on`` is
``ends_on + due_days`` and ``closes_on`` is ``due_on + grace_days``. A period is not expected
(``expected=False`` with ``reason`` "vacation", "holiday" or "outside_term") when it has no
school day: every day is a weekend day, inside a break, or outside every term (when the
calendar has terms).

Details of this implementation:

- Periods are clipped to ``[starts_on, ends_on]``, so they tile that range exactly (no gap, no
  overlap); a form that starts on a Wednesday has a first week from Wednesday to Sunday.
- Semester keys count terms within a school year: a term starting in August or later opens
  school year <year> ("2026-S1" is the autumn term of 2026-2027), an earlier one belongs to
  the school year that began the year before ("2026-S2" is the spring term of 2027). Days
  between terms belong to no semester period.
- ``reason``: "outside_term" when some weekday lies outside every term and every break,
  else "vacation" when a weekday lies in a vacation, else "holiday"; a clipped period made
  only of a weekend has the reason "weekend".
"""

from __future__ import annotations

from shidian.engine.periods.core import (
    PERIOD_TYPES,
    REASONS,
    Break,
    Calendar,
    Period,
    Term,
    generate_periods,
    school_days,
)

__all__ = [
    "PERIOD_TYPES",
    "REASONS",
    "Break",
    "Calendar",
    "Period",
    "Term",
    "generate_periods",
    "school_days",
]
