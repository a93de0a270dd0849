"""Months as "YYYY-MM" strings: parsing, bounds, neighbours (Django-free helpers)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse(month: str) -> tuple[int, int] | None:
    found = MONTH_RE.match(str(month or "").strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def bounds(month: str) -> tuple[dt.date, dt.date]:
    year, mon = parse(month) or (0, 0)
    return dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])


def previous(month: str) -> str:
    year, mon = parse(month) or (0, 0)
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def of(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def label(month: str) -> str:
    """2026-05 -> 2026年5月 (the bulletin's Chinese)."""
    year, mon = parse(month) or (0, 0)
    return f"{year}年{mon}月"
