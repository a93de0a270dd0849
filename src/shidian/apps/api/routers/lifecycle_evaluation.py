"""Read route of the impact evaluation (成效评估) of a programme: the figures of the evaluation
page (the estimates with their standard error and 95% CI, one per method, or the refusal saying
why there is none), computed from the same panel as the page. The panel reads every value
through ``restrict(user, VIEW)``, so a caller gets exactly what the page gives them: a county
its subtree, a school what it sees, another county's account a 404 (the programme unseen)."""

from __future__ import annotations

import math
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from shidian.apps.api.auth import need
from shidian.apps.api.errors import ApiError
from shidian.apps.api.pagination import Text
from shidian.apps.evaluation import analysis, selectors
from shidian.apps.evaluation.forms import EvaluationForm
from shidian.apps.programmes.selectors import programme_for

router = Router(tags=["evaluation"])
AREA = "evaluation"


class EstimateOut(Schema):
    method: str
    label: str
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    units: int | None
    periods: int | None
    clusters: int | None


class OutcomeOut(Schema):
    key: str
    label: str


class EvaluationOut(Schema):
    programme: int
    outcome: OutcomeOut
    period: str
    status: str  # "estimated" or "refused"
    refusal_code: str | None
    refusal: str | None
    pilots: int
    controls: int
    occasions: int
    missing_cells: int
    estimates: list[EstimateOut]
    cohorts: list[EstimateOut]
    notes: list[str]
    meaning: list[str]
    outcomes: list[OutcomeOut]


class EvaluationParams(Schema):
    outcome: Text | None = None
    period: Text | None = None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _row(row: analysis.Row) -> dict:
    return {
        "method": row.key,
        "label": str(row.label),
        "estimate": _number(row.estimate),
        "se": _number(row.se),
        "ci_low": _number(row.ci_low),
        "ci_high": _number(row.ci_high),
        "p_value": _number(row.p_value),
        "units": row.units,
        "periods": row.periods,
        "clusters": row.clusters,
    }


@router.get("/programmes/{programme_id}/evaluation", response=EvaluationOut, url_name="evaluation")
def evaluation(request: HttpRequest, programme_id: int, params: Query[EvaluationParams]):
    """The evaluation page's figures for one outcome (default: the self-assessment total) and
    period mode (``year``, default, or ``round``). An outcome the page does not offer is a
    422 (the page falls back to the default instead)."""
    user = need(request, AREA)
    programme = programme_for(user=user, programme_id=programme_id)
    rounds = selectors.programme_rounds(user=user, programme=programme)
    outcomes = selectors.outcome_choices(rounds, user=user, programme=programme)
    data = {k: v for k, v in (("outcome", params.outcome), ("period", params.period)) if v}
    form = EvaluationForm(data or None, outcomes=outcomes)
    if data and not form.is_valid():
        details = [
            {"loc": ["query", name], "message": " ".join(str(m) for m in errors)}
            for name, errors in form.errors.items()
        ]
        raise ApiError(422, "invalid", _("请求的数据不正确。"), details)
    outcome, period = form.choice()
    table = selectors.panel_table(
        user=user, programme=programme, outcome=outcome, period_mode=period, rounds=rounds
    )
    ev = analysis.evaluate(table)
    return {
        "programme": programme.pk,
        "outcome": {"key": outcome.key, "label": str(outcome.label)},
        "period": period,
        "status": "refused" if ev.refusal else "estimated",
        "refusal_code": ev.refusal_code,
        "refusal": str(ev.refusal) if ev.refusal else None,
        "pilots": table.pilots,
        "controls": table.controls,
        "occasions": table.rounds,
        "missing_cells": table.missing_cells,
        "estimates": [_row(r) for r in ev.estimates],
        "cohorts": [_row(r) for r in ev.cohorts],
        "notes": [str(n) for n in ev.notes],
        "meaning": [str(m) for m in ev.meaning],
        "outcomes": [{"key": o.key, "label": str(o.label)} for o in outcomes],
    }
