"""The design check (设计检验): what effect the chosen pilots and controls can detect.

Reads only (stores nothing): the pilots are the BatchPlacement units (before batches exist,
the top ``pilot_count`` of the ranking the batches step reads), the controls the distinct
control schools of the adopted ControlPair rows; sigma is the standard deviation (n - 1) of the
outcome over the selection's population (``candidate_frame``): the self-assessed total, or one
dimension's score from the sheets' ``dimension_scores``. The figures come from
``shidian.engine.power``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from shidian.apps.selection.candidates import candidate_frame
from shidian.apps.selection.models import BatchPlacement, ControlPair, Selection
from shidian.apps.selection.services.batches import batch_plan
from shidian.apps.submissions.models import Submission
from shidian.engine.errors import EngineInputError
from shidian.engine.power import minimum_detectable_effect

TOTAL = "total"
RATIOS = range(1, 6)
HYPOTHETICAL = (1, 2, 3)


def outcomes_of(selection: Selection) -> list[tuple[str, str]]:
    """The outcomes the check offers: the total and each dimension (一级指标) of the round's
    standard version, keyed ``dim:<code>``."""
    choices = [(TOTAL, _("自评总分"))]
    version = getattr(selection.round, "version", None)
    if version is not None:
        for dimension in version.as_standard().dimensions:
            choices.append((f"dim:{dimension.code}", f"{dimension.code} {dimension.name}"))
    return choices


def outcome_values(selection: Selection, outcome: str) -> np.ndarray:
    """The outcome's value for every unit of the population that has one."""
    frame = candidate_frame(selection)
    if outcome == TOTAL or not outcome.startswith("dim:"):
        return frame["score"].to_numpy(dtype=float)
    code = outcome.removeprefix("dim:")
    sheets = Submission.objects.filter(
        round=selection.round_id, unit_id__in=frame["unit_id"].tolist()
    ).values_list("dimension_scores", flat=True)
    values = [(scores or {}).get(code) for scores in sheets]
    return np.array([float(v) for v in values if v is not None], dtype=float)


def design_units(selection: Selection) -> dict[str, Any]:
    """Who the check counts: pilots (and where they come from) and controls."""
    placed = BatchPlacement.objects.filter(selection=selection).count()
    if placed:
        pilots, source = placed, "batches"
    else:
        plan = batch_plan(selection)
        pilots, source = len(plan.pilots), plan.source
    controls = (
        ControlPair.objects.filter(selection=selection).values("control_id").distinct().count()
    )
    return {"pilots": pilots, "pilots_source": source, "controls": controls}


def _row(n_t: int, n_c: int, sigma: float, inputs: dict[str, Any]) -> dict[str, Any]:
    result = minimum_detectable_effect(
        n_t,
        n_c,
        sigma,
        alpha=inputs["alpha"],
        power=inputs["power"],
        method=inputs["method"],
        rho=inputs["rho"],
    )
    return {
        "pilots": n_t,
        "controls": n_c,
        "ratio": n_c / n_t,
        "mde": result.effect,
        "d": result.effect_size * result.factor,
        "sentence": sentence(n_t, n_c, result.effect),
    }


def sentence(pilots: int, controls: int, mde: float) -> str:
    return _(
        "按 %(pilots)d 所试点、%(controls)d 所对照计算，低于 %(mde)s 分的效应很可能无法被发现。"
    ) % {"pilots": pilots, "controls": controls, "mde": f"{mde:.1f}"}


def design_check(selection: Selection, *, inputs: dict[str, Any]) -> dict[str, Any]:
    """Every figure of the page: sigma, the design's MDE (or, without controls, the MDE for
    1, 2, 3 controls per pilot), the MDE for 1..5 controls per pilot, the limit with
    unlimited controls, and what doubling the controls buys. ``problems`` says why a figure
    cannot be given."""
    units = design_units(selection)
    values = outcome_values(selection, inputs["outcome"])
    out: dict[str, Any] = {**units, "inputs": inputs, "n_population": len(values), "problems": []}
    if len(values) < 2 or not float(np.std(values, ddof=1)) > 0:
        out["problems"].append(_("这项结果指标的已提交得分不足两个或全部相同，无法估计标准差。"))
        return out
    sigma = float(np.std(values, ddof=1))
    out.update(sigma=sigma, mean=float(values.mean()))
    n_t, n_c = units["pilots"], units["controls"]
    if n_t < 1:
        out["problems"].append(_("还没有试点学校：请先采用入围名单或安排批次。"))
        return out
    try:
        if n_c:
            out["main"] = _row(n_t, n_c, sigma, inputs)
            out["doubled"] = _row(n_t, 2 * n_c, sigma, inputs)
            out["doubling_gain"] = out["main"]["mde"] - out["doubled"]["mde"]
        else:
            out["hypothetical"] = [_row(n_t, r * n_t, sigma, inputs) for r in HYPOTHETICAL]
        out["curve"] = [_row(n_t, r * n_t, sigma, inputs) for r in RATIOS]
        out["curve_double_pilots"] = [_row(2 * n_t, r * 2 * n_t, sigma, inputs) for r in RATIOS]
        for row, double in zip(out["curve"], out["curve_double_pilots"], strict=True):
            row["mde_double_pilots"] = double["mde"]
    except EngineInputError:
        # The form keeps alpha, power and rho in range; this is the last guard.
        out["problems"].append(_("无法计算最小可检测效应：请检查显著性水平、检验效能和相关系数。"))
        return out
    # With unlimited controls only the pilots' own noise is left (normal limit).
    from scipy import stats

    z = float(stats.norm.isf(inputs["alpha"] / 2) + stats.norm.ppf(inputs["power"]))
    factor = math.sqrt(1 - inputs["rho"] ** 2) if inputs["rho"] is not None else 1.0
    out["limit"] = z * sigma * factor / math.sqrt(n_t)
    return out


def chart_data(check: dict[str, Any]) -> dict[str, Any]:
    """What selection-design.js draws: MDE against controls per pilot."""
    if "curve" not in check:
        return {}
    return {
        "ratios": [r["ratio"] for r in check["curve"]],
        "mde": [round(r["mde"], 3) for r in check["curve"]],
        "mde_double": [round(r["mde"], 3) for r in check["curve_double_pilots"]],
        "limit": round(check["limit"], 3),
        "current": (check["controls"] / check["pilots"]) if check.get("main") else None,
        "current_mde": round(check["main"]["mde"], 3) if check.get("main") else None,
        "labels": {
            "x": _("每所试点的对照学校数"),
            "y": _("最小可检测效应（分）"),
            "series": _("%(n)d 所试点") % {"n": check["pilots"]},
            "series_double": _("%(n)d 所试点") % {"n": 2 * check["pilots"]},
            "limit": _("%(n)d 所试点、对照无限多时的下限") % {"n": check["pilots"]},
            "current": _("当前设计"),
        },
    }


def register() -> None:
    """Called once from SelectionConfig.ready(): the design check writes nothing, so it has no
    audit actions, todos or home sections."""
