"""Pairing a plan's schools with leads (engine.assignment.nearest), in two halves so a Run can
do it (jobs.py): ``pairing_compute`` reads and calls the engine, writing nothing;
``pairing_apply`` writes the pairs in one transaction, and only if the plan is as it was read.
``plan_pair`` does both at once (the demo, scripts).

A lead's load counts the schools it leads in the programme's approved plans as well as in this
one: the engine gets those as ``used`` places.

A refusal is a ``PairingRefused``: a code and plain params (names already joined), so a Run can
store it and ``describe_refusal`` tell it in the reader's language later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.approval import audit, locked
from shidian.apps.rollout import selectors
from shidian.apps.rollout.models import RolloutPlan, RolloutSchool
from shidian.apps.rollout.services import check_limits, require_editable

SHOWN_NAMES = 10


class PairingRefused(ValidationError):
    def __init__(self, code: str, **params: Any) -> None:
        self.refusal_code, self.refusal_params = code, params
        super().__init__(describe_refusal(code, params))


@dataclass(frozen=True)
class Proposal:
    max_km: float
    max_load: int
    schools: tuple[tuple[int, int], ...]  # (RolloutSchool pk, unit pk), as read
    used: tuple[tuple[int, int], ...]  # (lead pk, places in approved plans), as read
    leads: tuple[int, ...]  # for each school, its lead's unit pk
    km: tuple[float, ...]
    total_km: float


def _names(units: list[Any], idx: list[int]) -> dict[str, Any]:
    return {"names": "、".join(units[i].name for i in idx[:SHOWN_NAMES]), "count": len(idx)}


def _named(params: dict[str, Any], key: str = "names", count: str = "count") -> str:
    text = str(params.get(key, ""))
    n = int(params.get(count) or 0)
    if n > SHOWN_NAMES:
        text += _("等 %(n)d 所") % {"n": n}
    return text


def describe_refusal(code: str, p: dict[str, Any]) -> str | None:
    """A pairing refusal in the user's language, naming the schools (None: not a refusal)."""
    if code == "pairing_no_leads":
        return _("还没有通过验收的试点学校，无法安排带动。")
    if code == "pairing_out_of_reach":
        return _(
            "%(names)s距最近的试点学校都超过 %(km)s 公里（最近距离，公里：%(far)s）："
            "请放宽距离上限，或不把这些学校列入本批。"
        ) % {"names": _named(p), "km": p["km"], "far": p["far"]}
    if code == "pairing_capacity" and p.get("used"):
        return (
            _(
                "%(need)d 所学校超过了带动容量（%(leads)d 所试点 × 每所最多 %(load)d 所，"
                "已批准的推广计划占用 %(used)d 个名额，余 %(have)d 所）："
                "请提高每所试点最多带动的学校数，或减少本批学校。"
            )
            % p
        )
    if code == "pairing_capacity":
        return (
            _(
                "%(need)d 所学校超过了带动容量（%(leads)d 所试点 × 每所最多 %(load)d 所 = "
                "%(have)d 所）：请提高每所试点最多带动的学校数，或减少本批学校。"
            )
            % p
        )
    if code == "pairing_crowded":
        return _(
            "%(names)s（%(n)d 所）在距离上限内只能由%(leads)s带动，最多容纳 %(have)d 所："
            "请放宽距离上限或提高带动上限。"
        ) % {
            "names": _named(p),
            "n": p["count"],
            "leads": _named(p, "leads", "lead_count") or _("无"),
            "have": p["have"],
        }
    if code == "pairing_no_coords":
        return _("%(names)s没有经纬度，无法计算距离：请先在单位信息中补充。") % {"names": _named(p)}
    if code == "pairing_no_schools":
        return _("请先选择本批学校。")
    if code == "pairing_input":
        return _("无法安排带动：%(detail)s") % p
    if code == "pairing_changed":
        return _(
            "计算期间推广计划已有变动（学校、状态或其他计划的审批），未做任何更改：请重新安排带动。"
        )
    return None


