"""Rectification items (整改): issued -> answered with evidence -> verified and closed, or
reopened with a reason; overdue items escalate.

CONTRACT (foundation; the inspections helper implements it; mid-term evaluation and, later,
acceptance's conditional passes call it):

    rectification_issue(*, by, unit, title, due_on, severity="normal", description="",
                        evidence_required="", indicator_code="", owner=None, programme=None,
                        source=None) -> RectificationItem

Issues one item to ``unit`` (a school), checked as MANAGE on the programme (or the unit) for
``by``; ``source`` is the model row it came from (a finding, a mid-term gap), stored as a
target pair ("app_label.model", id) so the item links back. Audited; notifies the unit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

SEVERITIES = ("minor", "normal", "major")


def rectification_issue(
    *,
    by: Any,
    unit: Any,
    title: str,
    due_on: date,
    severity: str = "normal",
    description: str = "",
    evidence_required: str = "",
    indicator_code: str = "",
    owner: Any = None,
    programme: Any = None,
    source: Any = None,
) -> Any:
    raise NotImplementedError("inspections.services.rectification.rectification_issue")
