"""The batches step: form the batches (by rank or balanced), move or swap pilots by hand with
the balance figures updating (an HTMX partial), and download the placements as XLSX."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import MANAGE, can
from shidian.apps.selection import selectors
from shidian.apps.selection.exports import xlsx_response
from shidian.apps.selection.forms_batches import BatchesForm, MoveForm, SwapForm
from shidian.apps.selection.services import batches as services
from shidian.apps.selection.services.selections import open_cycles
from shidian.apps.selection.steps import steps_of

TEMPLATE = "selection/batches.html"


def _context(request: HttpRequest, selection, **extra) -> dict:
    placements = services.placements_of(selection)
    panel = services.balance_panel(selection, placements)
    cycles = panel["plan"].cycles
    return {
        "selection": selection,
        "programme": selection.programme,
        "steps": steps_of(selection, current="batches", with_state=False),
        "manage": can(request.user, MANAGE, selection) and not selection.frozen,
        "panel": panel,
        "placements": placements,
        "rows": list(zip(placements, _labels(panel, placements), strict=True)),
        "form": extra.pop("form", None) or BatchesForm(),
        "move_form": MoveForm(placements=placements, cycles=cycles),
        "swap_form": SwapForm(placements=placements),
        **extra,
    }


def _labels(panel: dict, placements: list) -> list[list[str]]:
    from shidian.apps.selection.candidates import ATTRIBUTES, attribute_labels

    if not placements:
        return []
    names = {a: attribute_labels(a) for a in ATTRIBUTES}
    return [
        [names[a].get(panel["labels"][a][i], panel["labels"][a][i]) or "—" for a in ATTRIBUTES]
        for i in range(len(placements))
    ]


@login_required
def batches_page(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.followed_selection(user=request.user, selection_id=selection_id)
    return render(request, TEMPLATE, _context(request, selection))


@login_required
@require_POST
def batches_form(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    form = BatchesForm(request.POST)
    if form.is_valid():
        try:
            services.batches_form(
                by=request.user,
                selection=selection,
                method=form.cleaned_data["method"],
                attributes=form.cleaned_data["attributes"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已安排批次。"))
            return redirect("selection:batches", selection_id=selection.pk)
    return render(request, TEMPLATE, _context(request, selection, form=form), status=400)


def _hand_change(request: HttpRequest, selection_id: int, change) -> HttpResponse:
    """Run one hand change; HTMX gets the panel back (with the error inside it, status 200 so
    htmx swaps it in), a plain form post is redirected (or shown with status 400)."""
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    error = ""
    try:
        change(selection)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        selection.refresh_from_db()
        context = _context(request, selection, error=error, done=not error)
        return render(request, f"{TEMPLATE}#panel", context)
    if error:
        return render(request, TEMPLATE, _context(request, selection, error=error), status=400)
    messages.success(request, _("已调整批次，均衡情况已更新。"))
    return redirect(reverse("selection:batches", kwargs={"selection_id": selection.pk}) + "#panel")


@login_required
@require_POST
def batches_move(request: HttpRequest, selection_id: int) -> HttpResponse:
    def change(selection):
        placements = services.placements_of(selection)
        cycles = open_cycles(selection.programme, selection)
        data = MoveForm(request.POST, placements=placements, cycles=cycles).checked()
        services.batch_move(
            by=request.user,
            selection=selection,
            unit_id=data["unit"],
            cycle_id=data["cycle"],
            accept_sizes=data["accept_sizes"],
        )

    return _hand_change(request, selection_id, change)


@login_required
@require_POST
def batches_swap(request: HttpRequest, selection_id: int) -> HttpResponse:
    def change(selection):
        data = SwapForm(request.POST, placements=services.placements_of(selection)).checked()
        services.batch_swap(
            by=request.user, selection=selection, unit_a=data["unit_a"], unit_b=data["unit_b"]
        )

    return _hand_change(request, selection_id, change)


@login_required
def batches_export(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.followed_selection(user=request.user, selection_id=selection_id)
    headers, rows = services.export_rows(selection, services.placements_of(selection))
    return xlsx_response("batches", headers, rows)


urlpatterns = [
    path("<int:selection_id>/batches/", batches_page, name="batches"),
    path("<int:selection_id>/batches/form/", batches_form, name="batches_form"),
    path("<int:selection_id>/batches/move/", batches_move, name="batches_move"),
    path("<int:selection_id>/batches/swap/", batches_swap, name="batches_swap"),
    path("<int:selection_id>/batches/export/", batches_export, name="batches_export"),
]
