"""Reconciling the panel's scores (评分汇总) and the discussion round (合议).

An expert's score of a unit is the total of their Review of the unit's sheet in the selection's
round; a DiscussionScore (the second score after the panel discussed a flagged unit) overrides
it. Every reconciliation is kept (number, params, result per CONTRACTS.md); the engine
(``engine.reconcile.reconcile_scores``) does the arithmetic. Reads here are called after the
caller checked the selection (MANAGE/VIEW) or the expert's own assignment (REVIEW).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.core.access import MANAGE, REVIEW, can, require
from shidian.apps.core.services import audit_record
from shidian.apps.selection.models import (
    DiscussionScore,
    ExpertAssignment,
    Reconciliation,
    Selection,
    Shortlisted,
)
from shidian.apps.selection.services.selections import (
    ensure_open,
    locked,
    next_number,
    touch,
)
from shidian.textclean import clean_text

METHODS = ("mean", "trimmed", "median")
NOTE_MAX = 500
DEFAULTS = {"method": "mean", "trim": 0.2, "max_range": 10.0, "self_weight": 0.3}


@dataclass
class ExpertScore:
    expert: Any
    first: float | None  # Review.total, None while the expert has not saved a review
    second: float | None = None  # DiscussionScore.score
    note: str = ""

    @property
    def score(self) -> float | None:
        return self.second if self.second is not None else self.first


@dataclass
class UnitScores:
    unit: Any
    self_score: float | None
    sheet_id: int | None
    experts: list[ExpertScore] = field(default_factory=list)
    discussion_open: bool = False

    @property
    def missing(self) -> list[Any]:
        return [e.expert for e in self.experts if e.score is None]

    @property
    def scored(self) -> list[ExpertScore]:
        return [e for e in self.experts if e.score is not None]


def open_units(selection: Selection) -> set[int]:
    """Units the office opened for discussion, in any kept reconciliation of the selection."""
    found: set[int] = set()
    for result in Reconciliation.objects.filter(selection=selection).values_list(  # scoping: ok
        "result", flat=True
    ):
        found.update(int(u) for u in (result or {}).get("discussion_open", []))
    return found


def unit_scores(selection: Selection, *, unit_ids: set[int] | None = None) -> list[UnitScores]:
    """Every shortlisted or assigned unit with its self score and each assigned expert's first
    and discussion score, in shortlist order (then code)."""
    from shidian.apps.reviews.models import Review
    from shidian.apps.submissions.models import Submission

    assignments = ExpertAssignment.objects.filter(selection=selection)  # scoping: ok checked
    shortlisted = Shortlisted.objects.filter(selection=selection)  # scoping: ok checked
    if unit_ids is not None:
        assignments = assignments.filter(unit_id__in=unit_ids)
        shortlisted = shortlisted.filter(unit_id__in=unit_ids)
    assignments = list(assignments.select_related("unit", "expert").order_by("expert__username"))
    ranks = {s.unit_id: s for s in shortlisted.select_related("unit")}
    units = {s.unit_id: s.unit for s in ranks.values()}
    units.update({a.unit_id: a.unit for a in assignments})
    sheets = {
        s.unit_id: s
        for s in Submission.objects.filter(  # scoping: ok checked by the caller
            round_id=selection.round_id, unit_id__in=units
        ).only("pk", "unit_id", "total")
    }
    reviews = {
        (sheet_pk, reviewer): total
        for sheet_pk, reviewer, total in Review.objects.filter(  # scoping: ok office/own
            submission__in=[s.pk for s in sheets.values()],
            reviewer_id__in={a.expert_id for a in assignments},
        ).values_list("submission_id", "reviewer_id", "total")
    }
    second = {
        (d.unit_id, d.expert_id): d
        for d in DiscussionScore.objects.filter(selection=selection)  # scoping: ok checked
    }
    opened = open_units(selection)
    rows: dict[int, UnitScores] = {}
    for unit_id, unit in units.items():
        sheet = sheets.get(unit_id)
        own = ranks[unit_id].score if unit_id in ranks else (sheet.total if sheet else None)
        rows[unit_id] = UnitScores(
            unit, own, sheet.pk if sheet else None, discussion_open=unit_id in opened
        )
    for a in assignments:
        sheet = sheets.get(a.unit_id)
        first = reviews.get((sheet.pk, a.expert_id)) if sheet else None
        d = second.get((a.unit_id, a.expert_id))
        rows[a.unit_id].experts.append(
            ExpertScore(a.expert, first, d.score if d else None, d.note if d else "")
        )

    def order(row: UnitScores) -> tuple:
        s = ranks.get(row.unit.pk)
        return (s.rank if s else 10**9, row.unit.code)

    return sorted(rows.values(), key=order)


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def check_params(*, method: str, trim: Any, max_range: Any, self_weight: Any) -> dict[str, Any]:
    """The reconciliation's choices, checked; every problem is reported at once."""
    problems = []
    if method not in METHODS:
        problems.append(_("汇总方法应为平均数、截尾平均数或中位数。"))
    try:
        trim = float(trim)
        if not 0 <= trim < 0.5:
            raise ValueError
    except (TypeError, ValueError):
        problems.append(_("截尾比例应不小于 0 且小于 0.5（如 0.2 表示两端各去掉 20%）。"))
    try:
        max_range = float(max_range)
        if not max_range >= 0 or not math.isfinite(max_range):
            raise ValueError
    except (TypeError, ValueError):
        problems.append(_("分歧阈值（最高分与最低分之差）不能为负数。"))
    try:
        self_weight = float(self_weight)
        if not 0 <= self_weight <= 1:
            raise ValueError
    except (TypeError, ValueError):
        problems.append(_("自评权重应在 0 到 1 之间（专家权重为 1 减自评权重）。"))
    if problems:
        raise ValidationError(problems)
    return {
        "method": method,
        "trim": trim if method == "trimmed" else 0.0,
        "max_range": max_range,
        "weights": {"self": self_weight, "expert": round(1 - self_weight, 10)},
    }


