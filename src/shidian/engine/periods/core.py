"""The period generator behind ``shidian.engine.periods`` (see its docstring for the contract)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shidian.engine.errors import EngineInputError

PERIOD_TYPES = ("weekly", "monthly", "quarterly", "semester", "yearly")
REASONS = ("vacation", "holiday", "outside_term", "weekend")
ONE_DAY = timedelta(days=1)


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
    reason: str = ""  # why not expected: "vacation" | "holiday" | "outside_term" | "weekend"


def _spans(period_type: str, starts_on: date, ends_on: date, calendar: Calendar | None):
    """(key, first day, last day) of every natural period meeting the range, unclipped."""
    if period_type == "weekly":
        day = starts_on - timedelta(days=starts_on.weekday())
        while day <= ends_on:
            year, week, _ = day.isocalendar()
            yield f"{year}-W{week:02d}", day, day + timedelta(days=6)
            day += timedelta(days=7)
    elif period_type in ("monthly", "quarterly"):
        step = 1 if period_type == "monthly" else 3
        year, month = starts_on.year, (starts_on.month - 1) // step * step + 1
        while date(year, month, 1) <= ends_on:
            nxt_year, nxt_month = (year, month + step) if month + step <= 12 else (year + 1, 1)
            last = date(nxt_year, nxt_month, 1) - ONE_DAY
            key = f"{year}-{month:02d}" if step == 1 else f"{year}-Q{(month - 1) // 3 + 1}"
            yield key, date(year, month, 1), last
            year, month = nxt_year, nxt_month
    elif period_type == "yearly":
        for year in range(starts_on.year, ends_on.year + 1):
            yield str(year), date(year, 1, 1), date(year, 12, 31)
    else:  # semester
        if calendar is None or not calendar.terms:
            raise EngineInputError(
                "semester periods need a calendar with terms", code="periods.no_terms"
            )
        counts: dict[int, int] = {}
        for term in sorted(calendar.terms, key=lambda t: t.starts_on):
            school_year = (
                term.starts_on.year if term.starts_on.month >= 8 else term.starts_on.year - 1
            )
            counts[school_year] = counts.get(school_year, 0) + 1
            if term.ends_on >= starts_on and term.starts_on <= ends_on:
                yield f"{school_year}-S{counts[school_year]}", term.starts_on, term.ends_on


def school_days(first: date, last: date, calendar: Calendar | None) -> tuple[int, str]:
    """How many school days ``[first, last]`` has, and the reason when none."""
    terms = calendar.terms if calendar else ()
    breaks = calendar.breaks if calendar else ()
    count, outside, vacation, weekday_seen = 0, False, False, False
    day = first
    while day <= last:
        if day.weekday() < 5:
            weekday_seen = True
            hit = [b for b in breaks if b.starts_on <= day <= b.ends_on]
            if hit:
                vacation = vacation or any(b.kind != "holiday" for b in hit)
            elif terms and not any(t.starts_on <= day <= t.ends_on for t in terms):
                outside = True
            else:
                count += 1
        day += ONE_DAY
    if count:
        return count, ""
    if not weekday_seen:
        return 0, "weekend"
    return 0, "outside_term" if outside else ("vacation" if vacation else "holiday")


def _check(calendar: Calendar | None) -> None:
    items: tuple[Term | Break, ...] = (
        (*calendar.terms, *calendar.breaks) if calendar is not None else ()
    )
    for item in items:
        if item.ends_on < item.starts_on:
            raise EngineInputError(
                f"{item.name}: ends before it starts",
                code="periods.bad_span",
                params={"name": item.name},
            )


def generate_periods(
    period_type: str,
    starts_on: date,
    ends_on: date,
    *,
    due_days: int,
    grace_days: int,
    calendar: Calendar | None = None,
) -> list[Period]:
    if period_type not in PERIOD_TYPES:
        raise EngineInputError(
            f"unknown period type {period_type!r}; use one of {', '.join(PERIOD_TYPES)}",
            code="periods.bad_type",
            params={"type": period_type},
        )
    if ends_on < starts_on:
        raise EngineInputError("the end date is before the start date", code="periods.bad_range")
    if due_days < 0 or grace_days < 0:
        raise EngineInputError(
            "due days and grace days cannot be negative", code="periods.bad_days"
        )
    _check(calendar)
    periods = []
    for key, first, last in _spans(period_type, starts_on, ends_on, calendar):
        first, last = max(first, starts_on), min(last, ends_on)
        days, reason = school_days(first, last, calendar)
        due_on = last + timedelta(days=due_days)
        periods.append(
            Period(
                key=key,
                starts_on=first,
                ends_on=last,
                due_on=due_on,
                closes_on=due_on + timedelta(days=grace_days),
                expected=days > 0,
                reason=reason,
            )
        )
    return periods
