"""Writes of the plans app, one module per entity: rounds and filings (``filings``), the frozen
versions (``versions``), progress (``updates``), notifications (``notify``)."""

from shidian.apps.plans.services.filings import (
    plan_approve,
    plan_attach,
    plan_return,
    plan_revision_start,
    plan_round_open,
    plan_save,
    plan_submit,
)
from shidian.apps.plans.services.updates import goal_update_record, task_update_record
from shidian.apps.plans.services.versions import version_freeze

__all__ = [
    "goal_update_record",
    "plan_approve",
    "plan_attach",
    "plan_return",
    "plan_revision_start",
    "plan_round_open",
    "plan_save",
    "plan_submit",
    "task_update_record",
    "version_freeze",
]
