"""Reads of league tables and 督办.

CONTRACT (foundation; the supervision helper implements it, inspections read it):

    bottom_units(programme, *, month, count, cycle_number=None) -> list[int]

The unit ids at the bottom of ``month``'s ("YYYY-MM") league table of the programme (one batch
when ``cycle_number`` is given), worst first, at most ``count``.
"""

from __future__ import annotations

from typing import Any


def bottom_units(
    programme: Any, *, month: str, count: int, cycle_number: int | None = None
) -> list[int]:
    raise NotImplementedError("supervision.selectors.bottom_units")