def _compute(rows: list[UnitScores], params: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    from shidian.engine.errors import EngineInputError
    from shidian.engine.reconcile import reconcile_scores

    if not any(r.experts for r in rows):
        raise ValidationError(_("还没有分配评审专家：请先在“专家复评”一步为入围学校分配专家。"))
    scored = [r for r in rows if r.scored]
    if not scored:
        raise ValidationError(_("专家还没有提交评分：请等专家在“我的评审”中保存评审后再汇总。"))
    if len(scored) < 2:
        raise ValidationError(_("至少需要 2 所学校有专家评分才能汇总和计算一致性。"))
    multi = [r for r in scored if len(r.scored) >= 2]
    if len(multi) < 2:
        raise ValidationError(_("至少需要 2 所学校各有 2 位以上专家评分才能计算一致性。"))
    if len({e.score for r in multi for e in r.scored}) == 1:
        raise ValidationError(_("所有专家评分都相同，无法计算一致性。"))
    no_self = [r.unit.code for r in scored if r.self_score is None]
    if no_self:
        raise ValidationError(
            _("%(units)s 没有自评总分，无法计算最终得分。") % {"units": "、".join(no_self)}
        )
    long = [
        {"unit": r.unit.code, "expert": e.expert.username, "score": float(e.score)}
        for r in scored
        for e in r.scored
    ]
    self_scores = pd.Series({r.unit.code: float(r.self_score) for r in scored})
    try:
        res = reconcile_scores(
            pd.DataFrame(long),
            method=params["method"],
            trim=params["trim"],
            max_range=params["max_range"],
            self_scores=self_scores,
            self_weight=params["weights"]["self"],
        )
    except EngineInputError as exc:  # pre-checked above; kept for what slips through
        raise ValidationError(_("评分数据有误：%(detail)s") % {"detail": exc}) from exc
    by_code = {r.unit.code: r for r in rows}
    ranking = []
    for rec in res.table.to_dict("records"):
        r = by_code[rec["unit"]]
        ranking.append(
            {
                "unit_id": r.unit.pk,
                "code": r.unit.code,
                "name": r.unit.name,
                "self_score": float(rec["self_score"]),
                "expert_score": float(rec["expert_score"]),
                "final_score": float(rec["final_score"]),
                "rank": int(rec["rank"]),
                "flagged": bool(rec["flagged"]),
                "gap": float(rec["self_score"]) - float(rec["expert_score"]),
                "n_experts": int(rec["n_experts"]),
                "range": float(rec["range"]),
                "min": float(rec["min"]),
                "max": float(rec["max"]),
            }
        )
    unscored = sorted(
        (r for r in rows if not r.scored),
        key=lambda r: (-(r.self_score or 0), r.unit.code),
    )
    for offset, r in enumerate(unscored, start=len(ranking) + 1):
        ranking.append(
            {
                "unit_id": r.unit.pk,
                "code": r.unit.code,
                "name": r.unit.name,
                "self_score": r.self_score,
                "expert_score": None,
                "final_score": None,
                "rank": offset,
                "flagged": False,
                "gap": None,
                "n_experts": 0,
                "range": None,
                "min": None,
                "max": None,
            }
        )
    icc = {
        name: {
            "value": _finite(v.value),
            "ci95": [_finite(v.ci95[0]), _finite(v.ci95[1])],
            "p": _finite(v.p_value),
            "f": _finite(v.f_value),
            "df1": _finite(v.df1),
            "df2": _finite(v.df2),
        }
        for name, v in res.icc.items()
    }
    kendall = None
    if res.kendall_w is not None:
        kendall = {
            "w": _finite(res.kendall_w),
            "chi2": _finite(res.kendall_chi2),
            "p": _finite(res.kendall_p),
        }
    return {
        "ranking": ranking,
        "params": params,
        "design": res.design,
        "icc": icc,
        "kendall": kendall,
        "notes": list(res.notes),
        "units": res.units,
        "experts": res.experts,
        "ratings": res.ratings,
        "single_units": sum(1 for r in scored if len(r.scored) == 1),
        "flagged": [by_code[c].unit.pk for c in res.flagged],
        "scores": [
            {
                "unit_id": r.unit.pk,
                "code": r.unit.code,
                "expert_id": e.expert.pk,
                "expert": e.expert.username,
                "expert_name": e.expert.display_name,
                "score": float(e.score),
                "source": "discussion" if e.second is not None else "review",
            }
            for r in scored
            for e in r.scored
        ],
        "missing": [
            {
                "unit_id": r.unit.pk,
                "code": r.unit.code,
                "name": r.unit.name,
                "experts": [u.display_name for u in r.missing],
            }
            for r in rows
            if r.missing or not r.experts
        ],
        "discussion_open": [],
    }


def reconciliation_run(
    *, by: Any, selection: Selection, method: str, trim: Any, max_range: Any, self_weight: Any
) -> Reconciliation:
    """Reconcile the current scores with the office's choices and keep the result."""
    require(by, MANAGE, selection)
    params = check_params(method=method, trim=trim, max_range=max_range, self_weight=self_weight)
    with transaction.atomic():
        selection = locked(selection)
        ensure_open(selection)
        result = _compute(unit_scores(selection), params)
        rec = Reconciliation.objects.create(
            selection=selection,
            number=next_number(Reconciliation, selection),
            params=params,
            result=result,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit_record(
            actor=by,
            action="selection.reconcile_run",
            target=selection,
            summary=f"#{rec.number} {params['method']}",
        )
        touch(selection)
    return rec


@transaction.atomic
def reconciliation_adopt(
    *, by: Any, selection: Selection, reconciliation: Reconciliation
) -> Selection:
    """The office adopts one kept reconciliation: its ranking is what the batches read."""
    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    if reconciliation.selection_id != selection.pk:
        raise ValidationError(_("这次汇总不属于本次遴选。"))
    selection.reconciliation = reconciliation
    selection.save(update_fields=["reconciliation", "updated_at"])
    audit_record(
        actor=by,
        action="selection.reconcile_adopt",
        target=selection,
        summary=f"#{reconciliation.number}",
    )
    return selection


@transaction.atomic
def discussion_open(
    *, by: Any, selection: Selection, reconciliation: Reconciliation, unit_ids: list[int]
) -> list[int]:
    """The office opens a discussion round for flagged units of ``reconciliation``: their
    assigned experts then see each other's scores and give a second score with a note."""
    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    rec = Reconciliation.objects.select_for_update().get(  # scoping: ok checked above
        pk=reconciliation.pk, selection=selection
    )
    flagged = set(rec.result.get("flagged", []))
    wanted = [int(u) for u in unit_ids] or sorted(flagged)
    if not wanted or not set(wanted) <= flagged:
        raise ValidationError(_("只能对这次汇总中分歧超过阈值的学校发起合议。"))
    opened = sorted(set(rec.result.get("discussion_open", [])) | set(wanted))
    rec.result = {**rec.result, "discussion_open": opened}
    rec.save(update_fields=["result"])
    audit_record(
        actor=by,
        action="selection.discussion_open",
        target=selection,
        summary=", ".join(r["code"] for r in rec.result["ranking"] if r["unit_id"] in wanted),
    )
    touch(selection)
    return wanted


def parse_score(raw: Any, maximum: float) -> float:
    try:
        value = float(str(raw).strip())
    except (TypeError, ValueError):
        raise ValidationError(_("请填写合议后得分（数字）。")) from None
    if not math.isfinite(value) or not 0 <= value <= maximum:
        raise ValidationError(_("合议后得分应在 0～%(max)s 分之间。") % {"max": f"{maximum:g}"})
    return value


@transaction.atomic
def discussion_score_save(
    *, by: Any, assignment: ExpertAssignment, score: Any, note: str
) -> DiscussionScore:
    """An assigned expert's second score of a unit opened for discussion, with a required note.
    They must have given their first score (their review) before."""
    if assignment.expert_id != getattr(by, "pk", None) or not can(by, REVIEW, assignment):
        raise PermissionDenied
    selection = locked(assignment.selection)
    ensure_open(selection)
    if assignment.unit_id not in open_units(selection):
        raise ValidationError(_("这所学校没有发起合议。"))
    row = unit_scores(selection, unit_ids={assignment.unit_id})[0]
    mine = next((e for e in row.experts if e.expert.pk == by.pk), None)
    if mine is None or mine.first is None:
        raise ValidationError(_("请先完成对这所学校的评审（初评），再填写合议后得分。"))
    maximum = float(selection.round.version.max_total or 0) or 100.0
    problems = []
    try:
        value = parse_score(score, maximum)
    except ValidationError as exc:
        problems.extend(exc.messages)
    note = clean_text(note or "", multiline=True)
    if not note:
        problems.append(_("请填写合议说明：为什么给出这个分数。"))
    elif len(note) > NOTE_MAX:
        problems.append(_("合议说明不能超过 %(n)d 个字符。") % {"n": NOTE_MAX})
    if problems:
        raise ValidationError(problems)
    found, _created = DiscussionScore.objects.update_or_create(
        selection=selection,
        unit=assignment.unit,
        expert=by,
        defaults={"score": value, "note": note},
    )
    # No figures in the audit summary (as for reviews).
    audit_record(
        actor=by,
        action="selection.discussion_score",
        target=selection,
        unit=assignment.unit,
        summary=assignment.unit.code,
    )
    return found


def my_discussions(user: Any) -> list[ExpertAssignment]:
    """The expert's assignments whose unit is open for discussion (any selection)."""
    assignments = ExpertAssignment.objects.restrict(user, REVIEW).filter(expert_id=user.pk)
    rows = []
    for a in assignments.select_related("selection", "unit"):
        if not a.selection.frozen and a.unit_id in open_units(a.selection):
            rows.append(a)
    return rows


def _todos(user: Any, now: Any) -> list[Any]:
    from django.urls import reverse

    from shidian.apps.core.todos import REVIEW_TASK, Todo

    if not getattr(user, "is_authenticated", False):
        return []
    pending = [
        a
        for a in my_discussions(user)
        if not DiscussionScore.objects.filter(  # scoping: ok own rows
            selection_id=a.selection_id, unit_id=a.unit_id, expert_id=user.pk
        ).exists()
    ]
    by_selection: dict[int, list[ExpertAssignment]] = {}
    for a in pending:
        by_selection.setdefault(a.selection_id, []).append(a)
    return [
        Todo(
            kind=REVIEW_TASK,
            title=rows[0].selection.name,
            action=_("合议评分（%(n)d 所）") % {"n": len(rows)},
            url=reverse("selection:reconcile_discuss", kwargs={"selection_id": sid}),
        )
        for sid, rows in by_selection.items()
    ]


def register() -> None:
    """Called once from SelectionConfig.ready(): this step's todo providers, home sections and
    audit action names."""
    from shidian.apps.core.audit import register_actions
    from shidian.apps.core.todos import register_todo_provider

    register_actions(
        {
            "selection.reconcile_run": gettext_lazy("评分汇总"),
            "selection.reconcile_adopt": gettext_lazy("采用评分汇总"),
            "selection.discussion_open": gettext_lazy("发起合议"),
            "selection.discussion_score": gettext_lazy("合议评分"),
        }
    )
    register_todo_provider(_todos)
