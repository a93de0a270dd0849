"""Pairing as a Run (registered in runkinds.py): the page starts it, the run card shows its
progress, and it ends with the pairs written or a refusal naming the schools.

The engine runs first, writing nothing; the pairs are written in one transaction at the end
(pairing.pairing_apply), so a refusal, a failure or a cancel leaves the plan as it was.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.core.access import MANAGE, can, require
from shidian.apps.core.approval import locked
from shidian.apps.rollout.models import RolloutPlan
from shidian.apps.rollout.pairing import PairingRefused, pairing_apply, pairing_compute
from shidian.apps.rollout.services import check_limits, require_editable
from shidian.apps.runs.errors import RunError
from shidian.apps.runs.models import Run
from shidian.apps.runs.services import run_start

PAIR = "rollout.pair"


def active_pairing(plan: RolloutPlan) -> Run | None:
    """The plan's queued or running pairing (an interrupted one does not count: the office
    simply starts again)."""
    run = Run.objects.about(plan).filter(kind=PAIR).active().first()  # scoping: ok the plan's
    return run if run is not None and not run.is_interrupted else None


@transaction.atomic
def pairing_start(*, by: Any, plan: RolloutPlan, max_km: Any, max_load: Any) -> Run:
    """Queue the pairing of ``plan`` with these limits (the limits are saved with the pairs).
    While one is queued or running, that one is returned."""
    require(by, MANAGE, plan)
    plan = locked(plan)  # one start at a time, and its status as stored
    require_editable(plan)
    km, load = check_limits(max_km, max_load)
    if not plan.schools.exists():
        raise ValidationError(_("请先选择本批学校。"))
    running = active_pairing(plan)
    if running is not None:
        return running
    return run_start(
        PAIR,
        by=by,
        unit=plan.programme.unit,
        params={"rollout_id": plan.pk, "max_km": km, "max_load": load},
        subject=plan,
    )


def _plan(run: Run) -> RolloutPlan:
    found = RolloutPlan.objects.filter(pk=run.params.get("rollout_id")).first()  # scoping: ok id
    if found is None:
        raise RunError("not_found")
    return found


def pair(run: Run, progress: Any) -> dict[str, Any]:
    plan = _plan(run)
    if run.created_by is not None and not can(run.created_by, MANAGE, plan):
        raise RunError("not_found")  # the starter lost the right since: nothing is computed
    progress(0, 3, gettext_lazy("正在读取学校和试点"), force=True)
    params = run.params
    try:
        proposal = pairing_compute(plan, max_km=params["max_km"], max_load=params["max_load"])
        progress(2, 3, gettext_lazy("正在保存带动安排"), force=True)  # a cancel stops here
        pairing_apply(by=run.created_by, plan=plan, proposal=proposal)
    except PairingRefused as exc:
        raise RunError(exc.refusal_code, **exc.refusal_params) from exc
    except ValidationError as exc:  # the plan was submitted meanwhile, or bad limits
        raise RunError("pairing_input", detail=" ".join(exc.messages)) from exc
    return {
        "schools": len(proposal.schools),
        "leads": len(set(proposal.leads)),
        "total_km": round(proposal.total_km, 1),
    }


def describe_result(run: Run) -> str:
    r = run.result or {}
    return _("已为 %(n)d 所学校安排带动试点（%(leads)d 所试点带动），总距离 %(km)s 公里。") % {
        "n": r.get("schools", 0),
        "leads": r.get("leads", 0),
        "km": r.get("total_km", 0),
    }


def result_link(run: Run) -> tuple[str, Any] | None:
    from django.urls import reverse

    rollout_id = run.params.get("rollout_id")
    if not rollout_id:
        return None
    return reverse("rollout:detail", kwargs={"rollout_id": rollout_id}), gettext_lazy(
        "查看推广计划"
    )
