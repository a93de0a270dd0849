"""Writes of roll-out plans: create, pick the schools, pair them with leads (the engine), hand
moves, submit, return, approve (the schools become pilots of the plan's batch).

Who: the office (MANAGE on the programme) edits and submits; the leading group (APPROVE)
approves or returns, as in selection's approval. Participations move only through
``programmes.services`` inside the approval's transaction: one refused move changes nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.core import approval
from shidian.apps.core.access import APPROVE, MANAGE, require
from shidian.apps.core.approval import actor, audit, locked
from shidian.apps.rollout import selectors
from shidian.apps.rollout.models import PlanStatus, RolloutEvent, RolloutPlan, RolloutSchool

MAX_KM_LIMIT = 1000.0


def require_editable(plan: RolloutPlan) -> None:
    if not plan.editable:
        raise ValidationError(
            _("推广计划%(status)s，不能修改。") % {"status": plan.get_status_display()},
            code="not_editable",  # a state, not bad input: the API answers 409
        )


def check_limits(max_km: Any, max_load: Any) -> tuple[float, int]:
    try:
        km, load = float(max_km), int(max_load)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("距离上限和带动上限须为数字。")) from exc
    if not (0 < km <= MAX_KM_LIMIT):
        raise ValidationError(_("距离上限须在 0 到 %(n)d 公里之间。") % {"n": MAX_KM_LIMIT})
    if load < 1:
        raise ValidationError(_("每所试点最多带动的学校数至少为 1。"))
    return km, load


@transaction.atomic
def plan_create(
    *, by: Any, programme: Any, name: str, year: int, max_km: float = 30, max_load: int = 3
) -> RolloutPlan:
    require(by, MANAGE, programme)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写名称。"))
    km, load = check_limits(max_km, max_load)
    plan = RolloutPlan.objects.create(
        programme=programme,
        name=name[:200],
        year=int(year),
        max_km=km,
        max_load=load,
        created_by=actor(by),
    )
    audit(by, "rollout.create", plan, name)
    return plan


def _top(top: Any) -> int:
    """The page's 选前 N 所 count, which must be a whole number from 1."""
    text = str(top).strip()
    if not text.isdigit() or int(text) < 1:
        raise ValidationError(_("请填写要选的学校数。"))
    return int(text)


@transaction.atomic
def plan_pick(
    *, by: Any, plan: RolloutPlan, unit_ids: list[int] | None = None, top: Any = None
) -> int:
    """Set the plan's schools to ``unit_ids`` (remaining candidates only), or, with ``top``,
    to the first ``top`` remaining candidates in ranking order; schools kept keep their lead.
    Returns how many schools the plan has."""
    require(by, MANAGE, plan)
    plan = locked(plan)
    require_editable(plan)
    ranked = selectors.remaining_candidates(plan.programme)
    if top is not None:
        wanted = {c.unit.pk for c in ranked[: _top(top)]}
    else:
        wanted = {int(u) for u in unit_ids or ()}
    if not wanted:
        raise ValidationError(_("请至少选择一所学校。"))
    candidates = {c.unit.pk: c for c in ranked}
    outside = wanted - set(candidates)
    if outside:
        raise ValidationError(
            _("%(n)d 所学校不是尚未试点的候选学校，未做任何更改。") % {"n": len(outside)}
        )
    plan.schools.exclude(unit_id__in=wanted).delete()
    present = set(plan.schools.values_list("unit_id", flat=True))
    RolloutSchool.objects.bulk_create(
        [
            RolloutSchool(
                plan=plan,
                unit=candidates[u].unit,
                rank=candidates[u].rank,
                score=candidates[u].score,
            )
            for u in sorted(wanted - present, key=lambda u: candidates[u].unit.code)
        ]
    )
    plan.save(update_fields=["updated_at"])
    audit(by, "rollout.pick", plan, f"{plan.name}: {len(wanted)}")
    return len(wanted)


def _km(a: Any, b: Any) -> float | None:
    from shidian.engine.assignment.nearest import distances_km

    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    d = distances_km(np.array([[a.latitude, a.longitude]]), np.array([[b.latitude, b.longitude]]))
    return round(float(d[0, 0]), 2)


@transaction.atomic
def plan_set_lead(*, by: Any, plan: RolloutPlan, school: RolloutSchool, lead: Any) -> RolloutSchool:
    """A hand move: ``lead`` (a passed pilot) leads ``school``. Beyond the distance limit is
    allowed (the page marks it); beyond the maximum load is refused."""
    require(by, MANAGE, plan)
    plan = locked(plan)
    require_editable(plan)
    if school.plan_id != plan.pk:
        raise ValidationError(_("这所学校不在本推广计划中。"))
    if not selectors.possible_leads(plan.programme).filter(pk=lead.pk).exists():
        raise ValidationError(_("%(name)s不是通过验收的试点学校。") % {"name": lead.name})
    # the places it holds in the programme's approved plans count too
    load = plan.schools.filter(lead=lead).exclude(pk=school.pk).count()
    load += selectors.earlier_loads(plan).get(lead.pk, 0)
    if load >= plan.max_load:
        raise ValidationError(
            _("%(name)s已带动 %(n)d 所学校，达到上限。") % {"name": lead.name, "n": load}
        )
    school.lead, school.km, school.by_hand = lead, _km(school.unit, lead), True
    school.save(update_fields=["lead", "km", "by_hand"])
    plan.save(update_fields=["updated_at"])  # a new version of the plan (its API ETag)
    audit(by, "rollout.lead", plan, f"{lead.name} -> {school.unit.name}")
    return school


