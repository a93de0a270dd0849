"""Who may do what in inspections (core.access policies).

A visit is run by its programme's unit (owner: the office there manages it; the programme's
office-member grants reach it). Its inspectors are named on the visit itself, not by grants:
an extra rule lets each inspector VIEW the visit and REVIEW it (add findings on site), and
nothing else; an expert who is not an inspector of a visit sees nothing of it.

A finding is seen by the visit's readers and by the schools it covers (and the zones above
them); its photos follow the finding. A rectification item concerns its school (the school
sees and FILLs its own items only, the zone above sees them) and is managed by its issuing
unit; its history, answers and files follow the item.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.core.access import REVIEW, VIEW, Policy, path_q, register
from shidian.apps.core.access.actions import subtree_actions
from shidian.apps.inspections import models as m

PROGRAMME = "programmes.programme"


def named_inspector(user: Any, action: str, prefix: str) -> Q | None:
    if action not in (VIEW, REVIEW) or not user.pk:
        return None
    visits = m.InspectionVisit.inspectors.through.objects.filter(user_id=user.pk).values(
        "inspectionvisit_id"
    )
    return Q(**{f"{prefix}pk__in": visits})


def covered_school(user: Any, action: str, prefix: str) -> Q | None:
    """A school (or the zone above it) sees the findings that cover it."""
    if action != VIEW or user.unit_id is None or VIEW not in subtree_actions(user):
        return None
    covered = m.FindingUnit.objects.filter(path_q("unit", user.unit.path)).values("finding_id")
    return Q(**{f"{prefix}pk__in": covered})


def finding_readers(user: Any, action: str, prefix: str) -> Q | None:
    rules = [r for r in (named_inspector(user, action, f"{prefix}visit__"),) if r is not None]
    school = covered_school(user, action, prefix)
    if school is not None:
        rules.append(school)
    if not rules:
        return None
    found = rules[0]
    for rule in rules[1:]:
        found = found | rule
    return found


VISIT = Policy(
    unit="programme__unit",
    owner="programme__unit",
    targets=(("programme", PROGRAMME),),
    extra=named_inspector,
)
# The finding's own ``unit`` path is the visit's programme unit: schools reach it only through
# ``covered_school``, so a school never sees a finding about another school.
FINDING = Policy(
    unit="visit__programme__unit",
    owner="visit__programme__unit",
    targets=(("visit__programme", PROGRAMME),),
    extra=finding_readers,
)
ITEM = Policy(
    unit="unit",
    owner="issuer_unit",
    targets=(("programme", PROGRAMME),),
)


def register_all() -> None:
    register(m.InspectionVisit, VISIT)
    register(m.VisitUnit, VISIT.through("visit"))
    register(m.Finding, FINDING)
    register(m.FindingUnit, FINDING.through("finding"))
    register(m.FindingPhoto, FINDING.through("finding"))
    register(m.RectificationItem, ITEM)
    register(m.RectificationEvent, ITEM.through("item"))
    register(m.RectificationAnswer, ITEM.through("item"))
    register(m.AnswerFile, ITEM.through("answer__item"))
