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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PERIOD_TYPES = ("weekly", "monthly", "quarterly", "semester", "yearly")


@dataclass(frozen=True)
class Term:
    name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Break:
    name: str
    starts_on: date
    ends_on: date
    kind: str = "vacation"  # "vacation" | "holiday"


@dataclass(frozen=True)
class Calendar:
    terms: tuple[Term, ...] = ()
    breaks: tuple[Break, ...] = ()


@dataclass(frozen=True)
class Period:
    key: str
    starts_on: date
    ends_on: date
    due_on: date
    closes_on: date
    expected: bool = True
    reason: str = ""  # why not expected: "vacation" | "holiday" | "outside_term"


def generate_periods(
    period_type: str,
    starts_on: date,
    ends_on: date,
    *,
    due_days: int,
    grace_days: int,
    calendar: Calendar | None = None,
) -> list[Period]:
    raise NotImplementedError("engine.periods.generate_periods: implemented by the reports work")