def _check_complete(plan: RolloutPlan) -> None:
    if not plan.schools.exists():
        raise ValidationError(_("请先选择本批学校。"), code="incomplete")
    alone = plan.schools.filter(lead__isnull=True).count()
    if alone:
        raise ValidationError(
            _("还有 %(n)d 所学校没有带动试点：请先安排带动。") % {"n": alone}, code="incomplete"
        )


@transaction.atomic
def plan_submit(*, by: Any, plan: RolloutPlan, note: str = "") -> RolloutPlan:
    require(by, MANAGE, plan)
    plan = locked(plan)
    require_editable(plan)
    note = approval.clean_comment(note, required=False)
    _check_complete(plan)
    approval.finish(
        plan,
        by=by,
        status=PlanStatus.PENDING,
        event=approval.SUBMITTED,
        comment=note,
        action="rollout.submit",
        summary=plan.name,
    )
    return plan


def _pending(by: Any, plan: RolloutPlan, refused: str) -> RolloutPlan:
    """The plan locked for the leading group's decision, which only a pending plan awaits."""
    return approval.open_step(
        plan, by=by, permission=APPROVE, statuses=(PlanStatus.PENDING,), refused=refused
    )


@transaction.atomic
def plan_return(*, by: Any, plan: RolloutPlan, comment: str) -> RolloutPlan:
    plan = _pending(by, plan, _("只有待审批的推广计划可以退回。"))
    comment = approval.clean_comment(comment, required=True)
    approval.finish(
        plan,
        by=by,
        status=PlanStatus.RETURNED,
        event=approval.RETURNED,
        comment=comment,
        action="rollout.return",
        summary=plan.name,
    )
    return plan


def _cycle_for(plan: RolloutPlan, size: int) -> Any:
    """The programme's cycle of the plan's year, or a new one after the last."""
    from shidian.apps.programmes.models import Cycle

    cycles = Cycle.objects.filter(programme=plan.programme)  # scoping: ok the plan's programme
    found = cycles.filter(year=plan.year).first()
    if found is not None:
        return found
    number = (cycles.aggregate(n=Max("number"))["n"] or 0) + 1
    return Cycle.objects.create(
        programme=plan.programme, number=number, year=plan.year, target=size
    )


def _check_loads(plan: RolloutPlan, rows: list[RolloutSchool]) -> None:
    """No lead over the load with the plans approved since this one was paired."""
    loads = selectors.earlier_loads(plan)
    for r in rows:
        loads[r.lead_id] = loads.get(r.lead_id, 0) + 1
    over = sorted({r.lead.name for r in rows if loads[r.lead_id] > plan.max_load})
    if over:
        raise ValidationError(
            _(
                "%(names)s连同已批准推广计划中带动的学校超过了每所最多带动 %(n)d 所："
                "请重新安排带动。"
            )
            % {"names": "、".join(over), "n": plan.max_load}
        )


@transaction.atomic
def plan_approve(*, by: Any, plan: RolloutPlan, comment: str = "") -> RolloutPlan:
    """Approve: the schools become pilots of the plan year's batch (a new cycle when the
    programme has none for that year), through programmes.services; all or nothing."""
    from shidian.apps.programmes.models import Participation
    from shidian.apps.programmes.services import participation_move_bulk

    plan = _pending(by, plan, _("只有待审批的推广计划可以批准。"))
    comment = approval.clean_comment(comment, required=False)
    _check_complete(plan)
    rows = list(plan.schools.select_related("unit", "lead"))
    leads = set(selectors.possible_leads(plan.programme).values_list("pk", flat=True))
    lost = [r.lead.name for r in rows if r.lead_id not in leads]
    if lost:
        raise ValidationError(
            _("%(names)s已不是通过验收的试点学校，请重新安排带动。") % {"names": "、".join(lost)}
        )
    _check_loads(plan, rows)
    parts = list(
        Participation.objects.filter(  # scoping: ok the plan's own schools
            programme=plan.programme, unit_id__in=[r.unit_id for r in rows]
        )
    )
    moving = [p for p in parts if p.state in selectors.REMAINING]
    if len(moving) != len(rows):
        raise ValidationError(_("部分学校已不是尚未试点的候选学校，请重新选择本批学校。"))
    cycle = _cycle_for(plan, len(rows))
    reason = _("推广计划：%(name)s") % {"name": plan.name}
    first = [p for p in moving if p.state in ("eligible", "recommended")]
    if first:
        participation_move_bulk(
            by=None,
            programme=plan.programme,
            participations=first,
            to="shortlisted",
            reason=reason,
            actor=by,
        )
    participation_move_bulk(
        by=None,
        programme=plan.programme,
        participations=moving,
        to="pilot",
        batch=cycle,
        reason=reason,
        actor=by,
    )
    plan.cycle = cycle
    approval.finish(
        plan,
        by=by,
        status=PlanStatus.APPROVED,
        event=approval.APPROVED,
        comment=comment,
        action="rollout.approve",
        summary=f"{plan.name}: {len(rows)} -> {cycle}",
        fields=("cycle",),
    )
    return plan


def last_return(plan: RolloutPlan) -> RolloutEvent | None:
    return approval.last_return(plan)


def register() -> None:
    from shidian.apps.core.audit import register_actions

    register_actions(
        {
            "rollout.create": gettext_lazy("新建推广计划"),
            "rollout.pick": gettext_lazy("选择推广学校"),
            "rollout.pair": gettext_lazy("安排辐射带动"),
            "rollout.lead": gettext_lazy("调整带动试点"),
            "rollout.submit": gettext_lazy("提交推广计划审批"),
            "rollout.return": gettext_lazy("退回推广计划"),
            "rollout.approve": gettext_lazy("批准推广计划"),
        }
    )
