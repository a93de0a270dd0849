"""Writes of the programmes app: set-up (programmes.py) and participation (participation.py)."""

from shidian.apps.programmes.services.participation import (
    participation_move,
    participation_move_bulk,
    participation_sync,
    units_in_scope,
)
from shidian.apps.programmes.services.programmes import (
    CycleInput,
    PhaseInput,
    default_phases,
    programme_create,
    programme_update,
)

__all__ = [
    "CycleInput",
    "PhaseInput",
    "default_phases",
    "participation_move",
    "participation_move_bulk",
    "participation_sync",
    "programme_create",
    "programme_update",
    "units_in_scope",
]
