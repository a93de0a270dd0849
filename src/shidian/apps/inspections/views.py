"""Inspection pages: visits of a programme, one visit with its findings, the on-site finding
form, rectification items (the office's list and a school's own), one item with its history,
the school's answer, and the office's verification.

Views parse the request, look objects up through ``get_scoped_or_404`` (404 when unseen, 403
when seen but not allowed), call a service and render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import FILL, MANAGE, VIEW, can, get_scoped_or_404
from shidian.apps.inspections import forms, selectors, states
from shidian.apps.inspections.models import (
    AnswerFile,
    Finding,
    FindingPhoto,
    InspectionVisit,
    RectificationItem,
)
from shidian.apps.inspections.services import notice, rectification, visits
from shidian.apps.orgs.models import OrgUnit

PAGE = 50


def _errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _programme(request: HttpRequest, programme_id: int, action: str = VIEW):
    from shidian.apps.programmes.models import Programme

    return get_scoped_or_404(
        Programme.objects.select_related("unit"), request.user, action, pk=programme_id
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The visits the user sees (office, inspectors); schools go to their items."""
    found = selectors.visits_for(request.user)
    if not found.exists():
        return redirect("inspections:items")
    return render(request, "inspections/home.html", {"visits": found[:200]})


@login_required
def visit_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _programme(request, programme_id)
    return render(
        request,
        "inspections/visit_list.html",
        {
            "programme": programme,
            "visits": selectors.visits_for(request.user, programme=programme),
            "may_manage": can(request.user, MANAGE, programme),
        },
    )


@login_required
def visit_create(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _programme(request, programme_id)
    if not visits.may_schedule(request.user, programme):
        raise PermissionDenied
    pool = visits.population(programme)
    form = forms.VisitForm(request.POST or None, programme=programme, pool=pool)
    if request.method == "POST" and form.is_valid():
        try:
            visit = form.create_visit(by=request.user, programme=programme)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("督查已安排。"))
            return redirect("inspections:visit", visit_id=visit.pk)
    return render(
        request,
        "inspections/visit_form.html",
        {"programme": programme, "form": form, "pool_size": len(pool)},
    )


def _visit(request: HttpRequest, visit_id: int, action: str = VIEW) -> InspectionVisit:
    return get_scoped_or_404(
        InspectionVisit.objects.select_related("programme__unit"),
        request.user,
        action,
        pk=visit_id,
    )


@login_required
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit(request, visit_id)
    user = request.user
    may_manage = can(user, MANAGE, visit)
    return render(
        request,
        "inspections/visit.html",
        {
            "visit": visit,
            "programme": visit.programme,
            "units": visit.visit_units.select_related("unit"),
            "findings": selectors.findings_of(visit, user),
            "may_manage": may_manage,
            "may_record": visits.may_record(user, visit)
            and visit.status in (states.SCHEDULED, states.IN_PROGRESS),
            "moves": [a for a, (starts, _e) in states.VISIT_MOVES.items() if visit.status in starts]
            if may_manage
            else [],
            "turn_form": forms.TurnForm() if may_manage else None,
            "notice_units": selectors.open_items_by_unit(visit, user) if may_manage else [],
            "inspectors": visit.inspectors.select_related("unit"),
        },
    )


