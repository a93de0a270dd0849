"""The selection's step writes (selection:write), as the step pages make them: the office sets
the zones' quotas and the recommendation deadline, computes shortlists (a Run) and adopts one,
assigns the panel's experts to the shortlisted schools (a Run) and moves one by hand,
reconciles the experts' scores, opens a discussion round and adopts a reconciliation, and
moves or swaps pilots between batches. Each goes through the forms and services the pages
use, under ``If-Match`` with the selection's ETag (``GET /selections/{id}``); a write answers
the selection as that GET does with its new ETag (a reconciliation answers itself, with the
selection's new ETag), a computation answers 202 with the run to poll (``GET /runs/{id}``).

Left on the pages: the batches' forming, the panel's membership and reminders, and the
experts' own scores (their review is written on the review sheet; a discussion score is the
expert's, who does not see the selection, so there is no selection ETag for them to send)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from pydantic import StringConstraints

from shidian.apps.accounts.models import User
from shidian.apps.api import scopes
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import NO_NUL
from shidian.apps.api.routers import selection as reads
from shidian.apps.api.routers.selection import SelectionDetail, selection_detail_out
from shidian.apps.api.writes import form_refused, if_match, write
from shidian.apps.core.access import MANAGE, VIEW, require
from shidian.apps.orgs.models import OrgUnit
from shidian.apps.selection.forms_batches import MoveForm, SwapForm
from shidian.apps.selection.forms_recommend import QuotaForm, quota_field_name
from shidian.apps.selection.forms_reconcile import ReconcileForm
from shidian.apps.selection.forms_review import AssignForm
from shidian.apps.selection.forms_shortlist import ShortlistForm, quota_field
from shidian.apps.selection.models import Reconciliation, ShortlistRun
from shidian.apps.selection.services import batches as batching
from shidian.apps.selection.services import recommend as recommending
from shidian.apps.selection.services import reconcile as reconciling
from shidian.apps.selection.services import review as reviewing
from shidian.apps.selection.services import shortlist as shortlisting
from shidian.apps.selection.services.selections import open_cycles, selection_update

router = Router(tags=["selection"])

Code = Annotated[str, StringConstraints(max_length=150, pattern=NO_NUL)]
# The forms' and services' own limits are what the page tells; these bounds only keep a body
# from being absurd.
Text = Annotated[str, StringConstraints(max_length=20000, pattern=NO_NUL)]
Short = Annotated[str, StringConstraints(max_length=64, pattern=NO_NUL)]
Whole = Annotated[int, Field(ge=-(10**9), le=10**9)]
Real = Annotated[float, Field(ge=-1e9, le=1e9, allow_inf_nan=False)]


def _number() -> Any:
    return Path(..., ge=1, le=10**9)


class QuotaIn(Schema):
    zone: Code
    quota: Whole | None = None


class QuotasIn(Schema):
    """The zones' quotas (only the zones named change; null or 0 removes a quota) and, when
    given, the recommendation deadline (null: none)."""

    quotas: list[QuotaIn] = Field(default_factory=list, max_length=1000)
    recommend_due: datetime.date | None = None


class MoveIn(Schema):
    unit: Code = ""
    batch: Whole = 0
    accept_sizes: bool = False


class SwapIn(Schema):
    unit_a: Code = ""
    unit_b: Code = ""


class AssignIn(Schema):
    per_unit: Whole = reviewing.DEFAULT_PER_UNIT


class AssignmentMoveIn(Schema):
    unit: Code = ""
    from_expert: Code = ""
    to_expert: Code = ""


class ReconcileIn(Schema):
    method: Short = reconciling.DEFAULTS["method"]
    trim: Real = reconciling.DEFAULTS["trim"]
    max_range: Real = reconciling.DEFAULTS["max_range"]
    self_weight: Real = reconciling.DEFAULTS["self_weight"]


class DiscussionIn(Schema):
    units: list[Code] = Field(default_factory=list, max_length=1000)


class HandPick(Schema):
    unit: Code
    reason: Text = ""


class StratumQuota(Schema):
    attribute: Short
    stratum: Short
    min: Whole | None = None
    max: Whole | None = None


class ShortlistIn(Schema):
    """The shortlist form's fields; ``include`` / ``exclude`` name schools with a reason."""

    count: Whole | None = None
    strata: list[Short] = Field(default_factory=list, max_length=50)
    proportional: bool = False
    tolerance: Real | None = None
    quotas: list[StratumQuota] = Field(default_factory=list, max_length=500)
    balance: list[Short] = Field(default_factory=list, max_length=50)
    max_smd: Real | None = None
    min_score: Real | None = None
    include: list[HandPick] = Field(default_factory=list, max_length=1000)
    exclude: list[HandPick] = Field(default_factory=list, max_length=1000)


