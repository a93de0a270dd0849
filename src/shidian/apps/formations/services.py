"""Formation writes and the bridge to the grouping engine.

Keyword-only, atomic, audited. A formation's assignment (draft or version) is
``{"unit_ids": [...], "labels": [...], "leads": [unit id per community]}``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.audit import register_actions
from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.formations.inputs import SELF_TOTAL, Inputs, clean_params
from shidian.apps.formations.models import Formation, FormationStatus, FormationVersion
from shidian.engine.errors import EngineInputError, InfeasibleError
from shidian.engine.grouping.panel import BalancePanel
from shidian.engine.grouping.spec import validate

KIND = "formations.form"
BREACH_MESSAGES = {
    "lead": gettext_lazy("牵头校不能移出本共同体，请先更换牵头校。"),
    "max_km": gettext_lazy("超出与牵头校的距离上限。"),
    "apart": gettext_lazy("与须分开的学校落在同一共同体。"),
    "size_min": gettext_lazy("原共同体将少于规模下限。"),
    "size_max": gettext_lazy("目标共同体将超过规模上限。"),
    "group": gettext_lazy("目标共同体不存在。"),
}


def register() -> None:
    register_actions(
        {
            "formations.create": gettext_lazy("新建共同体组建方案"),
            "formations.propose": gettext_lazy("保存引擎组建结果"),
            "formations.move": gettext_lazy("调整组建草稿"),
            "formations.version": gettext_lazy("保存组建方案版本"),
            "formations.adopt": gettext_lazy("采用组建方案版本"),
            "formations.import": gettext_lazy("导入组建名单"),
        }
    )


# ---------------------------------------------------------------- parameters and units

ENGINE_HINTS = {
    "Group size bounds": gettext_lazy("规模上下限不一致：下限大于上限，请调整规模上下限。"),
    "groups need at least": gettext_lazy("共同体数量多于可参与的学校，请减少共同体数量。"),
    "possible leads": gettext_lazy(
        "可作牵头校的学校少于共同体数量，请增加牵头校或减少共同体数量。"
    ),
    "--size-min": gettext_lazy("规模下限过高，请降低规模下限或减少共同体数量。"),
    "--size-max": gettext_lazy("规模上限过低，请提高规模上限或增加共同体数量。"),
    "km": gettext_lazy("距离上限过严：有学校离所有牵头校都太远，请放宽距离上限或调整牵头校。"),
    "apart": gettext_lazy("须分开的学校对过多，超出共同体数量，请减少分开约束或增加共同体数量。"),
    "together": gettext_lazy("须同组的学校过多，超出规模上限，请减少同组约束。"),
}


# the engine's constraint families (engine.grouping.start.FAMILY_TEXT) in the office's words
FAMILY_NAMES = {
    "categories": gettext_lazy("类别均衡"),
    "apart": gettext_lazy("须分开的学校对"),
    "together": gettext_lazy("须同组的学校对"),
    "fixed": gettext_lazy("固定的学校"),
    "leads": gettext_lazy("每个共同体一所牵头校"),
    "max_km": gettext_lazy("与牵头校的距离上限"),
    "sizes": gettext_lazy("规模上下限"),
}


def engine_message(exc: Exception) -> str:
    """A Chinese sentence naming the constraint, the engine's English detail after it."""
    from shidian.engine.grouping.start import FAMILY_TEXT

    text = str(exc)
    relaxations = getattr(exc, "relaxations", None) or []
    family_of = {v: k for k, v in FAMILY_TEXT.items()}
    families = [family_of[r] for r in relaxations if r in family_of]
    if families:  # the engine named the families that cannot all hold: say those
        names = "、".join(str(FAMILY_NAMES[f]) for f in families)
        hint = _(
            "这些组建条件不能同时满足：%(names)s。请放宽其中之一（增加共同体数量、放宽规模"
            "上下限、减少学校对、放宽距离上限或增加牵头校）。"
        ) % {"names": names}
        return f"{hint} （{text}）"
    for needle, hint in ENGINE_HINTS.items():
        if needle in text:
            return f"{hint} （{text}）"
    return _("组建条件无法满足：%(detail)s") % {"detail": text}