@require_POST
@login_required
def visit_move(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit(request, visit_id, MANAGE)
    moves = {
        "start": visits.visit_start,
        "complete": visits.visit_complete,
        "cancel": visits.visit_cancel,
    }
    move = moves.get(request.POST.get("action", ""))
    if move is None:
        messages.error(request, _("未知的操作。"))
    else:
        try:
            move(by=request.user, visit=visit)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("inspections:visit", visit_id=visit.pk)


@login_required
def finding_add(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit(request, visit_id)
    if not visits.may_record(request.user, visit):
        raise PermissionDenied
    units = [vu.unit for vu in visit.visit_units.select_related("unit")]
    form = forms.FindingForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        indicators=visits.indicator_choices(visit.programme),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visits.finding_add(
                by=request.user,
                visit=visit,
                text=data["text"],
                units=form.chosen_units(),
                indicator_code=data.get("indicator_code") or "",
                needs_action=data["needs_action"],
                severity=data["severity"],
                photos=data["photos"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("发现已记录。"))
            if "again" in request.POST:
                return redirect("inspections:finding_add", visit_id=visit.pk)
            return redirect("inspections:visit", visit_id=visit.pk)
    return render(request, "inspections/finding_form.html", {"visit": visit, "form": form})


@require_POST
@login_required
def finding_turn(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = get_scoped_or_404(
        Finding.objects.select_related("visit__programme"), request.user, VIEW, pk=finding_id
    )
    if not visits.may_turn(request.user, finding):
        raise PermissionDenied
    form = forms.TurnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的整改期限。"))
    else:
        try:
            items = visits.finding_to_items(
                by=request.user,
                finding=finding,
                due_on=form.cleaned_data["due_on"],
                title=form.cleaned_data["title"],
                evidence_required=form.cleaned_data["evidence_required"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已下达 %(n)d 项整改。") % {"n": len(items)})
    return redirect(
        reverse("inspections:visit", kwargs={"visit_id": finding.visit_id})
        + f"#finding-{finding.pk}"
    )


@login_required
def photo_download(request: HttpRequest, finding_photo_id: int) -> FileResponse:
    photo = get_scoped_or_404(
        FindingPhoto.objects.select_related("finding"), request.user, VIEW, pk=finding_photo_id
    )
    return FileResponse(photo.file.open("rb"), filename=photo.original_name)


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = forms.ItemFilterForm(request.GET or None)
    params = filters.cleaned_data if filters.is_valid() else {}
    items = selectors.items_for(
        request.user,
        status=params.get("status", ""),
        severity=params.get("severity", ""),
        overdue=bool(params.get("overdue")),
        today=today,
    )
    page = Paginator(items, PAGE).get_page(request.GET.get("page"))
    template = "inspections/items.html#results" if request.htmx else "inspections/items.html"
    return render(request, template, {"page": page, "filters": filters, "today": today})


def _item(request: HttpRequest, rect_item_id: int, action: str = VIEW) -> RectificationItem:
    return get_scoped_or_404(
        RectificationItem.objects.select_related("unit", "programme", "finding__visit", "owner"),
        request.user,
        action,
        pk=rect_item_id,
    )


@login_required
def item_detail(request: HttpRequest, rect_item_id: int, answer_form=None, reason_form=None):
    item = _item(request, rect_item_id)
    user = request.user
    may_fill = can(user, FILL, item) and item.status in states.AWAITING_UNIT
    may_manage = can(user, MANAGE, item)
    photos = []
    if item.finding_id and can(user, VIEW, item.finding):
        photos = list(item.finding.photos.all())
    return render(
        request,
        "inspections/item.html",
        {
            "item": item,
            "today": timezone.localdate(),
            "events": item.events.select_related("by"),
            "answers": item.answers.select_related("by").prefetch_related("files"),
            "photos": photos,
            "answer_form": (answer_form or forms.AnswerForm()) if may_fill else None,
            "may_verify": may_manage and item.status == states.ANSWERED,
            "reason_form": reason_form or forms.ReasonForm(),
            "may_manage": may_manage,
        },
    )


@require_POST
@login_required
def item_answer(request: HttpRequest, rect_item_id: int) -> HttpResponse:
    item = _item(request, rect_item_id)
    form = forms.AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rectification.item_answer(
                by=request.user,
                item=item,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("整改情况已提交，等待核验。"))
            return redirect("inspections:item", rect_item_id=item.pk)
    return item_detail(request, rect_item_id, answer_form=form)


@require_POST
@login_required
def item_verify(request: HttpRequest, rect_item_id: int) -> HttpResponse:
    item = _item(request, rect_item_id)
    try:
        if request.POST.get("decision") == "reopen":
            rectification.item_reopen(
                by=request.user, item=item, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("已退回重新整改。"))
        else:
            rectification.item_verify_close(
                by=request.user, item=item, note=request.POST.get("reason", "")
            )
            messages.success(request, _("已核验销号。"))
    except ValidationError as error:
        form = forms.ReasonForm(request.POST)
        form.is_valid()
        _errors(form, error)
        return item_detail(request, rect_item_id, reason_form=form)
    return redirect("inspections:item", rect_item_id=item.pk)


@login_required
def answer_file(request: HttpRequest, rect_file_id: int) -> FileResponse:
    found = get_scoped_or_404(
        AnswerFile.objects.select_related("answer"), request.user, VIEW, pk=rect_file_id
    )
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.original_name)


@require_POST
@login_required
def visit_notice(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit(request, visit_id, MANAGE)
    unit = get_scoped_or_404(
        OrgUnit.objects.select_related("parent"),
        request.user,
        VIEW,
        pk=_int(request.POST.get("unit")),
    )
    try:
        document = notice.rectification_notice_generate(
            by=request.user, unit=unit, programme=visit.programme, visit=visit
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("inspections:visit", visit_id=visit.pk)
    messages.success(request, _("整改通知书已生成。"))
    return redirect("documents:detail", document_id=document.pk)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