class RunStarted(Schema):
    run: int
    number: int | None
    status: str
    poll: str


class RankedOut(Schema):
    unit: str
    name: str
    rank: int
    final_score: float | None
    flagged: bool


class ReconciliationOut(Schema):
    number: int
    params: dict
    flagged: list[str]
    discussion_open: list[str]
    ranking: list[RankedOut]


def _rows(request: HttpRequest):
    return reads.visible_selections(request, scopes.WRITE)


def _answer(response: HttpResponse, request: HttpRequest, selection_id: int) -> dict:
    row = get_object_or_404(reads.visible_selections(request), pk=selection_id)
    response["ETag"] = etag_of(row)
    return selection_detail_out(request, row)


def _unit_pk(code: str) -> int:
    """The unit of that code (0 for none): the services check it is one of the step's."""
    if not code:
        return 0
    found = OrgUnit.objects.filter(code=code).values_list("pk", flat=True)  # scoping: ok
    return found.first() or 0


def _user_pk(username: str) -> int:
    """The account of that username (0 for none): the services check it is on the panel."""
    if not username:
        return 0
    found = User.objects.filter(username=username).values_list("pk", flat=True)  # scoping: ok
    return found.first() or 0


def _office(request: HttpRequest, selection: Any) -> None:
    """The office only, before its form is read (the step pages answer 403 first too)."""
    require(request.user, MANAGE, selection)


def _started(response: HttpResponse, run: Any, number: int | None) -> Status:
    poll = reverse("api-v1:run", kwargs={"run_id": run.pk})
    response["Location"] = poll
    return Status(202, {"run": run.pk, "number": number, "status": run.status, "poll": poll})


# --- quotas ---------------------------------------------------------------------------------


@router.put(
    "/selections/{selection_id}/quotas",
    response=SelectionDetail,
    url_name="selection_quotas",
    openapi_extra=if_match(),
)
def quotas(request: HttpRequest, response: HttpResponse, selection_id: int, body: QuotasIn):
    """The office sets the quotas of the zones named (``zone`` code, ``quota`` 0 to 1000;
    null or 0 removes it; the other zones keep theirs) and, if ``recommend_due`` is sent, the
    zones' deadline (null for none), as on the recommendation and settings pages; the zones
    whose quota changed are told. 422 ``refused`` for a quota out of range, a zone outside the
    programme or below what it already recommended; 409 ``closed`` (no recommendation step,
    or the shortlist adopted) or ``not_editable`` (submitted or approved); 403 ``forbidden``
    for anyone but the office."""
    deadline = "recommend_due" in body.model_fields_set
    wanted = [(_unit_pk(q.zone), q.quota) for q in body.quotas]

    def act(row):
        _office(request, row)
        if deadline:
            selection_update(
                by=request.user,
                selection=row,
                name=row.name,
                recommend=row.recommend,
                recommend_due=body.recommend_due,
                pilot_count=row.pilot_count,
            )
            row.refresh_from_db()
        zones = recommending.scope_zones(row)
        known = {z.pk for z in zones}
        rows = [recommending.QuotaRow(z, None, 0, 0) for z in zones]
        data = {quota_field_name(pk): "" if n is None else n for pk, n in wanted if pk in known}
        typed = QuotaForm(data, rows=rows).checked_quotas()
        chosen = {pk: (typed[pk] if pk in known else n) for pk, n in wanted}
        if chosen or not deadline:
            recommending.zone_quotas_set(by=request.user, selection=row, quotas=chosen)

    write(request, _rows(request), selection_id, act)
    return _answer(response, request, selection_id)


# --- batches --------------------------------------------------------------------------------


