"""The candidates of a selection as a table for the engine.

The population is every unit of the programme that takes part (not withdrawn) and whose sheet
in the selection's round is submitted or accepted: drafts are never ranked or selected. Columns
(one row per unit, ordered by unit code):

- ``id`` (the unit code, text), ``unit_id``, ``name``, ``zone`` (zone name, "" when none),
  ``school_type``, ``locality`` (their codes; labels through ``attribute_labels``),
  ``students``, ``teachers``, ``classes`` (NaN when unknown);
- ``score`` (the sheet's self-assessment total), ``vetoed``, ``state`` (participation state),
  ``recommended`` (bool: a recommendation exists in this selection).

Attributes a quota or a balance can use are listed in ``ATTRIBUTES`` and ``COVARIATES``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _

from shidian.apps.programmes.models import Participation, ParticipationState
from shidian.apps.submissions.models import Submission
from shidian.apps.submissions.states import SUBMITTED

# Unit attributes a quota or a stratum can be set on, with their labels.
ATTRIBUTES = {
    "school_type": _("学校类型"),
    "locality": _("城乡"),
    "zone": _("片区"),
}
# Numeric columns a covariate balance (or a matching) can use.
COVARIATES = {
    "score": _("自评总分"),
    "students": _("学生数"),
    "teachers": _("教师数"),
    "classes": _("班级数"),
}
COLUMNS = [
    "id",
    "unit_id",
    "name",
    "zone",
    "school_type",
    "locality",
    "students",
    "teachers",
    "classes",
    "score",
    "vetoed",
    "state",
    "recommended",
]
OUT = (ParticipationState.WITHDRAWN,)


def _number(value: Any) -> float:
    return float(value) if value is not None else np.nan


def candidate_frame(selection: Any, *, unit_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """The population of ``selection`` (see the module docstring); ``unit_ids`` narrows it."""
    sheets = Submission.objects.filter(round=selection.round_id, status__in=SUBMITTED)
    states = dict(
        Participation.objects.filter(programme=selection.programme_id)
        .exclude(state__in=OUT)
        .values_list("unit_id", "state")
    )
    recommended = set(selection.recommendations.values_list("unit_id", flat=True))
    rows = sheets.filter(unit_id__in=list(states) if unit_ids is None else unit_ids).values(
        "unit_id",
        "unit__code",
        "unit__name",
        "unit__zone__name",
        "unit__school_type",
        "unit__locality",
        "unit__students",
        "unit__teachers",
        "unit__classes",
        "total",
        "vetoed",
    )
    records = [
        {
            "id": str(r["unit__code"]),
            "unit_id": r["unit_id"],
            "name": r["unit__name"],
            "zone": r["unit__zone__name"] or "",
            "school_type": r["unit__school_type"] or "",
            "locality": r["unit__locality"] or "",
            "students": _number(r["unit__students"]),
            "teachers": _number(r["unit__teachers"]),
            "classes": _number(r["unit__classes"]),
            "score": float(r["total"]),
            "vetoed": bool(r["vetoed"]),
            "state": states[r["unit_id"]],
            "recommended": r["unit_id"] in recommended,
        }
        for r in rows
        if r["unit_id"] in states
    ]
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def attribute_labels(attribute: str) -> dict[str, str]:
    """Stored code -> label for a unit attribute (zone names are their own labels)."""
    from shidian.apps.orgs.models import Locality, SchoolType

    if attribute == "school_type":
        return {str(k): str(v) for k, v in SchoolType.choices}
    if attribute == "locality":
        return {str(k): str(v) for k, v in Locality.choices}
    return {}


# Units already in one of these states take no part in another selection: a pilot or control
# of an earlier batch (announced before this selection) is neither a candidate nor a control.
PLACED = frozenset(
    {
        ParticipationState.PILOT,
        ParticipationState.CONTROL,
        ParticipationState.ACCEPTED,
        ParticipationState.CONDITIONAL,
        ParticipationState.NOT_ACCEPTED,
    }
)


def placed_elsewhere(selection: Any, frame: pd.DataFrame) -> pd.Series:
    """True for the rows already placed as pilot or control by something other than this
    selection (an earlier batch's notice); their reason is ``PLACED_REASON``."""
    own = set(selection.placements.values_list("unit_id", flat=True))
    own |= set(selection.controls.values_list("control_id", flat=True))
    return frame["state"].isin(PLACED) & ~frame["unit_id"].isin(own)


PLACED_REASON = _("已是本项目的试点或对照学校")
