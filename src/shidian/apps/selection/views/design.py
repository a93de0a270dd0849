"""The design check: the minimum detectable effect of the chosen pilots and controls (a GET
form of inputs; nothing is stored)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from shidian.apps.selection import selectors
from shidian.apps.selection.forms_batches import DesignForm
from shidian.apps.selection.services import design as services
from shidian.apps.selection.services.controls import stale_pilots
from shidian.apps.selection.steps import steps_of


@login_required
def design_page(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.followed_selection(user=request.user, selection_id=selection_id)
    outcomes = services.outcomes_of(selection)
    form = DesignForm(request.GET or None, outcomes=outcomes)
    inputs = form.values()
    check = services.design_check(selection, inputs=inputs)
    outcome_label = dict(outcomes).get(inputs["outcome"], "")
    status = 400 if form.is_bound and form.errors else 200
    if request.GET.get("format") == "xlsx" and check.get("curve"):
        return _xlsx(check)
    return render(
        request,
        "selection/design.html",
        {
            "selection": selection,
            "programme": selection.programme,
            "steps": steps_of(selection, current="design", with_state=False),
            "form": form,
            "check": check,
            "inputs": inputs,
            "outcome_label": outcome_label,
            "chart": services.chart_data(check),
            "alpha_pct": round(inputs["alpha"] * 100, 1),
            "power_pct": round(inputs["power"] * 100, 1),
            "stale_pilots": stale_pilots(selection),
        },
        status=status,
    )


def _xlsx(check: dict) -> HttpResponse:
    """The table of the page: the effect this design can detect against controls per pilot,
    at the current number of pilots and at twice that."""
    from shidian.apps.selection.exports import xlsx_response

    headers = ["controls_per_pilot", "pilots", "controls", "mde", "mde_sd"]
    rows = [
        [round(r["ratio"], 2), r["pilots"], r["controls"], round(r["mde"], 4), round(r["d"], 4)]
        for r in [*check["curve"], *check["curve_double_pilots"]]
    ]
    return xlsx_response("design", headers, rows)


urlpatterns = [
    path("<int:selection_id>/design/", design_page, name="design"),
]