@router.post(
    "/selections/{selection_id}/batches/move",
    response=SelectionDetail,
    url_name="selection_batch_move",
    openapi_extra=if_match(),
)
def batch_move(request: HttpRequest, response: HttpResponse, selection_id: int, body: MoveIn):
    """The office moves the pilot ``unit`` (school code) to batch number ``batch``; unless
    ``accept_sizes``, a move that leaves a batch off its target is refused (swap instead).
    422 ``refused`` (not a placed pilot, not an open batch, the same batch, sizes off),
    409 ``not_editable`` when submitted or approved, 403 ``forbidden`` for anyone but the
    office."""

    def act(row):
        _office(request, row)
        placements = batching.placements_of(row)
        cycles = open_cycles(row.programme, row)
        cycle = next((c.pk for c in cycles if c.number == body.batch), 0)
        data = {"unit": _unit_pk(body.unit), "cycle": cycle, "accept_sizes": body.accept_sizes}
        chosen = MoveForm(data, placements=placements, cycles=cycles).checked()
        batching.batch_move(
            by=request.user,
            selection=row,
            unit_id=chosen["unit"],
            cycle_id=chosen["cycle"],
            accept_sizes=chosen["accept_sizes"],
        )

    write(request, _rows(request), selection_id, act)
    return _answer(response, request, selection_id)


@router.post(
    "/selections/{selection_id}/batches/swap",
    response=SelectionDetail,
    url_name="selection_batch_swap",
    openapi_extra=if_match(),
)
def batch_swap(request: HttpRequest, response: HttpResponse, selection_id: int, body: SwapIn):
    """The office swaps the batches of two pilots (school codes ``unit_a``, ``unit_b``); every
    batch keeps its size. 422 ``refused`` (not placed pilots, or in the same batch), 409
    ``not_editable`` when submitted or approved, 403 ``forbidden`` for anyone but the office."""

    def act(row):
        _office(request, row)
        data = {"unit_a": _unit_pk(body.unit_a), "unit_b": _unit_pk(body.unit_b)}
        chosen = SwapForm(data, placements=batching.placements_of(row)).checked()
        batching.batch_swap(
            by=request.user, selection=row, unit_a=chosen["unit_a"], unit_b=chosen["unit_b"]
        )

    write(request, _rows(request), selection_id, act)
    return _answer(response, request, selection_id)


# --- the expert review ----------------------------------------------------------------------


@router.post(
    "/selections/{selection_id}/review/assignment-runs",
    response={202: RunStarted},
    url_name="selection_assignment_runs",
    openapi_extra=if_match(),
)
def assignment_runs(
    request: HttpRequest, response: HttpResponse, selection_id: int, body: AssignIn
):
    """The office assigns the panel's experts to the shortlisted schools, ``per_unit`` experts
    each (default 3), computed in the background: 202 with the run (``number`` null) and
    ``Location`` / ``poll`` (``GET /runs/{id}``). 422 ``refused`` (a count out of range, no
    shortlist or panel that fits, reviews already saved), 409 ``not_editable`` when submitted
    or approved, 403 ``forbidden`` for anyone but the office."""
    started = []

    def act(row):
        _office(request, row)
        form = AssignForm({"per_unit": body.per_unit})
        if not form.is_valid():
            raise form_refused(form)
        started.append(
            reviewing.assignment_start(
                by=request.user, selection=row, per_unit=form.cleaned_data["per_unit"]
            )
        )

    write(request, _rows(request), selection_id, act)
    return _started(response, started[0], None)


@router.post(
    "/selections/{selection_id}/review/moves",
    response=SelectionDetail,
    url_name="selection_assignment_move",
    openapi_extra=if_match(),
)
def assignment_move(
    request: HttpRequest, response: HttpResponse, selection_id: int, body: AssignmentMoveIn
):
    """The office moves the review of school ``unit`` from the expert ``from_expert`` to
    ``to_expert`` (usernames), by hand: the first loses and the second gains access to its
    sheet. 422 ``refused`` (no such assignment, not on the panel, already on the school, a
    conflict of interest, a saved review, over the expert's maximum), 409 ``not_editable``
    when submitted or approved, 403 ``forbidden`` for anyone but the office."""

    def act(row):
        reviewing.assignment_move(
            by=request.user,
            selection=row,
            unit_id=_unit_pk(body.unit),
            from_expert_id=_user_pk(body.from_expert),
            to_expert_id=_user_pk(body.to_expert),
        )

    write(request, _rows(request), selection_id, act)
    return _answer(response, request, selection_id)


