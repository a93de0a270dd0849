"""Matched controls (对照组): for every pilot, comparable non-pilot schools of the same population.

Pilots are the selection's BatchPlacement units; candidate controls are the rest of
``candidate_frame(selection)`` (units of the programme with a submitted sheet). A matching is a
MatchRun computed by the Run kind ``selection.matching`` (jobs/matching.py) through
``engine.matching.match_controls``; every run is kept. Adopting one replaces the ControlPair rows
and sets ``Selection.match``; participations move to "control" only at approval.
"""

from __future__ import annotations

import math
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
    attribute_labels,
    placed_elsewhere,
)
from shidian.apps.selection.candidates import candidate_frame as _candidate_frame
from shidian.apps.selection.models import (
    BatchPlacement,
    ControlPair,
    MatchRun,
    RunStatus,
    Selection,
)
from shidian.apps.selection.services.selections import ensure_open, locked, next_number

KIND = "selection.matching"
METHODS = ("propensity", "mahalanobis")
DENOMINATORS = ("treated", "pooled")
MAX_RATIO = 5
MAX_CALIPER = 5.0
BLANK = "（未填）"  # an empty attribute value is its own level (the engine refuses blanks)
TREATED = "treated"
DEFAULTS: dict[str, Any] = {
    "method": "propensity",
    "ratio": 1,
    # No caliper by default, as in MatchIt: pilots are chosen for their high scores, so with the
    # score among the covariates a tight caliper often leaves the best pilots without any
    # control; the balance table then shows what the nearest neighbours achieve, and the office
    # may set a caliper (0.2 SD of the logit is the usual choice).
    "caliper": None,
    "exact": [],
    "covariates": ["score", "students", "teachers", "classes", "school_type", "locality"],
    "replace": False,
    "smd_denominator": "treated",
}
SMD_FLAG = 0.1


# --- the population -------------------------------------------------------------------------


def stale_pilots(selection: Selection) -> list[Any]:
    """Pilots of the adopted pairs that the batches no longer place (batches changed since the
    controls were adopted): the controls step, the design check and approval must not trust
    those pairs."""
    placed = pilot_placements(selection).values("unit_id")
    pairs = selection.controls.exclude(pilot_id__in=placed).select_related("pilot")
    return sorted({p.pilot for p in pairs}, key=lambda u: u.code)


def pilot_placements(selection: Selection):
    return (
        BatchPlacement.objects.filter(selection=selection)  # scoping: ok selection checked
        .select_related("unit", "cycle")
        .order_by("cycle__number", "rank")
    )


def population(selection: Selection) -> pd.DataFrame:
    """``candidate_frame(selection)`` with ``treated`` = 1 for the pilots (BatchPlacement units)
    and 0 for every other candidate; blank attributes read as their own level. Units already
    pilot or control of the programme through something else (an earlier batch's notice) are
    left out: they are neither pilots nor controls of this selection."""
    frame = _candidate_frame(selection)
    frame = frame[~placed_elsewhere(selection, frame)].reset_index(drop=True)
    pilots = set(pilot_placements(selection).values_list("unit_id", flat=True))
    frame.insert(2, TREATED, frame["unit_id"].isin(pilots).astype(int))
    for column in ATTRIBUTES:
        frame[column] = frame[column].fillna("").astype(str).str.strip().replace("", BLANK)
    return frame


def covariate_choices() -> list[tuple[str, Any]]:
    return [*COVARIATES.items(), ("school_type", ATTRIBUTES["school_type"]),
            ("locality", ATTRIBUTES["locality"]), ("zone", ATTRIBUTES["zone"])]  # fmt: skip


def covariate_label(name: str) -> str:
    """``students`` -> 学生数; ``school_type=primary`` -> 学校类型：小学."""
    column, _sep, level = name.partition("=")
    label = str(COVARIATES.get(column) or ATTRIBUTES.get(column) or column)
    if not level:
        return label
    return _("%(attribute)s：%(level)s") % {
        "attribute": label,
        "level": attribute_labels(column).get(level, level),
    }


def exact_label(columns: list[str]) -> str:
    return "、".join(str(ATTRIBUTES.get(c, c)) for c in columns)


# --- parameters -----------------------------------------------------------------------------