def largest_apart_clique(n: int, pairs: list[tuple[int, int]]) -> list[int]:
    """The largest set of items that must all be apart (Bron-Kerbosch with pivot)."""
    adj: dict[int, set[int]] = {}
    for a, b in pairs:
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    best: list[int] = []

    def expand(r: list[int], p: set[int], x: set[int]) -> None:
        nonlocal best
        if not p and not x:
            if len(r) > len(best):
                best = list(r)
            return
        if len(r) + len(p) <= len(best):
            return
        pivot = max(p | x, key=lambda v: len(adj[v] & p))
        for v in list(p - adj[pivot]):
            expand([*r, v], p & adj[v], x & adj[v])
            p.discard(v)
            x.add(v)

    expand([], set(adj), set())
    return sorted(best)


def precheck(formation: Formation) -> Inputs:
    """Cheap checks before a run: ValidationError naming the constraint; nothing saved."""
    inputs = Inputs(formation)
    if not inputs.units:
        raise ValidationError(_("组建范围内没有学校，请调整学校范围。"), code="no_units")
    feats = (formation.params or {}).get("features") or []
    if SELF_TOTAL in feats and inputs.missing_totals:
        missing = inputs.missing_totals
        raise ValidationError(
            _(
                "按自评总分均衡需要每所学校都有已通过的自查赋分，以下 %(count)s 所学校"
                "没有：%(names)s。请先完成自查审核，或不选“自评总分”。"
            )
            % {
                "count": len(missing),
                "names": "、".join(f"{u.name}（{u.code}）" for u in missing[:10]),
            },
            code="self_total",
        )
    try:
        spec = inputs.spec(formation)
        validate(spec)
        clique = largest_apart_clique(len(inputs.units), inputs.apart)
        if len(clique) > spec.n_groups:
            raise ValidationError(
                _(
                    "须分开的学校中有 %(size)s 所两两须分开（%(codes)s），"
                    "多于共同体数量 %(k)s：请减少分开约束或增加共同体数量。"
                )
                % {
                    "size": len(clique),
                    "codes": "、".join(inputs.units[i].code for i in clique),
                    "k": spec.n_groups,
                },
                code="apart_clique",
            )
        if spec.max_km is not None:
            from shidian.engine.grouping.prepare import build_problem

            build_problem(spec)  # distance and pair components are checked here
    except (EngineInputError, InfeasibleError) as exc:
        raise ValidationError(engine_message(exc), code="infeasible") from exc
    return inputs


# ---------------------------------------------------------------- writes


@transaction.atomic
def formation_create(
    *, by: Any, owner_unit: Any, name: str, kind: str, params: dict, programme: Any = None
) -> Formation:
    require(by, MANAGE, owner_unit)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写组建方案名称。"), code="name")
    formation = Formation(
        owner_unit=owner_unit,
        programme=programme,
        name=name,
        kind=kind,
        params=clean_params(params),
        created_by=by,
    )
    formation.save()
    audit_record(
        actor=by, action="formations.create", target=formation, unit=owner_unit, summary=name
    )
    return formation


def formation_run(*, by: Any, formation: Formation):
    """Validate cheaply, then start the engine run (a Run of kind formations.form)."""
    from shidian.apps.runs.services import run_start

    require(by, MANAGE, formation)
    precheck(formation)
    with transaction.atomic():
        Formation.objects.filter(pk=formation.pk).update(  # scoping: ok checked above
            status=FormationStatus.RUNNING
        )
        return run_start(
            KIND,
            by=by,
            unit=formation.owner_unit,
            params={"formation_id": formation.pk},
            subject=formation,
        )