# --- reconciling the scores -----------------------------------------------------------------


def _reconciliation_out(rec: Reconciliation) -> dict:
    result = rec.result or {}
    codes = {r["unit_id"]: r["code"] for r in result.get("ranking", [])}
    return {
        "number": rec.number,
        "params": rec.params,
        "flagged": [codes.get(u, str(u)) for u in result.get("flagged", [])],
        "discussion_open": [codes.get(u, str(u)) for u in result.get("discussion_open", [])],
        "ranking": [
            {
                "unit": r["code"],
                "name": r["name"],
                "rank": r["rank"],
                "final_score": r.get("final_score"),
                "flagged": bool(r.get("flagged")),
            }
            for r in result.get("ranking", [])
        ],
    }


def _reconciliation(request: HttpRequest, selection: Any, number: int) -> Reconciliation:
    found = (
        Reconciliation.objects.restrict(request.user, VIEW)
        .filter(selection=selection, number=number)
        .first()
    )
    if found is None:
        raise Http404
    return found


@router.post(
    "/selections/{selection_id}/reconciliations",
    response=ReconciliationOut,
    url_name="selection_reconcile",
    openapi_extra=if_match(),
)
def reconcile(request: HttpRequest, response: HttpResponse, selection_id: int, body: ReconcileIn):
    """The office reconciles the experts' scores (``method`` mean, trimmed or median, ``trim``,
    the disagreement threshold ``max_range``, ``self_weight``; left out: the page's defaults)
    and keeps the result: answers the reconciliation (its ``number``, flagged schools and
    ranking) with the selection's new ``ETag``. 422 ``refused`` for bad choices or too few
    scores, 409 ``not_editable`` when submitted or approved, 403 ``forbidden`` for anyone but
    the office."""
    made = []

    def act(row):
        _office(request, row)
        form = ReconcileForm(body.model_dump())
        if not form.is_valid():
            raise form_refused(form)
        made.append(
            reconciling.reconciliation_run(by=request.user, selection=row, **form.cleaned_data)
        )

    write(request, _rows(request), selection_id, act)
    row = get_object_or_404(reads.visible_selections(request), pk=selection_id)
    response["ETag"] = etag_of(row)
    return _reconciliation_out(made[0])


@router.post(
    "/selections/{selection_id}/reconciliations/{run_number}/adopt",
    response=SelectionDetail,
    url_name="selection_reconcile_adopt",
    openapi_extra=if_match(),
)
def reconcile_adopt(
    request: HttpRequest, response: HttpResponse, selection_id: int, run_number: int = _number()
):
    """The office adopts reconciliation ``run_number``: its ranking is what the batches read.
    404 for a number the selection does not have, 409 ``not_editable`` when submitted or
    approved, 403 ``forbidden`` for anyone but the office."""

    def act(row):
        rec = _reconciliation(request, row, run_number)
        reconciling.reconciliation_adopt(by=request.user, selection=row, reconciliation=rec)

    write(request, _rows(request), selection_id, act)
    return _answer(response, request, selection_id)


@router.post(
    "/selections/{selection_id}/reconciliations/{run_number}/discussion",
    response=SelectionDetail,
    url_name="selection_discussion_open",
    openapi_extra=if_match(),
)
def discussion_open(
    request: HttpRequest,
    response: HttpResponse,
    selection_id: int,
    body: DiscussionIn,
    run_number: int = _number(),
):
    """The office opens a discussion round (合议) for flagged schools of reconciliation
    ``run_number`` (``units``: school codes; empty: every flagged one); their experts then give
    a second score on their page. 422 ``refused`` for a school not flagged in it, 404 for a
    number the selection does not have, 409 ``not_editable`` when submitted or approved, 403
    ``forbidden`` for anyone but the office."""

    def act(row):
        rec = _reconciliation(request, row, run_number)
        reconciling.discussion_open(
            by=request.user,
            selection=row,
            reconciliation=rec,
            unit_ids=[_unit_pk(code) for code in body.units],
        )

    write(request, _rows(request), selection_id, act)
    return _answer(response, request, selection_id)


