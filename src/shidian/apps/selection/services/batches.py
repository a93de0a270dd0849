"""Batches (批次安排): the chosen pilots go to the programme's cycles, by rank or balanced.

The ranking read is the adopted reconciliation's ``result["ranking"]`` when there is one, else
the adopted shortlist by rank; the top ``Selection.pilot_count`` are the pilots and keep their
position in it as ``BatchPlacement.rank``. Batch sizes are the programme's cycle targets in
cycle order; when they do not add up to the number of pilots nothing is formed and the page
says what to change.

Hand changes: a swap of two pilots between batches keeps every size; a single move changes
two sizes, so it is refused unless the office ticks that it accepts sizes different from the
targets (the page then marks the batches whose size is off target). Both mark the placements
``by_hand``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record
from shidian.apps.selection.candidates import ATTRIBUTES, candidate_frame
from shidian.apps.selection.models import BatchPlacement, Selection, Shortlisted
from shidian.apps.selection.services.selections import (
    ensure_open,
    locked,
    open_cycles,
    touch,
)
from shidian.engine.selection.batches import balanced_batches, batches_by_rank

BY_RANK, BALANCED = "rank", "balanced"
METHODS = {BY_RANK: gettext_lazy("按名次"), BALANCED: gettext_lazy("均衡分批")}
TIME_LIMIT = 10.0


@dataclass
class Plan:
    """What forming the batches would use: the pilots (best first), the cycles and sizes, and
    the reasons it cannot be formed (empty when it can)."""

    source: str  # "reconciliation", "shortlist" or ""
    pilots: list[dict[str, Any]]  # unit_id, code, name, rank, score
    cycles: list[Any]
    sizes: tuple[int, ...]
    problems: list[str] = field(default_factory=list)


def ranking_of(selection: Selection) -> tuple[str, list[dict[str, Any]]]:
    """The ranking the batches (and the design check) read, best first."""
    if selection.reconciliation_id:
        rows = sorted(
            selection.reconciliation.result.get("ranking", []), key=lambda r: r.get("rank", 0)
        )
        return "reconciliation", [
            {
                "unit_id": r["unit_id"],
                "code": str(r.get("code", "")),
                "name": r.get("name", ""),
                "score": r.get("final_score"),
            }
            for r in rows
        ]
    if selection.shortlist_id:
        rows = Shortlisted.objects.filter(selection=selection).select_related("unit")
        return "shortlist", [
            {"unit_id": s.unit_id, "code": str(s.unit.code), "name": s.unit.name, "score": s.score}
            for s in rows.order_by("rank")
        ]
    return "", []


def batch_plan(selection: Selection) -> Plan:
    source, ranking = ranking_of(selection)
    pilots = [dict(r, rank=i) for i, r in enumerate(ranking[: selection.pilot_count], start=1)]
    cycles = open_cycles(selection.programme, selection)
    sizes = tuple(int(c.target) for c in cycles)
    problems = []
    if not source:
        problems.append(_("还没有采用入围名单或评分汇总，暂无可分批的试点学校。"))
    elif len(ranking) < selection.pilot_count:
        problems.append(
            _("排名中只有 %(n)d 所学校，少于试点学校数 %(k)d：请减少遴选的试点学校数。")
            % {"n": len(ranking), "k": selection.pilot_count}
        )
    if not cycles:
        problems.append(
            _("试点项目没有待遴选的批次（各批次都已有试点）：请先在项目中添加年度批次及目标数。")
        )
    elif sum(sizes) != selection.pilot_count:
        problems.append(
            _(
                "各批次目标数（%(sizes)s）合计 %(total)d 所，与试点学校数 %(k)d 不一致：请修改"
                "项目的批次目标数，或修改遴选的试点学校数。"
            )
            % {
                "sizes": " / ".join(map(str, sizes)),
                "total": sum(sizes),
                "k": selection.pilot_count,
            }
        )
    elif any(s < 1 for s in sizes):
        problems.append(_("每个批次的目标数至少为 1：请修改项目的批次目标数。"))
    return Plan(source, pilots, cycles, sizes, problems)


def pilot_labels(selection: Selection, unit_ids: list[int], attributes: list[str]) -> dict:
    """attribute -> array of the pilots' values (in ``unit_ids`` order), and the population's
    values per attribute (the candidates of ``candidate_frame``)."""
    frame = candidate_frame(selection)
    by_unit = frame.set_index("unit_id")
    labels = {
        a: np.array([str(by_unit[a].get(u, "")) if u in by_unit.index else "" for u in unit_ids])
        for a in attributes
    }
    population = {a: frame[a].astype(str).to_numpy() for a in attributes}
    return {"labels": labels, "population": population, "frame": frame}


def _audit(by: Any, action: str, selection: Selection, summary: str, data: dict) -> None:
    audit_record(
        actor=by,
        action=action,
        target=selection,
        unit=selection.programme.unit,
        summary=summary,
        data=data,
    )


@transaction.atomic
def batches_form(
    *, by: Any, selection: Selection, method: str, attributes: list[str] | tuple[str, ...] = ()
) -> list[BatchPlacement]:
    """Replace the placements: the pilots by rank into the cycles in order (``rank``), or so
    that each batch mirrors the selection over ``attributes`` (``balanced``, the engine's
    batch MILP; among equally balanced assignments better-ranked pilots start earlier)."""
    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    if method not in METHODS:
        raise ValidationError(_("请选择分批方式。"))
    attributes = [a for a in ATTRIBUTES if a in set(attributes)]
    if method == BALANCED and not attributes:
        raise ValidationError(_("均衡分批请至少勾选一项属性。"))
    plan = batch_plan(selection)
    if plan.problems:
        raise ValidationError(plan.problems)
    ids = [p["unit_id"] for p in plan.pilots]
    if method == BALANCED:
        labels = pilot_labels(selection, ids, attributes)["labels"]
        batch = balanced_batches(labels, plan.sizes, time_limit=TIME_LIMIT)
    else:
        batch = batches_by_rank(len(ids), plan.sizes)
    BatchPlacement.objects.filter(selection=selection).delete()
    made = BatchPlacement.objects.bulk_create(
        BatchPlacement(
            selection=selection, unit_id=p["unit_id"], cycle=plan.cycles[int(b) - 1], rank=p["rank"]
        )
        for p, b in zip(plan.pilots, batch, strict=True)
    )
    _audit(
        by,
        "selection.batches_form",
        selection,
        _("%(method)s：%(sizes)s")
        % {"method": METHODS[method], "sizes": "/".join(map(str, plan.sizes))},
        {"method": method, "attributes": attributes, "sizes": list(plan.sizes)},
    )
    touch(selection)
    return made


def _placement(selection: Selection, unit_id: Any) -> BatchPlacement:
    found = (
        BatchPlacement.objects.filter(selection=selection, unit_id=unit_id)
        .select_related("cycle", "unit")
        .first()
    )
    if found is None:
        raise ValidationError(_("这所学校不在批次安排中。"))
    return found


def _sizes(selection: Selection) -> dict[int, int]:
    counts: dict[int, int] = {}
    for cycle_id in BatchPlacement.objects.filter(selection=selection).values_list(
        "cycle_id", flat=True
    ):
        counts[cycle_id] = counts.get(cycle_id, 0) + 1
    return counts


@transaction.atomic
def batch_move(
    *, by: Any, selection: Selection, unit_id: int, cycle_id: int, accept_sizes: bool = False
) -> BatchPlacement:
    """Move one pilot to another batch. Its old batch loses one and the new one gains one, so
    unless ``accept_sizes`` the move is refused when a size would leave its target."""
    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    placement = _placement(selection, unit_id)
    cycle = next((c for c in open_cycles(selection.programme, selection) if c.pk == cycle_id), None)
    if cycle is None:
        raise ValidationError(_("请选择本项目的一个批次。"))
    if cycle.pk == placement.cycle_id:
        raise ValidationError(_("这所学校已在%(batch)s。") % {"batch": cycle})
    sizes = _sizes(selection)
    after_old = sizes.get(placement.cycle_id, 0) - 1
    after_new = sizes.get(cycle.pk, 0) + 1
    off = after_old != placement.cycle.target or after_new != cycle.target
    if off and not accept_sizes:
        raise ValidationError(
            _(
                "移动后%(old)s将有 %(a)d 所（目标 %(ta)d 所），%(new)s将有 %(b)d 所（目标 %(tb)d "
                "所）。如接受与目标不同的批次规模，请勾选“接受批次规模与目标不同”；否则请改用"
                "对调两所学校。"
            )
            % {
                "old": placement.cycle,
                "a": after_old,
                "ta": placement.cycle.target,
                "new": cycle,
                "b": after_new,
                "tb": cycle.target,
            }
        )
    old = placement.cycle
    placement.cycle, placement.by_hand = cycle, True
    placement.save(update_fields=["cycle", "by_hand"])
    _audit(
        by,
        "selection.batches_move",
        selection,
        _("%(unit)s：%(old)s → %(new)s") % {"unit": placement.unit.name, "old": old, "new": cycle},
        {"unit": placement.unit_id, "from": old.number, "to": cycle.number, "sizes_off": off},
    )
    touch(selection)
    return placement


@transaction.atomic
def batch_swap(
    *, by: Any, selection: Selection, unit_a: int, unit_b: int
) -> tuple[BatchPlacement, BatchPlacement]:
    """Swap the batches of two pilots (every batch keeps its size)."""
    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    a, b = _placement(selection, unit_a), _placement(selection, unit_b)
    if a.cycle_id == b.cycle_id:
        raise ValidationError(_("两所学校在同一批次，对调不会改变什么：请选择不同批次的学校。"))
    a.cycle, b.cycle = b.cycle, a.cycle
    a.by_hand = b.by_hand = True
    BatchPlacement.objects.bulk_update([a, b], ["cycle", "by_hand"])
    _audit(
        by,
        "selection.batches_swap",
        selection,
        _("对调 %(a)s 与 %(b)s") % {"a": a.unit.name, "b": b.unit.name},
        {"units": [a.unit_id, b.unit_id], "batches": [a.cycle.number, b.cycle.number]},
    )
    touch(selection)
    return a, b


def placements_of(selection: Selection) -> list[BatchPlacement]:
    return list(
        BatchPlacement.objects.filter(selection=selection)
        .select_related("unit", "cycle")
        .order_by("cycle__number", "rank")
    )


def balance_panel(selection: Selection, placements: list[BatchPlacement]) -> dict[str, Any]:
    """The balance figures of the current placements (engine ``batch_report``): per batch its
    size against the target, mean score and largest |batch share - population share| over
    every attribute; the same for the whole selection; per attribute value the population's
    count and share, the selection's count and each batch's count."""
    from shidian.apps.selection.candidates import attribute_labels
    from shidian.engine.selection.batches import batch_report

    plan = batch_plan(selection)
    if not placements:
        return {"plan": plan, "batches": [], "attributes": [], "whole": None, "stale": False}
    _source, ranking = ranking_of(selection)
    scores = {r["unit_id"]: r["score"] for r in ranking}
    ids = [p.unit_id for p in placements]
    attrs = list(ATTRIBUTES)
    got = pilot_labels(selection, ids, attrs)
    self_scores = dict(zip(got["frame"]["unit_id"], got["frame"]["score"], strict=True))
    score = np.array(
        [
            float(scores[u]) if scores.get(u) is not None else float(self_scores.get(u, np.nan))
            for u in ids
        ]
    )
    number = np.array([p.cycle.number for p in placements])
    report = {r.batch: r for r in batch_report(number, score, got["labels"], got["population"])}
    whole = batch_report(np.ones(len(ids), dtype=int), score, got["labels"], got["population"])[0]
    batches = [
        {
            "cycle": c,
            "size": report[c.number].size if c.number in report else 0,
            "off": (report[c.number].size if c.number in report else 0) != c.target,
            "mean": report[c.number].mean_score if c.number in report else None,
            "deviation": report[c.number].max_abs_deviation if c.number in report else None,
        }
        for c in plan.cycles
    ]
    attributes = []
    for attr in attrs:
        labels = attribute_labels(attr)
        pop, mine = got["population"][attr], got["labels"][attr]
        rows = []
        for value in sorted(set(pop.tolist()) | set(mine.tolist())):
            rows.append(
                {
                    "label": labels.get(value, value) or "—",
                    "population": int((pop == value).sum()),
                    "share": float((pop == value).mean()) if len(pop) else 0.0,
                    "selection": int((mine == value).sum()),
                    "counts": [
                        int(((number == c.number) & (mine == value)).sum()) for c in plan.cycles
                    ],
                }
            )
        attributes.append({"key": attr, "label": ATTRIBUTES[attr], "rows": rows})
    pilots = {p["unit_id"] for p in plan.pilots}
    return {
        "plan": plan,
        "batches": batches,
        "whole": whole,
        "attributes": attributes,
        "labels": {a: got["labels"][a].tolist() for a in attrs},
        "scores": score.tolist(),
        "stale": not plan.problems and pilots != set(ids),
        "by_hand": any(p.by_hand for p in placements),
    }


def export_rows(selection: Selection, placements: list[BatchPlacement]) -> tuple[list, list]:
    """Headers and rows of the placements' XLSX (codes as text; attribute values as labels)."""
    from shidian.apps.selection.candidates import attribute_labels

    panel = balance_panel(selection, placements)
    headers = ["id", "name", "batch", "year", "rank", "score", *ATTRIBUTES, "by_hand"]
    label = {a: attribute_labels(a) for a in ATTRIBUTES}
    rows = []
    for i, p in enumerate(placements):
        attrs = [label[a].get(v, v) for a, v in ((a, panel["labels"][a][i]) for a in ATTRIBUTES)]
        score = panel["scores"][i]
        rows.append(
            [
                str(p.unit.code),
                p.unit.name,
                p.cycle.number,
                p.cycle.year,
                p.rank,
                None if np.isnan(score) else round(score, 2),
                *attrs,
                "yes" if p.by_hand else "",
            ]
        )
    return headers, rows


def register() -> None:
    """Called once from SelectionConfig.ready(): this step's audit action names."""
    from shidian.apps.core.audit import register_actions

    register_actions(
        {
            "selection.batches_form": gettext_lazy("安排批次"),
            "selection.batches_move": gettext_lazy("调整批次（移动）"),
            "selection.batches_swap": gettext_lazy("调整批次（对调）"),
        }
    )
