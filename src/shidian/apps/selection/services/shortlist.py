"""The shortlist step (入围名单): representative selection over the ranked candidates.

Every run is kept as a ShortlistRun (number, params, status, result, message) and computed in a
Run (``jobs/shortlist.py``). The population is ``candidate_frame(selection)``: everyone ranked
counts for the shares, while vetoed sheets, units not recommended (when the selection collects
recommendations) and units excluded by hand are passed to the engine as excluded, each with its
reason. Adopting a run replaces the Shortlisted rows and moves participations.

``params`` (what the form stores, plain values):
``count``, ``strata`` (attributes reported and, with ``proportional``, kept to their shares),
``proportional``, ``tolerance`` (share points, 5 = 5 points), ``quotas`` (list of
{attribute, stratum, min, max}), ``balance`` (covariates), ``max_smd``, ``min_score``,
``include`` / ``exclude`` (lists of {code, reason}).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record
from shidian.apps.selection.candidates import (
    ATTRIBUTES,
    COVARIATES,
    PLACED_REASON,
    candidate_frame,
    placed_elsewhere,
)
from shidian.apps.selection.models import (
    Recommendation,
    RunStatus,
    Selection,
    Shortlisted,
    ShortlistRun,
)
from shidian.apps.selection.services.selections import ensure_open, locked, next_number
from shidian.engine.errors import EngineInputError, InfeasibleError
from shidian.engine.selection import Forced, Quota, SelectionResult, SelectionSpec
from shidian.engine.selection.model import prepare, quota_bounds

KIND = "selection.shortlist"
BLANK = "-"  # an empty attribute (a school without a zone) is a stratum of its own
TIME_LIMIT = 60.0
# Exclusion reasons written by the page itself (stored as given, shown translated).
VETOED = gettext_lazy("一票否决")
NOT_RECOMMENDED = gettext_lazy("未获推荐")
REASON_MAX = 200
ADOPT_REASON = gettext_lazy("入围名单第%(number)d次测算")


# ---------------------------------------------------------------------------------------------
# The population


def population(selection: Selection) -> pd.DataFrame:
    """The candidates with empty attributes shown as ``BLANK`` (the engine refuses blanks)."""
    frame = candidate_frame(selection)
    for attribute in ATTRIBUTES:
        frame[attribute] = frame[attribute].replace("", BLANK)
    return frame


def strata_values(frame: pd.DataFrame) -> dict[str, list[tuple[str, int]]]:
    """Attribute -> [(stratum, population count)], strata sorted as the engine sorts them."""
    out: dict[str, list[tuple[str, int]]] = {}
    for attribute in ATTRIBUTES:
        values, counts = np.unique(frame[attribute].astype(str).to_numpy(), return_counts=True)
        out[attribute] = [(str(v), int(c)) for v, c in zip(values, counts, strict=True)]
    return out


def default_params(selection: Selection) -> dict[str, Any]:
    return {
        "count": selection.pilot_count or 1,
        "strata": [],
        "proportional": False,
        "tolerance": 5.0,
        "quotas": [],
        "balance": [],
        "max_smd": 0.2,
        "min_score": None,
        "include": [],
        "exclude": [],
    }


# ---------------------------------------------------------------------------------------------
# Engine errors in the user's language

ERRORS = {
    "count_too_small": gettext_lazy("入围数至少为 1。"),
    "not_enough_eligible": gettext_lazy(
        "入围数 %(count)s 无法凑满：符合条件（未被排除、达到最低分）的只有 %(eligible)s 所。"
        "请减少入围数、降低最低分或缩短排除名单。"
    ),
    "unknown_id": gettext_lazy("代码 %(id)s 不在候选学校中：请核对代码。"),
    "forced_both": gettext_lazy("%(id)s 同时被指定入围和排除：请从其中一处删去。"),
    "forced_below_min": gettext_lazy(
        "%(id)s 被指定入围，但自评总分 %(score)s 低于最低分 %(min_score)s：请取消指定或降低最低分。"
    ),
    "too_many_forced": gettext_lazy(
        "指定入围 %(forced)s 所，超过入围数 %(count)s：请增加入围数或减少指定。"
    ),
    "quota_unknown_stratum": gettext_lazy(
        "%(attribute)s=%(stratum)s 没有候选学校：请删去这条名额。"
    ),
    "quota_min_above_max": gettext_lazy(
        "%(attribute)s=%(stratum)s 的下限 %(min)s 大于上限 %(max)s。"
    ),
    "quota_min_above_count": gettext_lazy(
        "%(attribute)s=%(stratum)s 的下限 %(min)s 大于入围数 %(count)s：请降低下限或增加入围数。"
    ),
    "empty_stratum": gettext_lazy("候选学校的%(column)s有空值。"),
    "time_limit": gettext_lazy(
        "求解器在 %(time_limit)s 秒内没有找到方案：请放宽名额或覆盖面约束后重试。"
    ),
    "solver_stopped": gettext_lazy("求解器中途停止（%(status)s），没有得到方案。"),
}
RELAXATIONS = {
    "quota_min_pool": gettext_lazy(
        "%(label)s 至少需要 %(needed)s 所，但符合条件的候选学校只有 %(eligible)s 所："
        "请把下限降到 %(allowed)s"
    ),
    "quota_min": gettext_lazy(
        "%(label)s 至少需要 %(needed)s 所，但其他约束最多只留出 %(allowed)s 所："
        "请把下限降到 %(allowed)s"
    ),
    "quota_max": gettext_lazy(
        "%(label)s 最多 %(needed)s 所，但要满足其他约束需要 %(allowed)s 所："
        "请把上限提高到 %(allowed)s"
    ),
    "balance_low": gettext_lazy(
        "%(label)s：入围学校的平均值无法控制在总体均值 %(max_smd)s 个标准差以内，"
        "至少低 %(smd)s 个标准差：请放宽均衡要求"
    ),
    "balance_high": gettext_lazy(
        "%(label)s：入围学校的平均值无法控制在总体均值 %(max_smd)s 个标准差以内，"
        "至少高 %(smd)s 个标准差：请放宽均衡要求"
    ),
    "include": gettext_lazy("指定入围的 %(label)s 与其他约束无法同时满足：请取消这项指定"),
    "loosen_together": gettext_lazy("没有哪一条约束能单独放宽：请同时放宽几项名额"),
    "no_relaxation": gettext_lazy("约束无法同时满足，且在时限内没有找到可放宽的方案：请放宽名额"),
}


def _fmt(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:g}"
    return "—" if value in (None, "") else value


def stratum_label(attribute: str, stratum: str) -> str:
    from shidian.apps.selection.candidates import attribute_labels

    name = str(ATTRIBUTES.get(attribute, attribute))
    value = _("未填写") if stratum == BLANK else attribute_labels(attribute).get(stratum, stratum)
    return f"{name}={value}"


def describe_error(code: str, params: dict[str, Any], fallback: str = "") -> str:
    sentence = ERRORS.get(code or "")
    if sentence is None:
        return fallback or _("测算无法进行，请检查设置。")
    values = {k: _fmt(v) for k, v in (params or {}).items()}
    if "attribute" in values:
        values["attribute"] = str(ATTRIBUTES.get(values["attribute"], values["attribute"]))
    if code == "empty_stratum":
        values["column"] = str(ATTRIBUTES.get(str(values.get("column")), values.get("column")))
    return str(sentence) % _Filled(values)


def describe_relaxation(detail: dict[str, Any]) -> str:
    code = detail.get("code", "")
    sentence = RELAXATIONS.get(code)
    if sentence is None:
        return str(detail.get("constraint", ""))
    values = {k: _fmt(v) for k, v in detail.items()}
    if detail.get("kind") == "quota":
        values["label"] = stratum_label(detail.get("attribute", ""), detail.get("stratum", ""))
    elif detail.get("kind") == "balance":
        values["label"] = str(COVARIATES.get(detail.get("covariate", ""), detail.get("covariate")))
    elif code == "include":
        values["label"] = detail.get("id", "")
    return str(sentence) % _Filled(values)


class _Filled(dict):
    def __missing__(self, key: str) -> str:
        return "?"


# ---------------------------------------------------------------------------------------------
# From params to the engine's spec


def _forced(items: list[dict], reason_of: Callable[[dict], str] | None = None) -> tuple:
    return tuple(Forced(str(i["code"]), str(i.get("reason", ""))) for i in items)


def engine_input(
    selection: Selection, params: dict[str, Any], frame: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, SelectionSpec]:
    """The frame and spec the engine runs on: the whole population, with vetoed, not
    recommended (when recommendations are collected) and hand-excluded units excluded, each
    with its reason. Raises ValidationError (in the user's language) for what the page can
    tell before solving."""
    frame = population(selection) if frame is None else frame
    codes = set(frame["id"])
    errors: list[str] = []
    include = [dict(i) for i in params.get("include", [])]
    exclude = [dict(i) for i in params.get("exclude", [])]
    for item in include + exclude:
        if item["code"] not in codes:
            errors.append(
                _("代码 %(code)s 不在候选学校中（只有已提交自查表的学校才能入围）。")
                % {"code": item["code"]}
            )
    included = {i["code"] for i in include}
    both = included & {i["code"] for i in exclude}
    for code in sorted(both):
        errors.append(_("%(code)s 同时被指定入围和排除：请从其中一处删去。") % {"code": code})
    automatic: dict[str, str] = {}
    for code in frame.loc[frame["vetoed"], "id"]:
        automatic[code] = str(VETOED)
    for code in frame.loc[placed_elsewhere(selection, frame), "id"]:
        automatic.setdefault(code, str(PLACED_REASON))
    if selection.recommend:
        for code in frame.loc[~frame["recommended"], "id"]:
            automatic.setdefault(code, str(NOT_RECOMMENDED))
    for code in sorted(included & set(automatic)):
        errors.append(
            _("%(code)s 不能指定入围：%(reason)s。") % {"code": code, "reason": automatic[code]}
        )
    if errors:
        raise ValidationError(errors)
    by_hand = {i["code"] for i in exclude}
    exclude += [{"code": c, "reason": r} for c, r in sorted(automatic.items()) if c not in by_hand]
    quotas = tuple(
        Quota(q["attribute"], q["stratum"], q.get("min"), q.get("max"), source="page")
        for q in params.get("quotas", [])
    )
    spec = SelectionSpec(
        count=int(params["count"]),
        score="score",
        id_column="id",
        strata=tuple(params.get("strata", [])),
        proportional=bool(params.get("proportional")) and bool(params.get("strata")),
        tolerance=float(params.get("tolerance") or 0) / 100.0,
        quotas=quotas,
        min_score=params.get("min_score"),
        include=_forced(include),
        exclude=_forced(exclude),
        balance=tuple(params.get("balance", [])),
        max_smd=float(params.get("max_smd") or 0.1),
        time_limit=TIME_LIMIT,
    )
    for covariate in spec.balance:
        if frame[covariate].isna().any():
            missing = frame.loc[frame[covariate].isna(), "id"].iloc[0]
            raise ValidationError(
                _("%(covariate)s 有学校未填写（如 %(code)s），不能用于均衡：请先补全学校信息。")
                % {"covariate": COVARIATES[covariate], "code": missing}
            )
    return frame, spec


def check(selection: Selection, params: dict[str, Any], frame: pd.DataFrame | None = None) -> None:
    """Everything that can be told before solving (bad codes, quotas, counts)."""
    frame, spec = engine_input(selection, params, frame)
    try:
        prep = prepare(frame, spec)
        quota_bounds(prep, spec)
    except EngineInputError as exc:
        raise ValidationError(describe_error(exc.code, exc.params, exc.message)) from exc


# ---------------------------------------------------------------------------------------------
# Starting a run, computing it, adopting it


def register() -> None:
    """Called once from SelectionConfig.ready(): this step's audit action names."""
    from shidian.apps.core.audit import register_actions

    register_actions(
        {
            "selection.shortlist_run": gettext_lazy("测算入围名单"),
            "selection.shortlist_adopt": gettext_lazy("采用入围名单"),
        }
    )


def shortlist_run_start(*, by: Any, selection: Selection, params: dict[str, Any]) -> ShortlistRun:
    """Store run N of the shortlist with ``params`` and start its Run (after checking them)."""
    from shidian.apps.runs.services import run_start

    require(by, MANAGE, selection)
    check(selection, params)
    with transaction.atomic():
        selection = locked(selection)
        ensure_open(selection)
        number = next_number(ShortlistRun, selection)
        shortlist = ShortlistRun.objects.create(
            selection=selection,
            number=number,
            params=params,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        run = run_start(
            KIND,
            by=by,
            unit=selection.programme.unit,
            params={"shortlist_run_id": shortlist.pk},
            subject=shortlist,
        )
        shortlist.run = run
        shortlist.save(update_fields=["run"])
        audit_record(
            actor=by,
            action="selection.shortlist_run",
            target=selection,
            summary=f"#{number}: K={params['count']}",
            data={"number": number},
        )
    return shortlist


def _selected_rows(result: SelectionResult) -> list[dict[str, Any]]:
    rows = []
    for rec in result.selected.to_dict("records"):
        rows.append(
            {
                "unit_id": int(rec["unit_id"]),
                "code": str(rec["id"]),
                "name": str(rec["name"]),
                "rank": int(rec["rank"]),
                "score": float(rec["score"]),
                "forced_reason": str(rec.get("forced_reason") or ""),
                "zone": str(rec["zone"]),
                "school_type": str(rec["school_type"]),
                "locality": str(rec["locality"]),
            }
        )
    return rows


def _topk_rows(frame: pd.DataFrame, spec: SelectionSpec) -> list[dict[str, Any]]:
    """Plain top-K over the same eligible candidates (the engine's ``topk``)."""
    from shidian.engine.selection.report import topk_positions

    prep = prepare(frame, spec)
    top = topk_positions(prep.score, spec.count, prep.eligible)
    return [
        {"unit_id": int(frame["unit_id"].iat[i]), "code": str(frame["id"].iat[i]),
         "name": str(frame["name"].iat[i]), "score": float(frame["score"].iat[i])}
        for i in top
    ]  # fmt: skip


def compute(selection: Selection, params: dict[str, Any], *, step: Any = None) -> dict[str, Any]:
    """Solve ``params`` on the selection's population: (status, result, message)."""
    from shidian.engine.selection import select_pilots

    started = time.perf_counter()
    frame, spec = engine_input(selection, params)
    frame_seconds = time.perf_counter() - started
    try:
        result = select_pilots(frame, spec, on_step=step)
    except InfeasibleError as exc:
        prep = prepare(frame, spec)
        return {
            "status": RunStatus.INFEASIBLE,
            "message": "\n".join([exc.message, *exc.relaxations]),
            "result": {
                "relaxations": getattr(exc, "details", []),
                "n_candidates": prep.n,
                "n_eligible": int(prep.eligible.sum()),
                "frame_seconds": round(frame_seconds, 3),
            },
        }
    except EngineInputError as exc:
        return {
            "status": RunStatus.FAILED,
            "message": exc.message,
            "result": {"error": {"code": exc.code or "", "params": _plain(exc.params)}},
        }
    return {
        "status": RunStatus.DONE,
        "message": "",
        "result": {
            "selected": _selected_rows(result),
            "topk": _topk_rows(frame, spec),
            "shares": [_plain(asdict(s)) for s in result.shares],
            "largest_deviation": _plain(asdict(result.largest_deviation))
            if result.largest_deviation
            else None,
            "price": _plain(asdict(result.price)) if result.price else None,
            "balance": [_plain(asdict(b)) for b in result.balance],
            "solver": {
                "status": result.status,
                "optimal": result.optimal,
                "gap": result.gap,
                "seconds": round(result.solve_seconds, 3),
                "objective": result.objective,
                "bound": result.bound,
                "variables": result.n_variables,
                "constraints": result.n_constraints,
            },
            "n_candidates": result.n_candidates,
            "n_eligible": result.n_eligible,
            "excluded": len(result.forced_out),
            "frame_seconds": round(frame_seconds, 3),
        },
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def store(shortlist: ShortlistRun, outcome: dict[str, Any]) -> ShortlistRun:
    ShortlistRun.objects.filter(pk=shortlist.pk).update(  # scoping: ok the run's own row
        status=outcome["status"], result=outcome["result"], message=outcome["message"]
    )
    shortlist.refresh_from_db()
    return shortlist


def shortlist_adopt(*, by: Any, selection: Selection, number: int) -> ShortlistRun:
    """Adopt run ``number``: the Shortlisted rows become its selection and participations move
    (chosen -> shortlisted; previously shortlisted and no longer chosen -> recommended if
    recommended, else eligible), all or nothing."""
    from shidian.apps.programmes.models import Participation, ParticipationState
    from shidian.apps.programmes.services import participation_move_bulk

    require(by, MANAGE, selection)
    with transaction.atomic():
        selection = locked(selection)
        ensure_open(selection)
        shortlist = ShortlistRun.objects.filter(  # scoping: ok checked above
            selection=selection, number=number
        ).first()
        if shortlist is None or shortlist.status != RunStatus.DONE:
            raise ValidationError(_("只能采用已完成的测算。"), code="not_allowed")
        chosen = shortlist.result.get("selected", [])
        chosen_ids = {int(r["unit_id"]) for r in chosen}
        before = set(selection.shortlisted.values_list("unit_id", flat=True))
        selection.shortlisted.all().delete()
        Shortlisted.objects.bulk_create(
            Shortlisted(
                selection=selection,
                unit_id=int(r["unit_id"]),
                rank=int(r["rank"]),
                score=float(r["score"]),
                forced_reason=str(r.get("forced_reason", ""))[:500],
            )
            for r in chosen
        )
        parts = {
            p.unit_id: p
            for p in Participation.objects.filter(  # scoping: ok the programme's own rows
                programme=selection.programme, unit_id__in=chosen_ids | before
            )
        }
        recommended = set(
            Recommendation.objects.filter(selection=selection).values_list(  # scoping: ok
                "unit_id", flat=True
            )
        )
        reason = str(ADOPT_REASON) % {"number": number}
        S = ParticipationState
        moves: dict[str, list] = {S.SHORTLISTED: [], S.RECOMMENDED: [], S.ELIGIBLE: []}
        for unit_id in chosen_ids:
            p = parts.get(unit_id)
            if p is not None and p.state in (S.ELIGIBLE, S.RECOMMENDED):
                moves[S.SHORTLISTED].append(p)
        for unit_id in before - chosen_ids:
            p = parts.get(unit_id)
            if p is not None and p.state == S.SHORTLISTED:
                moves[S.RECOMMENDED if unit_id in recommended else S.ELIGIBLE].append(p)
        for state, rows in moves.items():
            if rows:
                participation_move_bulk(
                    by=by, programme=selection.programme, participations=rows, to=state,
                    reason=reason,
                )  # fmt: skip
        from shidian.apps.selection.services.review import assignments_drop_units

        assignments_drop_units(by=by, selection=selection, unit_ids=before - chosen_ids)
        selection.shortlist = shortlist
        selection.save(update_fields=["shortlist", "updated_at"])
        audit_record(
            actor=by,
            action="selection.shortlist_adopt",
            target=selection,
            summary=f"#{number}: {len(chosen)}",
            data={"number": number, "added": len(chosen_ids - before),
                  "removed": len(before - chosen_ids)},
        )  # fmt: skip
    return shortlist


# ---------------------------------------------------------------------------------------------
# Reading results


def shares_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for s in result.get("shares", []):
        row = dict(s)
        row["label"] = stratum_label(s["attribute"], s["stratum"])
        for key in ("population_share", "pilots_share", "topk_share", "deviation"):
            row[f"{key}_pct"] = 100 * float(s[key])
        rows.append(row)
    return rows


def compare(a: ShortlistRun, b: ShortlistRun) -> dict[str, Any]:
    """Two runs side by side: the shares of each stratum and who is in one and not the other."""
    ra, rb = a.result or {}, b.result or {}
    sa = {(s["attribute"], s["stratum"]): s for s in ra.get("shares", [])}
    sb = {(s["attribute"], s["stratum"]): s for s in rb.get("shares", [])}
    shares = []
    for key in sorted(set(sa) | set(sb)):
        x, y = sa.get(key), sb.get(key)
        ref = x or y
        shares.append(
            {
                "label": stratum_label(*key),
                "population_share_pct": 100 * float(ref["population_share"]),
                "a": x,
                "b": y,
                "a_dev": 100 * float(x["deviation"]) if x else None,
                "b_dev": 100 * float(y["deviation"]) if y else None,
            }
        )
    pa = {r["code"]: r for r in ra.get("selected", [])}
    pb = {r["code"]: r for r in rb.get("selected", [])}
    return {
        "a": a,
        "b": b,
        "shares": shares,
        "only_a": [pa[c] for c in sorted(set(pa) - set(pb), key=lambda c: pa[c]["rank"])],
        "only_b": [pb[c] for c in sorted(set(pb) - set(pa), key=lambda c: pb[c]["rank"])],
        "both": len(set(pa) & set(pb)),
    }
