"""Acceptance verdicts (验收): reconcile the experts' scores of a pilot and propose pass,
conditional pass or fail with the reasons. Pure: no Django."""

from shidian.engine.acceptance.panel import Member, conflicts, propose_panel
from shidian.engine.acceptance.rules import (
    ExpertScore,
    Proposal,
    Reason,
    Rules,
    Verdict,
    expert_total,
    propose,
    reconcile,
    veto_hits,
)

__all__ = [
    "ExpertScore",
    "Member",
    "Proposal",
    "Reason",
    "Rules",
    "Verdict",
    "conflicts",
    "expert_total",
    "propose",
    "propose_panel",
    "reconcile",
    "veto_hits",
]