def propose(formation: Formation, *, by: Any = None, progress=None) -> FormationVersion:
    """Run the engine now (the Run's body) and keep its result as draft and version 1."""
    from shidian.engine.grouping import group_items

    inputs = precheck(formation)
    spec = inputs.spec(formation)
    try:
        result = group_items(spec)
    except (EngineInputError, InfeasibleError) as exc:
        raise ValidationError(engine_message(exc), code="infeasible") from exc
    assignment = {
        "unit_ids": [u.pk for u in inputs.units],
        "labels": [int(v) for v in result.labels],
        "leads": [inputs.units[int(i)].pk for i in result.leads],
    }
    return _store_version(formation, assignment, by=by, note=str(_("引擎建议方案")), first=True)


@transaction.atomic
def _store_version(formation, assignment, *, by, note, first=False) -> FormationVersion:
    formation = Formation.objects.select_for_update().get(pk=formation.pk)  # scoping: ok
    number = (
        formation.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = FormationVersion.objects.create(
        formation=formation,
        number=number,
        assignment=assignment,
        note=note,
        balance=balance_snapshot(formation, assignment),
        created_by=person_or_none(by),
    )
    formation.draft = assignment
    formation.status = FormationStatus.DRAFT
    formation.save(update_fields=["draft", "status", "updated_at"])
    audit_record(
        actor=by,
        action="formations.propose" if first else "formations.version",
        target=version,
        unit=formation.owner_unit,
        summary=f"v{number}: {note}",
    )
    return version


def panel_of(formation: Formation, assignment: dict | None = None):
    """(BalancePanel, Inputs, units) for an assignment (default: the draft)."""
    from shidian.apps.orgs.models import OrgUnit

    a = assignment if assignment is not None else formation.draft
    ids = a.get("unit_ids") or []
    by_pk = OrgUnit.objects.in_bulk(ids)  # scoping: ok ids of the formation's assignment
    units = [by_pk[i] for i in ids if i in by_pk]
    inputs = Inputs(formation, units=units)
    labels = np.array([a["labels"][n] for n, i in enumerate(ids) if i in by_pk], dtype=np.int64)
    leads = np.array([inputs.index.get(pk, -1) for pk in a.get("leads") or []], dtype=np.int64)
    p = formation.params or {}
    k = max(len(leads), int(labels.max()) + 1 if labels.size else 0)
    panel = BalancePanel(
        features=inputs.features,
        feature_names=inputs.feature_names,
        categories=inputs.categories,
        category_names=inputs.category_names,
        category_levels=inputs.category_levels,
        labels=labels,
        k=k,
        leads=leads if leads.size else None,
        coords=inputs.coords,
        max_km=inputs.max_km,
        apart=inputs.apart,
        size_min=p.get("size_min"),
        size_max=p.get("size_max"),
        item_names=[u.code for u in units],
    )
    return panel, inputs


def balance_snapshot(formation, assignment) -> dict:
    panel, _inputs = panel_of(formation, assignment)
    s = panel.summary()
    return {
        "features": [
            {"name": f.name, "mean": f.mean, "sd": f.sd, "max_dev": f.max_deviation_sd}
            for f in s.features
        ],
        "categories": s.categories,
        "sizes": s.sizes,
        "worst_km": s.worst_km,
    }


def breach_text(breaches) -> str:
    return "；".join(f"{BREACH_MESSAGES.get(b.code, b.code)}（{b.detail}）" for b in breaches)


@transaction.atomic
def draft_move(*, by: Any, formation: Formation, unit_id: int, to_group: int) -> None:
    require(by, MANAGE, formation)
    formation = Formation.objects.select_for_update().get(pk=formation.pk)  # scoping: ok
    if not formation.draft:
        raise ValidationError(_("尚无组建草稿，请先运行测算。"), code="no_draft")
    panel, inputs = panel_of(formation)
    item = inputs.index.get(int(unit_id))
    if item is None:
        raise ValidationError(_("该学校不在本组建方案中。"), code="unknown_unit")
    breaches = panel.move(item, int(to_group))
    if breaches:
        raise ValidationError(
            _("不能移动：%(why)s") % {"why": breach_text(breaches)}, code="move_refused"
        )
    draft = dict(formation.draft)
    pos = draft["unit_ids"].index(int(unit_id))
    labels = list(draft["labels"])
    old = labels[pos]
    labels[pos] = int(to_group)
    draft["labels"] = labels
    formation.draft = draft
    formation.save(update_fields=["draft", "updated_at"])
    audit_record(
        actor=by,
        action="formations.move",
        target=formation,
        unit=formation.owner_unit,
        summary=f"{inputs.units[item].code}: {old + 1} → {int(to_group) + 1}",
    )


def version_save(*, by: Any, formation: Formation, note: str) -> FormationVersion:
    require(by, MANAGE, formation)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("保存版本时须说明调整原因。"), code="note")
    if not formation.draft:
        raise ValidationError(_("尚无组建草稿，请先运行测算。"), code="no_draft")
    return _store_version(formation, formation.draft, by=by, note=note)


