"""The one write of the impact evaluation (evaluation:write): start the annual
self-evaluation report of a year as the annual report page's 生成 does, a Run
(``evaluation.annual_report``) to poll at ``GET /runs/{id}``. The evaluation's figures are
computed on each read and it has nothing else to change, so the area is read plus this run."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.routers.lifecycle_evaluation import AREA
from shidian.apps.api.writes import form_refused
from shidian.apps.core.access import MANAGE, can
from shidian.apps.evaluation.annual import jobs
from shidian.apps.evaluation.annual.forms import AnnualReportForm
from shidian.apps.programmes.selectors import programme_for

router = Router(tags=["evaluation"])


class AnnualIn(Schema):
    """The page's year choice; left out, the form says so in the page's words."""

    year: int | None = Field(None, ge=-(10**9), le=10**9)


class AnnualStarted(Schema):
    run: int
    year: int
    status: str
    poll: str


@router.post(
    "/programmes/{programme_id}/annual-report-runs",
    response={202: AnnualStarted},
    url_name="evaluation_annual_report",
)
def annual_report(request: HttpRequest, response: HttpResponse, programme_id: int, body: AnnualIn):
    """Start the annual self-evaluation report of ``year`` (one of the programme's years that
    have begun), made in the background: the figures as the caller sees them, then the
    document, whose .docx and PDF the documents app makes. 202 with the run's id and
    ``Location`` / ``poll`` (``GET /runs/{id}``). 404 for who does not see the programme,
    403 ``forbidden`` for anyone who sees it without managing it (a leading-group member),
    422 ``invalid`` with the form's message naming the possible years."""
    user = need(request, AREA, scopes.WRITE)
    programme = programme_for(user=user, programme_id=programme_id)
    if not can(user, MANAGE, programme):  # as the page: before the form is looked at
        raise PermissionDenied
    data = {"year": "" if body.year is None else str(body.year)}
    form = AnnualReportForm(data, programme=programme)
    if not form.is_valid():
        raise form_refused(form)
    year = form.cleaned_data["year"]
    with transaction.atomic():
        run = jobs.annual_start(programme=programme, year=year, by=user)
    poll = reverse("api-v1:run", kwargs={"run_id": run.pk})
    response["Location"] = poll
    return Status(202, {"run": run.pk, "year": year, "status": run.status, "poll": poll})