def clean_params(data: dict[str, Any]) -> dict[str, Any]:
    """Checked, JSON-able matching parameters (ValidationError with every problem)."""
    errors = []
    params = {**DEFAULTS, **{k: v for k, v in data.items() if k in DEFAULTS}}
    if params["method"] not in METHODS:
        errors.append(_("请选择匹配方法：倾向得分或马氏距离。"))
    try:
        params["ratio"] = int(params["ratio"])
    except (TypeError, ValueError):
        params["ratio"] = 0
    if not 1 <= params["ratio"] <= MAX_RATIO:
        errors.append(_("每所试点学校的对照学校数应在 1 到 %(n)d 之间。") % {"n": MAX_RATIO})
    caliper = params["caliper"]
    if caliper in ("", None):
        params["caliper"] = None
    else:
        try:
            params["caliper"] = float(caliper)
        except (TypeError, ValueError):
            params["caliper"] = math.nan
        if not 0 < params["caliper"] <= MAX_CALIPER:
            errors.append(
                _("卡钳应大于 0、不超过 %(max)s 个标准差；不设卡钳请留空。") % {"max": MAX_CALIPER}
            )
    known = dict(covariate_choices())
    params["covariates"] = [c for c in known if c in set(params["covariates"] or [])]
    if not params["covariates"]:
        errors.append(_("请至少选择一个协变量。"))
    params["exact"] = [c for c in ATTRIBUTES if c in set(params["exact"] or [])]
    both = [c for c in params["exact"] if c in params["covariates"]]
    params["covariates"] = [c for c in params["covariates"] if c not in both]
    if not params["covariates"] and not errors:
        errors.append(_("精确匹配的属性之外，请至少再选择一个协变量。"))
    params["replace"] = bool(params["replace"])
    if params["smd_denominator"] not in DENOMINATORS:
        errors.append(_("标准化均值差的分母应为试点组标准差或合并标准差。"))
    if errors:
        raise ValidationError(errors)
    return params


def _check_population(frame: pd.DataFrame, params: dict[str, Any]) -> None:
    pilots = int(frame[TREATED].sum())
    if pilots == 0:
        raise ValidationError(_("还没有试点学校：请先在“分批安排”一步排好批次。"))
    if pilots == len(frame):
        raise ValidationError(_("已提交自查表的学校都是试点学校，没有可作对照的学校。"))
    for column in params["covariates"]:
        if column not in COVARIATES:
            continue
        missing = frame.loc[frame[column].isna(), "name"].tolist()
        if missing:
            shown = "、".join(missing[:5]) + ("……" if len(missing) > 5 else "")
            raise ValidationError(
                _(
                    "%(n)d 所学校缺少“%(covariate)s”（%(names)s）："
                    "请补全学校信息，或不用这个协变量。"
                )
                % {"n": len(missing), "covariate": COVARIATES[column], "names": shown}
            )


# --- starting a run -------------------------------------------------------------------------


