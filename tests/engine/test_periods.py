"""engine.periods: ISO weeks, months, quarters, terms, years; due and grace; expected or not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shidian.engine.errors import EngineInputError
from shidian.engine.periods import Break, Calendar, Term, generate_periods

CAL = Calendar(
    terms=(
        Term("2026秋", date(2026, 9, 1), date(2027, 1, 22)),
        Term("2027春", date(2027, 2, 22), date(2027, 7, 2)),
    ),
    breaks=(
        Break("国庆", date(2026, 10, 1), date(2026, 10, 7), "holiday"),
        Break("寒假", date(2027, 1, 23), date(2027, 2, 21), "vacation"),
        Break("暑假", date(2027, 7, 3), date(2027, 8, 31), "vacation"),
    ),
)


def gen(kind, start, end, cal=None, due=3, grace=2):
    return generate_periods(kind, start, end, due_days=due, grace_days=grace, calendar=cal)


def test_iso_weeks_keys_and_due():
    periods = gen("weekly", date(2026, 2, 23), date(2026, 3, 8))
    assert [p.key for p in periods] == ["2026-W09", "2026-W10"]
    first = periods[0]
    assert (first.starts_on, first.ends_on) == (date(2026, 2, 23), date(2026, 3, 1))
    assert first.due_on == date(2026, 3, 4) and first.closes_on == date(2026, 3, 6)


def test_iso_year_boundary():
    keys = [p.key for p in gen("weekly", date(2026, 12, 28), date(2027, 1, 10))]
    assert keys == ["2026-W53", "2027-W01"]


def test_months_quarters_years():
    assert [p.key for p in gen("monthly", date(2026, 11, 1), date(2027, 2, 28))] == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]
    quarters = gen("quarterly", date(2026, 2, 1), date(2026, 12, 31))
    assert [p.key for p in quarters] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert quarters[0].starts_on == date(2026, 2, 1)  # clipped to the range
    assert quarters[1].ends_on == date(2026, 6, 30)
    assert [p.key for p in gen("yearly", date(2026, 3, 1), date(2028, 6, 30))] == [
        "2026",
        "2027",
        "2028",
    ]


def test_semesters_are_terms():
    periods = gen("semester", date(2026, 9, 1), date(2027, 8, 31), CAL)
    assert [p.key for p in periods] == ["2026-S1", "2026-S2"]
    assert periods[1].starts_on == date(2027, 2, 22)
    assert periods[1].due_on == date(2027, 7, 5)


def test_semester_needs_terms():
    with pytest.raises(EngineInputError) as exc:
        gen("semester", date(2026, 9, 1), date(2027, 8, 31))
    assert exc.value.code == "periods.no_terms"


def test_vacation_week_and_month_not_expected():
    weeks = {p.key: p for p in gen("weekly", date(2026, 9, 1), date(2027, 8, 31), CAL)}
    # 2027-02-01..07 lies inside the winter vacation.
    assert weeks["2027-W05"].expected is False and weeks["2027-W05"].reason == "vacation"
    # National Day week 2026-09-28..10-04 still has Mon-Wed at school.
    assert weeks["2026-W40"].expected is True
    # 2026-10-05..11: Mon-Wed are the holiday, Thu-Fri school days.
    assert weeks["2026-W41"].expected is True
    months = {p.key: p for p in gen("monthly", date(2026, 9, 1), date(2027, 8, 31), CAL)}
    assert months["2027-08"].expected is False and months["2027-08"].reason == "vacation"
    assert months["2027-02"].expected is True  # term starts on 22 February


def test_holiday_only_and_outside_term():
    cal = Calendar(breaks=(Break("国庆", date(2026, 10, 1), date(2026, 10, 7), "holiday"),))
    (p,) = gen("weekly", date(2026, 10, 1), date(2026, 10, 4), cal)
    assert (p.expected, p.reason) == (False, "holiday")
    cal = Calendar(terms=(Term("秋", date(2026, 9, 1), date(2027, 1, 22)),))
    (p,) = gen("monthly", date(2026, 8, 1), date(2026, 8, 31), cal)
    assert (p.expected, p.reason) == (False, "outside_term")


def test_weekend_only_clip():
    (p,) = gen("weekly", date(2026, 3, 7), date(2026, 3, 8))
    assert (p.expected, p.reason) == (False, "weekend")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"period_type": "daily"},
        {"ends_on": date(2025, 1, 1)},
        {"due_days": -1},
    ],
)
def test_bad_input(kwargs):
    args = {
        "period_type": "weekly",
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 2, 1),
        "due_days": 3,
        "grace_days": 2,
    } | kwargs
    with pytest.raises(EngineInputError):
        generate_periods(
            args.pop("period_type"), args.pop("starts_on"), args.pop("ends_on"), **args
        )


# ----- properties ---------------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
kinds = st.sampled_from(["weekly", "monthly", "quarterly", "yearly"])


@st.composite
def ranges(draw):
    start = draw(days)
    return start, start + timedelta(days=draw(st.integers(0, 800)))


@st.composite
def calendars(draw):
    base = draw(days)
    breaks, day = [], base
    for _ in range(draw(st.integers(0, 4))):
        day += timedelta(days=draw(st.integers(0, 60)))
        end = day + timedelta(days=draw(st.integers(0, 40)))
        breaks.append(Break("b", day, end, draw(st.sampled_from(["vacation", "holiday"]))))
        day = end + timedelta(days=1)
    return Calendar(breaks=tuple(breaks))


@settings(max_examples=150, deadline=None)
@given(ranges(), kinds, st.integers(0, 30), st.integers(0, 30))
def test_periods_tile_the_range(span, kind, due, grace):
    start, end = span
    periods = gen(kind, start, end, due=due, grace=grace)
    assert periods[0].starts_on == start and periods[-1].ends_on == end
    for a, b in zip(periods, periods[1:], strict=False):
        assert b.starts_on == a.ends_on + timedelta(days=1)
    keys = [p.key for p in periods]
    assert len(set(keys)) == len(keys) and keys == sorted(keys)
    for p in periods:
        assert p.starts_on <= p.ends_on
        assert p.due_on == p.ends_on + timedelta(days=due)
        assert p.closes_on == p.due_on + timedelta(days=grace)


@settings(max_examples=150, deadline=None)
@given(ranges(), kinds, calendars())
def test_expected_means_a_school_day(span, kind, cal):
    for p in gen(kind, span[0], span[1], cal):
        n = (p.ends_on - p.starts_on).days + 1
        school = [
            p.starts_on + timedelta(days=i)
            for i in range(n)
            if (p.starts_on + timedelta(days=i)).weekday() < 5
            and not any(
                b.starts_on <= p.starts_on + timedelta(days=i) <= b.ends_on for b in cal.breaks
            )
        ]
        assert p.expected == bool(school)
        assert (p.reason == "") == p.expected
        inside_break = any(
            b.starts_on <= p.starts_on and p.ends_on <= b.ends_on for b in cal.breaks
        )
        if inside_break:
            assert not p.expected
