"""The selection's recommend step (stub: the page is built by the step's owner)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from shidian.apps.selection import selectors
from shidian.apps.selection.steps import steps_of


@login_required
def recommend_page(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.selection_for(user=request.user, selection_id=selection_id)
    return render(
        request,
        "selection/step_base.html",
        {
            "selection": selection,
            "programme": selection.programme,
            "steps": steps_of(selection, current="recommend", with_state=False),
        },
    )


urlpatterns = [
    path("<int:selection_id>/recommend/", recommend_page, name="recommend"),
]
