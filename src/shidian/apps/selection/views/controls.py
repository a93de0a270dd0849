"""The selection's controls step (对照组): run a matching, read its balance, adopt it, export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shidian.apps.core.access import MANAGE, can
from shidian.apps.selection import selectors
from shidian.apps.selection.exports import xlsx_response
from shidian.apps.selection.forms_controls import MatchForm
from shidian.apps.selection.models import MatchRun, RunStatus, Selection
from shidian.apps.selection.services import controls as service
from shidian.apps.selection.steps import steps_of


def _run_of(selection: Selection, number: Any) -> MatchRun | None:
    runs = MatchRun.objects.filter(selection=selection)  # scoping: ok selection checked
    try:
        return runs.filter(number=int(number)).first()
    except (TypeError, ValueError):
        return None


def _shown_run(selection: Selection, request: HttpRequest) -> MatchRun | None:
    if request.GET.get("run"):
        found = _run_of(selection, request.GET["run"])
        if found is None:
            raise Http404
        return found
    if selection.match_id:
        return selection.match
    return selection.match_runs.order_by("-number").first()


def _params_text(params: dict[str, Any]) -> str:
    method = _("倾向得分") if params.get("method") == "propensity" else _("马氏距离")
    parts = [method, f"1:{params.get('ratio', 1)}"]
    if params.get("caliper") is not None:
        parts.append(_("卡钳 %(c)s") % {"c": f"{params['caliper']:g}"})
    if params.get("exact"):
        parts.append(_("精确匹配：%(a)s") % {"a": service.exact_label(params["exact"])})
    if params.get("replace"):
        parts.append(_("有放回"))
    return " · ".join(parts)


def _denominator_text(code: str) -> str:
    if code == "pooled":
        return _(
            "标准化均值差 = 均值之差 ÷ 两组合并的标准差 √((s²试点 + s²对照)/2)（匹配前样本）。"
        )
    return _(
        "标准化均值差 = 均值之差 ÷ 试点组的标准差"
        "（匹配前样本，与 MatchIt、cobalt 估计试点效应时相同）。"
    )


def _context(request: HttpRequest, selection: Selection, form: MatchForm | None) -> dict:
    placements = list(service.pilot_placements(selection))
    manage = can(request.user, MANAGE, selection)
    shown = _shown_run(selection, request)
    runs = [
        {"run": r, "summary": _params_text(r.params), "adopted": r.pk == selection.match_id}
        for r in selection.match_runs.order_by("-number")
    ]
    result = shown.result if shown is not None and shown.status == RunStatus.DONE else None
    context: dict[str, Any] = {
        "selection": selection,
        "programme": selection.programme,
        "steps": steps_of(selection, current="controls", with_state=False, user=request.user),
        "manage": manage,
        "editable": manage and not selection.frozen,
        "placements": placements,
        "form": form or MatchForm(),
        "runs": runs,
        "shown": shown,
        "shown_summary": _params_text(shown.params) if shown else "",
        "adopted": shown is not None and shown.pk == selection.match_id,
        "active_run": shown.run if shown is not None and shown.status == RunStatus.QUEUED else None,
        "stale_pilots": service.stale_pilots(selection),
    }
    if result is not None:
        context.update(
            {
                "result": result,
                "counts": result.get("counts", {}),
                "balance": service.balance_rows(result),
                "loveplot": service.loveplot_data(result),
                "pair_groups": service.grouped_pairs(result),
                "unmatched": [
                    {**u, "why": service.unmatched_reason(u)} for u in result.get("unmatched", [])
                ],
                "denominator_text": _denominator_text(result.get("smd_denominator", "treated")),
            }
        )
    return context


@login_required
@require_http_methods(["GET", "POST"])
def controls_page(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.followed_selection(user=request.user, selection_id=selection_id)
    if request.method == "GET":
        return render(request, "selection/controls.html", _context(request, selection, None))
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    form = MatchForm(request.POST)
    if form.is_valid():
        try:
            match_run = service.match_start(
                by=request.user, selection=selection, params=form.params()
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            url = reverse("selection:controls", kwargs={"selection_id": selection.pk})
            return redirect(f"{url}?run={match_run.number}")
    return render(
        request, "selection/controls.html", _context(request, selection, form), status=400
    )


@login_required
@require_POST
def controls_adopt(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    match_run = _run_of(selection, request.POST.get("run"))
    if match_run is None:
        raise Http404
    try:
        count = service.match_adopt(
            by=request.user,
            selection=selection,
            match_run=match_run,
            confirm_unmatched=request.POST.get("confirm_unmatched") == "on",
        )
    except ValidationError as exc:
        request.GET = request.GET.copy()
        request.GET["run"] = str(match_run.number)
        context = _context(request, selection, None)
        context["adopt_errors"] = exc.messages
        return render(request, "selection/controls.html", context, status=400)
    messages.success(
        request,
        _("已采用第 %(n)d 次匹配：%(pairs)d 对试点与对照。")
        % {"n": match_run.number, "pairs": count},
    )
    url = reverse("selection:controls", kwargs={"selection_id": selection.pk})
    return redirect(f"{url}?run={match_run.number}")


@login_required
def controls_export(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.followed_selection(user=request.user, selection_id=selection_id)
    match_run = _run_of(selection, request.GET.get("run"))
    if match_run is None or match_run.status != RunStatus.DONE:
        raise Http404
    tables = service.export_tables(selection, match_run)
    headers, rows = tables["population"]
    return xlsx_response(
        "population",
        headers,
        rows,
        extra=[
            ("pairs", *tables["pairs"]),
            ("balance", *tables["balance"]),
            ("unmatched", *tables["unmatched"]),
            ("command", ["command"], [[tables["command"]]]),
        ],
    )


urlpatterns = [
    path("<int:selection_id>/controls/", controls_page, name="controls"),
    path("<int:selection_id>/controls/adopt/", controls_adopt, name="controls_adopt"),
    path("<int:selection_id>/controls/export/", controls_export, name="controls_export"),
]
