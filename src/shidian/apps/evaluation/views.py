"""The evaluation page of a programme and the XLSX of the panel behind it (GET only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shidian.apps.core.replica import replica_reads
from shidian.apps.evaluation import analysis, exports, selectors
from shidian.apps.evaluation.forms import EvaluationForm
from shidian.apps.programmes.selectors import programme_for


def _panel(request: HttpRequest, programme_id: int):
    programme = programme_for(user=request.user, programme_id=programme_id)
    rounds = selectors.programme_rounds(user=request.user, programme=programme)
    outcomes = selectors.outcome_choices(rounds, user=request.user, programme=programme)
    form = EvaluationForm(request.GET or None, outcomes=outcomes)
    outcome, period = form.choice()
    table = selectors.panel_table(
        user=request.user, programme=programme, outcome=outcome, period_mode=period, rounds=rounds
    )
    return programme, form, table


@login_required
@replica_reads
@require_GET
def evaluation_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme, form, table = _panel(request, programme_id)
    ev = analysis.evaluate(table)
    filename = exports.filename(programme, table)
    query = request.GET.urlencode()
    return render(
        request,
        "evaluation/page.html",
        {
            "programme": programme,
            "form": form,
            "table": table,
            "ev": ev,
            "filename": filename,
            "command": analysis.command(filename),
            "query": query,
        },
    )


@login_required
@require_GET
def evaluation_panel(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme, _form, table = _panel(request, programme_id)
    return exports.panel_response(programme, table)
