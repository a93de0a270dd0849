"""A programme's selections, creating one, and the overview with every step's state."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, can
from shidian.apps.programmes.selectors import programme_for
from shidian.apps.selection import selectors
from shidian.apps.selection.forms import SelectionForm
from shidian.apps.selection.services import selections as services
from shidian.apps.selection.steps import steps_of


@login_required
def selection_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(user=request.user, programme_id=programme_id)
    return render(
        request,
        "selection/list.html",
        {
            "programme": programme,
            "selections": selectors.selections_for(user=request.user, programme=programme),
            "manage": can(request.user, MANAGE, programme),
        },
    )


@login_required
def selection_create(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(user=request.user, programme_id=programme_id)
    if not can(request.user, MANAGE, programme):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    initial = {
        "name": _("%(programme)s试点学校遴选") % {"programme": programme.name},
        "pilot_count": services.default_pilot_count(programme),
    }
    form = SelectionForm(
        request.POST or None, user=request.user, programme=programme, initial=initial
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                selection = services.selection_create(
                    by=request.user,
                    programme=programme,
                    round_obj=data["round"],
                    name=data["name"],
                    recommend=data["recommend"],
                    recommend_due=data["recommend_due"],
                    pilot_count=data["pilot_count"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已创建遴选。"))
                return redirect("selection:detail", selection_id=selection.pk)
        status = 400
    return render(
        request,
        "selection/form.html",
        {"programme": programme, "form": form, "selection": None},
        status=status,
    )


@login_required
def selection_edit(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    initial = {
        "name": selection.name,
        "round": selection.round_id,
        "pilot_count": selection.pilot_count,
        "recommend": selection.recommend,
        "recommend_due": selection.recommend_due,
    }
    form = SelectionForm(
        request.POST or None,
        user=request.user,
        programme=selection.programme,
        fixed_round=True,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.selection_update(
                    by=request.user,
                    selection=selection,
                    name=data["name"],
                    recommend=data["recommend"],
                    recommend_due=data["recommend_due"],
                    pilot_count=data["pilot_count"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("selection:detail", selection_id=selection.pk)
        status = 400
    return render(
        request,
        "selection/form.html",
        {"programme": selection.programme, "form": form, "selection": selection},
        status=status,
    )


@login_required
def selection_detail(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.selection_for(user=request.user, selection_id=selection_id)
    return render(
        request,
        "selection/detail.html",
        {
            "selection": selection,
            "programme": selection.programme,
            "steps": steps_of(selection, user=request.user),
            "manage": can(request.user, MANAGE, selection),
        },
    )


urlpatterns = [
    path("programme/<int:programme_id>/", selection_list, name="list"),
    path("programme/<int:programme_id>/new/", selection_create, name="create"),
    path("<int:selection_id>/", selection_detail, name="detail"),
    path("<int:selection_id>/edit/", selection_edit, name="edit"),
]
