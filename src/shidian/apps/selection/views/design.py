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


urlpatterns = [
    path("<int:selection_id>/design/", design_page, name="design"),
]