@transaction.atomic
def match_start(*, by: Any, selection: Selection, params: dict[str, Any]) -> MatchRun:
    """Check the parameters and the population, store a queued MatchRun and start its Run."""
    from shidian.apps.runs.services import run_start

    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    params = clean_params(params)
    _check_population(population(selection), params)
    match_run = MatchRun.objects.create(
        selection=selection,
        number=next_number(MatchRun, selection),
        params=params,
        status=RunStatus.QUEUED,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    run = run_start(
        KIND,
        by=by,
        unit=selection.programme.unit,
        params={"match_run_id": match_run.pk},
        subject=match_run,
    )
    match_run.run = run
    match_run.save(update_fields=["run"])
    audit_record(
        actor=by,
        action="selection.match_run",
        target=selection,
        summary=f"#{match_run.number}",
        data={"params": params},
    )
    return match_run


# --- the computation (called by the Run kind) -----------------------------------------------


def spec_of(params: dict[str, Any]):
    from shidian.engine.matching import MatchSpec

    return MatchSpec(
        treated=TREATED,
        covariates=tuple(params["covariates"]),
        id_column="id",
        exact=tuple(params["exact"]),
        ratio=int(params["ratio"]),
        caliper=params["caliper"],
        method=params["method"],
        replace=bool(params["replace"]),
        smd_denominator=params["smd_denominator"],
    )


def cli_command(params: dict[str, Any], filename: str = "population.xlsx") -> str:
    """The ``shidian match`` command that gives the same matching on the exported table."""
    parts = [
        "shidian match", filename, f"--treated {TREATED}",
        "--covariates " + ",".join(params["covariates"]), "--id id",
        f"--method {params['method']}", f"--ratio {params['ratio']}",
        f"--smd-denominator {params['smd_denominator']}",
    ]  # fmt: skip
    if params["exact"]:
        parts.append("--exact " + ",".join(params["exact"]))
    if params["caliper"] is not None:
        parts.append(f"--caliper {params['caliper']:g}")
    if params["replace"]:
        parts.append("--replace")
    return " ".join(parts) + " --output matched.xlsx"


def _row(b: Any) -> dict[str, Any]:
    return {
        "covariate": b.covariate,
        "treated_mean_before": b.treated_mean_before,
        "control_mean_before": b.control_mean_before,
        "smd_before": b.smd_before,
        "variance_ratio_before": b.variance_ratio_before,
        "ecdf_max_before": b.ecdf_max_before,
        "treated_mean_after": b.treated_mean_after,
        "control_mean_after": b.control_mean_after,
        "smd_after": b.smd_after,
        "variance_ratio_after": b.variance_ratio_after,
        "ecdf_max_after": b.ecdf_max_after,
        "balanced": b.balanced,
        "denominator_sd": b.denominator_sd,
    }


def _ceil2(value: float) -> float:
    return math.ceil(value * 100 + 1e-9) / 100


def _why_unmatched(
    frame: pd.DataFrame,
    params: dict[str, Any],
    unmatched: list[int],
    used: set[int],
    logit: np.ndarray | None,
    logit_sd: float | None,
) -> dict[int, dict[str, Any]]:
    """For each unmatched pilot position: the reason and what to change.

    - ``stratum``: no candidate shares its exact-matching values; ``drop`` = the exact attribute
      whose removal gives it candidates;
    - ``caliper``: candidates exist but none within the caliper; ``caliper`` = the smallest
      caliper (SDs of the logit, rounded up to 0.01) that reaches ``ratio`` free candidates;
    - ``taken``: the controls inside the caliper were all taken by other pilots (or, without a
      caliper, the candidates ran out): allow reuse, or widen the caliper to ``caliper``.
    """
    treated = frame[TREATED].to_numpy() == 1
    exact, ratio = list(params["exact"]), int(params["ratio"])
    values = {column: frame[column].to_numpy() for column in exact}

    def same(pos: int, columns: list[str]) -> np.ndarray:
        mask = ~treated
        for column in columns:
            mask = mask & (values[column] == values[column][pos])
        return mask

    out: dict[int, dict[str, Any]] = {}
    for pos in unmatched:
        stratum = same(pos, exact)
        if not stratum.any():
            drop = next((c for c in exact if same(pos, [e for e in exact if e != c]).any()), None)
            out[pos] = {"reason": "stratum", "drop": drop or (exact[0] if exact else None)}
            continue
        if logit is None or not logit_sd or params["caliper"] is None:
            out[pos] = {"reason": "taken", "caliper": None}
            continue
        members = np.flatnonzero(stratum)
        gaps = np.abs(logit[members] - logit[pos]) / logit_sd
        free = np.array([params["replace"] or int(m) not in used for m in members])
        pool = np.sort(gaps[free]) if free.any() else np.sort(gaps)
        widen = _ceil2(float(pool[min(ratio, len(pool)) - 1]))
        widen = max(widen, _ceil2(params["caliper"] + 0.01))
        reason = "taken" if (gaps <= params["caliper"]).any() else "caliper"
        out[pos] = {"reason": reason, "caliper": widen}
    return out


def compute(selection: Selection, params: dict[str, Any], on_step: Any = None) -> dict[str, Any]:
    """Run the engine on the selection's population and return the JSON result of a MatchRun
    (raises EngineInputError on bad data)."""
    from shidian.engine.matching import match_controls
    from shidian.engine.matching.design import build_design
    from shidian.engine.matching.distance import propensity_logit

    frame = population(selection)
    spec = spec_of(params)
    result = match_controls(frame, spec, on_step=on_step)
    by_code = frame.set_index("id")
    position = {code: i for i, code in enumerate(frame["id"])}
    pairs = [
        {
            "pilot_id": int(by_code.at[p.treated_id, "unit_id"]),
            "pilot_code": p.treated_id,
            "pilot_name": by_code.at[p.treated_id, "name"],
            "control_id": int(by_code.at[p.control_id, "unit_id"]),
            "control_code": p.control_id,
            "control_name": by_code.at[p.control_id, "name"],
            "distance": p.distance,
        }
        for p in result.pairs
    ]
    unmatched_pos = [position[code] for code in result.unmatched_treated]
    reasons: dict[int, dict[str, Any]] = {}
    if unmatched_pos:
        logit = None
        if result.logit_sd:
            design = build_design(frame, spec.treated, spec.covariates, spec.exact)
            logit = propensity_logit(design.matrix, design.treated, seed=spec.seed)
        used = {position[p.control_id] for p in result.pairs}
        reasons = _why_unmatched(frame, params, unmatched_pos, used, logit, result.logit_sd)
    unmatched = [
        {
            "unit_id": int(frame["unit_id"].iloc[pos]),
            "code": str(frame["id"].iloc[pos]),
            "name": str(frame["name"].iloc[pos]),
            **reasons.get(pos, {"reason": "taken", "caliper": None}),
        }
        for pos in unmatched_pos
    ]
    # Pilots placed in a batch but without a submitted sheet are not in the population.
    placed = pilot_placements(selection).exclude(unit_id__in=frame["unit_id"].tolist())
    unmatched += [
        {"unit_id": p.unit_id, "code": p.unit.code, "name": p.unit.name, "reason": "no_sheet"}
        for p in placed
    ]
    return {
        "pairs": pairs,
        "balance": [_row(b) for b in result.balance],
        "unmatched": unmatched,
        "counts": {
            "pilots": result.n_treated + len(placed),
            "candidates": result.n_controls,
            "matched": result.n_matched_treated,
            "unmatched": len(unmatched),
            "controls_used": result.n_controls_used,
            "pairs": len(pairs),
        },
        "smd_denominator": result.smd_denominator,
        "caliper_logit": result.caliper_logit,
        "logit_sd": result.logit_sd,
        "pilot_ids": sorted(pilot_placements(selection).values_list("unit_id", flat=True)),
        "command": cli_command(params),
    }


# --- reading a run for the page -------------------------------------------------------------

REASONS = {
    "stratum": gettext_lazy(
        "同一%(attribute)s中没有可作对照的学校：取消按“%(attribute)s”精确匹配。"
    ),
    "caliper": gettext_lazy("卡钳内没有对照学校：把卡钳放宽到 %(caliper)s 个标准差。"),
    "caliper_none": gettext_lazy(
        "可用的对照学校已用完：减少每所试点学校的对照数，或允许重复使用对照。"
    ),
    "taken": gettext_lazy(
        "卡钳内的对照学校已被其他试点学校用完：允许重复使用对照，"
        "或把卡钳放宽到 %(caliper)s 个标准差。"
    ),
    "no_sheet": gettext_lazy("这所试点学校没有已提交的自查表，不在可比较的学校之中。"),
}


def unmatched_reason(item: dict[str, Any]) -> str:
    reason = item.get("reason")
    if reason == "stratum":
        return REASONS["stratum"] % {"attribute": ATTRIBUTES.get(item.get("drop"), "")}
    if reason in ("caliper", "taken") and item.get("caliper") is not None:
        return REASONS[reason] % {"caliper": f"{item['caliper']:g}"}
    if reason == "no_sheet":
        return str(REASONS["no_sheet"])
    return str(REASONS["caliper_none"])


def balance_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The balance rows with their labels and flags; ``after`` is False when no pilot was
    matched (the after columns then mean nothing and are shown as —)."""
    after = bool(result.get("counts", {}).get("matched"))
    return [
        {
            **row,
            "label": covariate_label(row["covariate"]),
            "after": after,
            "flag_before": abs(row["smd_before"]) >= SMD_FLAG,
            "flag_after": after and abs(row["smd_after"]) >= SMD_FLAG,
        }
        for row in result.get("balance", [])
    ]


def grouped_pairs(result: dict[str, Any]) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for pair in result.get("pairs", []):
        group = groups.setdefault(
            pair["pilot_code"],
            {"code": pair["pilot_code"], "name": pair["pilot_name"], "controls": []},
        )
        group["controls"].append(pair)
    return list(groups.values())


def loveplot_data(result: dict[str, Any]) -> dict[str, Any]:
    rows = balance_rows(result)
    return {
        "labels": [r["label"] for r in rows],
        "before": [round(abs(r["smd_before"]), 4) for r in rows],
        "after": [round(abs(r["smd_after"]), 4) if r["after"] else None for r in rows],
        "threshold": SMD_FLAG,
        "names": {"before": _("匹配前"), "after": _("匹配后"), "axis": _("|标准化均值差|")},
    }


# --- adopting -------------------------------------------------------------------------------


@transaction.atomic
def match_adopt(
    *, by: Any, selection: Selection, match_run: MatchRun, confirm_unmatched: bool = False
) -> int:
    """Make ``match_run`` the selection's controls: replace the ControlPair rows, set
    ``Selection.match``. Refused when the run is not done, when the pilots changed since it ran,
    and, unless ``confirm_unmatched``, when some pilots got no control. Returns the pair count."""
    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    match_run = MatchRun.objects.get(pk=match_run.pk, selection=selection)  # scoping: ok checked
    if match_run.status != RunStatus.DONE:
        raise ValidationError(_("这次匹配还没有完成或没有结果，不能采用。"))
    result = match_run.result
    pilots = sorted(pilot_placements(selection).values_list("unit_id", flat=True))
    if pilots != result.get("pilot_ids"):
        raise ValidationError(_("这次匹配之后，试点学校的批次安排改过了：请重新匹配后再采用。"))
    unmatched = result.get("unmatched", [])
    if not result.get("pairs"):
        raise ValidationError(
            _("这次匹配没有得到任何对照配对，不能采用：请放宽卡钳或减少精确匹配的属性后重新匹配。")
        )
    if unmatched and not confirm_unmatched:
        names = "、".join(u["name"] for u in unmatched[:10])
        raise ValidationError(
            _(
                "%(n)d 所试点学校没有匹配到对照学校（%(names)s）。"
                "请按提示调整后重新匹配；如确实要采用，请勾选确认。"
            )
            % {"n": len(unmatched), "names": names}
        )
    ControlPair.objects.filter(selection=selection).delete()  # scoping: ok selection checked
    ControlPair.objects.bulk_create(
        [
            ControlPair(
                selection=selection,
                pilot_id=p["pilot_id"],
                control_id=p["control_id"],
                distance=p["distance"],
            )
            for p in result.get("pairs", [])
        ]
    )
    selection.match = match_run
    selection.save(update_fields=["match", "updated_at"])
    audit_record(
        actor=by,
        action="selection.match_adopt",
        target=selection,
        summary=f"#{match_run.number}",
        data={"pairs": len(result.get("pairs", [])), "unmatched": len(unmatched)},
    )
    return len(result.get("pairs", []))


# --- export ---------------------------------------------------------------------------------


def export_tables(selection: Selection, match_run: MatchRun) -> dict[str, Any]:
    """The population table ``shidian match`` reads (first sheet), then pairs and balance."""
    frame = population(selection)
    params = match_run.params
    columns = ["id", TREATED, *params["covariates"], *params["exact"]]
    population_rows = [
        [str(r["id"]), int(r[TREATED])]
        + [(None if isinstance(r[c], float) and math.isnan(r[c]) else r[c]) for c in columns[2:]]
        + [r["name"]]
        for r in frame.to_dict("records")
    ]
    result = match_run.result
    pair_rows = [
        [p["pilot_code"], p["pilot_name"], p["control_code"], p["control_name"], p["distance"]]
        for p in result.get("pairs", [])
    ]
    balance = [
        [
            r["covariate"], r["label"], r["treated_mean_before"], r["control_mean_before"],
            r["smd_before"], r["variance_ratio_before"], r["ecdf_max_before"],
            r["treated_mean_after"], r["control_mean_after"], r["smd_after"],
            r["variance_ratio_after"], r["ecdf_max_after"],
        ]
        for r in balance_rows(result)
    ]  # fmt: skip
    unmatched = [[u["code"], u["name"], unmatched_reason(u)] for u in result.get("unmatched", [])]
    return {
        "population": (columns + ["name"], population_rows),
        "pairs": (["pilot_id", "pilot_name", "control_id", "control_name", "distance"], pair_rows),
        "balance": (
            [
                "covariate",
                "label",
                "treated_mean",
                "control_mean",
                "smd",
                "variance_ratio",
                "ecdf_max",
                "treated_mean_after",
                "control_mean_after",
                "smd_after",
                "variance_ratio_after",
                "ecdf_max_after",
            ],
            balance,
        ),  # fmt: skip
        "unmatched": (["id", "name", "reason"], unmatched),
        "command": cli_command(params),
    }


def register() -> None:
    """Called once from SelectionConfig.ready(): this step's audit action names."""
    from shidian.apps.core.audit import register_actions

    register_actions(
        {
            "selection.match_run": gettext_lazy("遴选：对照组匹配"),
            "selection.match_adopt": gettext_lazy("遴选：采用对照组"),
        }
    )