def _refusal(err: Any, schools: list[Any], leads: list[Any], km: float, load: int) -> Any:
    p = err.params
    if err.code == "pairing_out_of_reach":
        far = ", ".join(
            f"{schools[i].name} {d:g}"
            for i, d in zip(p["schools"][:SHOWN_NAMES], p["nearest_km"], strict=False)
        )
        return PairingRefused(err.code, km=f"{km:g}", far=far, **_names(schools, p["schools"]))
    if err.code == "pairing_capacity":
        taken = len(leads) * load - p["have"]  # places the approved plans hold
        return PairingRefused(
            err.code, need=p["need"], have=p["have"], leads=len(leads), load=load, used=taken
        )
    if err.code == "pairing_crowded":
        led = _names(leads, p["leads"])
        return PairingRefused(
            err.code,
            have=p["have"],
            leads=led["names"],
            lead_count=led["count"],
            **_names(schools, p["schools"]),
        )
    return PairingRefused(err.code)


def _read(plan: RolloutPlan) -> tuple[list[RolloutSchool], list[Any], dict[int, int]]:
    rows = list(plan.schools.select_related("unit").order_by("unit__code"))
    leads = [
        u
        for u in selectors.possible_leads(plan.programme)
        if u.latitude is not None and u.longitude is not None
    ]
    return rows, leads, selectors.earlier_loads(plan)


def pairing_compute(plan: RolloutPlan, *, max_km: Any, max_load: Any) -> Proposal:
    """The nearest pairing the limits allow, written nowhere; a refusal raises PairingRefused."""
    from shidian.engine.assignment.nearest import pair_nearest
    from shidian.engine.errors import EngineInputError

    require_editable(plan)
    km, load = check_limits(max_km, max_load)
    rows, leads, earlier = _read(plan)
    if not rows:
        raise PairingRefused("pairing_no_schools")
    missing = [r.unit for r in rows if r.unit.latitude is None or r.unit.longitude is None]
    if missing:
        raise PairingRefused("pairing_no_coords", **_names(missing, list(range(len(missing)))))
    used = [earlier.get(u.pk, 0) for u in leads]
    try:
        found = pair_nearest(
            [(r.unit.latitude, r.unit.longitude) for r in rows],
            [(u.latitude, u.longitude) for u in leads],
            max_km=km,
            max_load=load,
            used=used,
        )
    except EngineInputError as err:
        if getattr(err, "code", None):
            raise _refusal(err, [r.unit for r in rows], leads, km, load) from err
        raise PairingRefused("pairing_input", detail=err.message) from err
    return Proposal(
        max_km=km,
        max_load=load,
        schools=tuple((r.pk, r.unit_id) for r in rows),
        used=tuple(sorted(earlier.items())),
        leads=tuple(leads[j].pk for j in found.lead),
        km=tuple(round(d, 2) for d in found.km),
        total_km=found.total_km,
    )


@transaction.atomic
def pairing_apply(*, by: Any, plan: RolloutPlan, proposal: Proposal) -> RolloutPlan:
    """Write the proposal's pairs, all or none: refused when the plan is no longer editable or
    its schools, or the approved plans' loads, changed since it was computed."""
    plan = locked(plan)
    rows = list(plan.schools.order_by("unit__code"))
    now = tuple((r.pk, r.unit_id) for r in rows)
    earlier = tuple(sorted(selectors.earlier_loads(plan).items()))
    if not plan.editable or now != proposal.schools or earlier != proposal.used:
        raise PairingRefused("pairing_changed")
    for row, lead, km in zip(rows, proposal.leads, proposal.km, strict=True):
        row.lead_id, row.km, row.by_hand = lead, km, False
    RolloutSchool.objects.bulk_update(rows, ["lead", "km", "by_hand"])
    plan.max_km, plan.max_load = proposal.max_km, proposal.max_load
    plan.save(update_fields=["max_km", "max_load", "updated_at"])
    summary = f"{plan.name}: {len(rows)}"
    audit(by, "rollout.pair", plan, summary, total_km=proposal.total_km)
    return plan


@transaction.atomic
def plan_pair(
    *, by: Any, plan: RolloutPlan, max_km: Any = None, max_load: Any = None
) -> RolloutPlan:
    """Pair every school with the nearest lead the limits allow, in one go: the total distance
    smallest, no lead over its load (approved plans included). A refusal changes nothing."""
    require(by, MANAGE, plan)
    plan = locked(plan)
    proposal = pairing_compute(
        plan,
        max_km=plan.max_km if max_km is None else max_km,
        max_load=plan.max_load if max_load is None else max_load,
    )
    return pairing_apply(by=by, plan=plan, proposal=proposal)