# --- the shortlist --------------------------------------------------------------------------


def _shortlist_form(selection: Any, body: ShortlistIn) -> ShortlistForm:
    """The page's form, filled from the body: the stratum quotas go to their boxes."""
    values = shortlisting.strata_values(shortlisting.population(selection))
    data = MultiValueDict(
        {
            "count": ["" if body.count is None else body.count],
            "strata": list(body.strata),
            "tolerance": ["" if body.tolerance is None else body.tolerance],
            "balance": list(body.balance),
            "max_smd": ["" if body.max_smd is None else body.max_smd],
            "min_score": ["" if body.min_score is None else body.min_score],
            "include": ["\n".join(_line(p) for p in body.include)],
            "exclude": ["\n".join(_line(p) for p in body.exclude)],
        }
    )
    if body.proportional:
        data["proportional"] = "on"
    unknown = []
    for quota in body.quotas:
        strata = [v for v, _n in values.get(quota.attribute, [])]
        if quota.stratum not in strata:
            unknown.append(
                _("没有“%(attribute)s = %(stratum)s”这一层。")
                % {"attribute": quota.attribute, "stratum": quota.stratum}
            )
            continue
        index = strata.index(quota.stratum)
        for bound, value in (("min", quota.min), ("max", quota.max)):
            data[quota_field(quota.attribute, index, bound)] = "" if value is None else value
    if unknown:
        raise ValidationError(unknown)
    return ShortlistForm(data, strata_values=values)


def _line(pick: HandPick) -> str:
    # one line of the page's box: the code, a space, the reason (on one line)
    return f"{pick.unit} {' '.join(pick.reason.split())}".strip()


@router.post(
    "/selections/{selection_id}/shortlist-runs",
    response={202: RunStarted},
    url_name="selection_shortlist_runs",
    openapi_extra=if_match(),
)
def shortlist_runs(
    request: HttpRequest, response: HttpResponse, selection_id: int, body: ShortlistIn
):
    """The office computes a shortlist with the form's choices (``count``, ``strata``,
    ``proportional`` shares within ``tolerance``, stratum ``quotas``, ``balance`` within
    ``max_smd``, ``min_score``, schools to ``include`` / ``exclude`` with a reason), in the
    background: 202 with the run, the shortlist's ``number`` and ``Location`` / ``poll``
    (``GET /runs/{id}``). 422 ``refused`` with the page's words for what cannot be met, 409
    ``not_editable`` when submitted or approved, 403 ``forbidden`` for anyone but the office."""
    started = []

    def act(row):
        _office(request, row)
        form = _shortlist_form(row, body)
        if not form.is_valid():
            raise form_refused(form)
        started.append(
            shortlisting.shortlist_run_start(by=request.user, selection=row, params=form.params())
        )

    write(request, _rows(request), selection_id, act)
    shortlist = started[0]
    return _started(response, shortlist.run, shortlist.number)


@router.post(
    "/selections/{selection_id}/shortlist-runs/{run_number}/adopt",
    response=SelectionDetail,
    url_name="selection_shortlist_adopt",
    openapi_extra=if_match(),
)
def shortlist_adopt(
    request: HttpRequest, response: HttpResponse, selection_id: int, run_number: int = _number()
):
    """The office adopts shortlist ``run_number`` (``GET /selections/{id}/shortlist`` then
    lists it): the chosen schools move to shortlisted, the ones it leaves out go back. 404 for
    a number the selection does not have, 409 ``not_allowed`` while that run is not done,
    ``not_editable`` when submitted or approved, 403 ``forbidden`` for anyone but the office."""

    def act(row):
        found = ShortlistRun.objects.restrict(request.user, VIEW).filter(
            selection=row, number=run_number
        )
        if not found.exists():
            raise Http404
        shortlisting.shortlist_adopt(by=request.user, selection=row, number=run_number)

    write(request, _rows(request), selection_id, act)
    return _answer(response, request, selection_id)