def compare(formation: Formation, a: FormationVersion, b: FormationVersion) -> dict:
    """Who moved where between two versions, and the balance before/after."""
    from shidian.apps.orgs.models import OrgUnit

    la = dict(zip(a.assignment["unit_ids"], a.assignment["labels"], strict=True))
    lb = dict(zip(b.assignment["unit_ids"], b.assignment["labels"], strict=True))
    moved = [
        (pk, la.get(pk), lb.get(pk)) for pk in sorted(set(la) | set(lb)) if la.get(pk) != lb.get(pk)
    ]
    names = OrgUnit.objects.in_bulk([m[0] for m in moved])  # scoping: ok formation's units
    rows = [
        {
            "unit": names.get(pk),
            "before": (x + 1) if x is not None else None,
            "after": (y + 1) if y is not None else None,
        }
        for pk, x, y in moved
    ]
    feats = [
        {"name": fa["name"], "before": fa["max_dev"], "after": fb["max_dev"]}
        for fa, fb in zip(
            a.balance.get("features", []), b.balance.get("features", []), strict=False
        )
    ]
    return {"moved": rows, "features": feats}


@transaction.atomic
def version_adopt(*, by: Any, version: FormationVersion) -> list:
    """Create or update the formation's communities from ``version``."""
    from shidian.apps.communities.models import Community
    from shidian.apps.communities.services import community_create, community_set_members
    from shidian.apps.orgs.models import OrgUnit

    formation = version.formation
    require(by, MANAGE, formation)
    a = version.assignment
    units = OrgUnit.objects.in_bulk(a["unit_ids"])  # scoping: ok formation's units
    groups: dict[int, list] = {}
    for pk, g in zip(a["unit_ids"], a["labels"], strict=True):
        if pk in units:
            groups.setdefault(int(g), []).append(units[pk])
    existing = {
        c.number: c
        for c in Community.objects.filter(  # scoping: ok the formation's own communities
            owner_unit=formation.owner_unit,
            formation_version_id__in=list(formation.versions.values_list("pk", flat=True)),
            is_active=True,
        )
    }
    out = []
    for g, lead_pk in enumerate(a["leads"]):
        lead = units.get(lead_pk)
        members = groups.get(g, [])
        if lead is None:
            continue
        name = _("%(name)s 第%(number)s共同体") % {"name": formation.name, "number": g + 1}
        community = existing.get(g + 1)
        if community is None:
            community = community_create(
                by=by,
                owner_unit=formation.owner_unit,
                name=name,
                lead=lead,
                members=members,
                kind=formation.kind,
                programme=formation.programme,
                number=g + 1,
                formation_version_id=version.pk,
            )
        else:
            community_set_members(
                by=by,
                community=community,
                lead=lead,
                members=members,
                formation_version_id=version.pk,
            )
        out.append(community)
    formation.adopted_version = version
    formation.status = FormationStatus.ADOPTED
    formation.save(update_fields=["adopted_version", "status", "updated_at"])
    audit_record(
        actor=by,
        action="formations.adopt",
        target=version,
        unit=formation.owner_unit,
        summary=f"v{version.number}: {len(out)}",
    )
    return out
