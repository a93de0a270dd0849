"""The selection's reconcile step (评分汇总): the office reconciles the panel's scores, opens a
discussion round (合议) for flagged units and adopts one reconciliation; the assigned experts
give their second score on their own page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, REVIEW, can
from shidian.apps.selection import selectors
from shidian.apps.selection.exports import xlsx_response
from shidian.apps.selection.forms_reconcile import DiscussionForm, ReconcileForm
from shidian.apps.selection.models import ExpertAssignment, Reconciliation, Selection
from shidian.apps.selection.services import reconcile as services
from shidian.apps.selection.steps import steps_of


def _method_label(params: dict[str, Any]) -> str:
    method = params.get("method", "mean")
    if method == "trimmed":
        return _("截尾平均数（两端各去掉 %(p)s%%）") % {"p": f"{params.get('trim', 0) * 100:g}"}
    return _("中位数") if method == "median" else _("平均数")


def weights_text(params: dict[str, Any]) -> str:
    weights = params.get("weights", {"self": 0, "expert": 1})
    return _("最终得分 = %(self)s%% 自评 + %(expert)s%% 专家") % {
        "self": f"{weights['self'] * 100:g}",
        "expert": f"{weights['expert'] * 100:g}",
    }


def _level(value: float | None) -> str:
    """Koo & Li (2016)'s plain reading of an ICC."""
    if value is None:
        return ""
    if value < 0.5:
        return _("较差")
    if value < 0.75:
        return _("中等")
    if value < 0.9:
        return _("良好")
    return _("优秀")


def agreement(result: dict[str, Any]) -> list[dict[str, Any]]:
    names = (
        ("ICC(2,1)", "ICC(2,k)") if result.get("design") == "crossed" else ("ICC(1,1)", "ICC(1,k)")
    )
    rows = []
    for name in names:
        icc = result.get("icc", {}).get(name)
        if icc:
            rows.append({"name": name, **icc, "level": _level(icc["value"])})
    return rows


def _shown(selection: Selection, request: HttpRequest) -> Reconciliation | None:
    runs = Reconciliation.objects.filter(selection=selection)  # scoping: ok selection checked
    number = request.GET.get("n") or request.POST.get("number")
    if number:
        try:
            return runs.get(number=int(number))
        except (ValueError, Reconciliation.DoesNotExist):
            raise Http404 from None
    return runs.order_by("-number").first()


def _stale(selection: Selection) -> bool:
    """The adopted reconciliation ranks schools the shortlist adopted now leaves out."""
    if not selection.reconciliation_id:
        return False
    ranked = {r["unit_id"] for r in selection.reconciliation.result.get("ranking", [])}
    return bool(ranked - set(selection.shortlisted.values_list("unit_id", flat=True)))


def _context(request: HttpRequest, selection: Selection, form: ReconcileForm) -> dict[str, Any]:
    shown = _shown(selection, request)
    result = shown.result if shown else {}
    rows = services.unit_scores(selection)
    flagged = set(result.get("flagged", []))
    opened = services.open_units(selection)
    return {
        "selection": selection,
        "programme": selection.programme,
        "steps": steps_of(selection, current="reconcile", with_state=False),
        "manage": can(request.user, MANAGE, selection) and not selection.frozen,
        "form": form,
        "runs": [
            (run, _method_label(run.params))
            for run in Reconciliation.objects.filter(selection=selection)  # scoping: ok checked
        ],
        "shown": shown,
        "result": result,
        "method_label": _method_label(result.get("params", {})) if shown else "",
        "weights_text": weights_text(result.get("params", {})) if shown else "",
        "agreement": agreement(result),
        "kendall": result.get("kendall"),
        "flagged": flagged,
        "opened": opened,
        "closed_flagged": sorted(flagged - opened),
        "rows": rows,
        "missing": [r for r in rows if r.missing or not r.experts],
        "scored_total": sum(len(r.scored) for r in rows),
        "assigned_total": sum(len(r.experts) for r in rows),
        "stale": _stale(selection),
    }


@login_required
def reconcile_page(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.followed_selection(user=request.user, selection_id=selection_id)
    status = 200
    form = ReconcileForm(request.POST or None, initial=_initial(selection, request))
    if request.method == "POST":
        selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rec = services.reconciliation_run(by=request.user, selection=selection, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已完成第 %(n)d 次汇总。") % {"n": rec.number})
                return redirect(f"{request.path}?n={rec.number}")
        status = 400
    return render(
        request, "selection/reconcile.html", _context(request, selection, form), status=status
    )


def _initial(selection: Selection, request: HttpRequest) -> dict[str, Any]:
    """The choices of the reconciliation shown, so a re-run starts from them."""
    shown = None if request.method == "POST" else _shown(selection, request)
    if shown is None:
        return dict(services.DEFAULTS)
    p = shown.params
    return {
        "method": p.get("method", "mean"),
        "trim": p.get("trim") or services.DEFAULTS["trim"],
        "max_range": p.get("max_range", services.DEFAULTS["max_range"]),
        "self_weight": p.get("weights", {}).get("self", services.DEFAULTS["self_weight"]),
    }


def _post_only(request: HttpRequest, selection: Selection) -> HttpResponse | None:
    if request.method != "POST":
        return redirect("selection:reconcile", selection_id=selection.pk)
    return None


@login_required
def reconcile_adopt(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    if (answer := _post_only(request, selection)) is not None:
        return answer
    rec = _shown(selection, request)
    if rec is None:
        raise Http404
    try:
        services.reconciliation_adopt(by=request.user, selection=selection, reconciliation=rec)
    except ValidationError as exc:
        return _refused(request, selection, exc)
    messages.success(request, _("已采用第 %(n)d 次汇总的排名。") % {"n": rec.number})
    return redirect(f"{_url(selection)}?n={rec.number}")


@login_required
def reconcile_open(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    if (answer := _post_only(request, selection)) is not None:
        return answer
    rec = _shown(selection, request)
    if rec is None:
        raise Http404
    try:
        units = [int(u) for u in request.POST.getlist("unit") if u]
    except ValueError:
        units = [-1]
    try:
        opened = services.discussion_open(
            by=request.user, selection=selection, reconciliation=rec, unit_ids=units
        )
    except ValidationError as exc:
        return _refused(request, selection, exc)
    messages.success(
        request, _("已对 %(n)d 所学校发起合议，相关专家可以填写合议后得分。") % {"n": len(opened)}
    )
    return redirect(f"{_url(selection)}?n={rec.number}")


def _url(selection: Selection) -> str:
    from django.urls import reverse

    return reverse("selection:reconcile", kwargs={"selection_id": selection.pk})


def _refused(request: HttpRequest, selection: Selection, exc: ValidationError) -> HttpResponse:
    form = ReconcileForm()
    context = _context(request, selection, form)
    context["errors"] = exc.messages
    return render(request, "selection/reconcile.html", context, status=400)


@login_required
def reconcile_export(request: HttpRequest, selection_id: int) -> HttpResponse:
    """The scores in the long format ``shidian reconcile`` reads (unit, expert, score), or the
    ranking (whose unit and self_score columns serve as its ``--self`` table)."""
    selection = selectors.followed_selection(user=request.user, selection_id=selection_id)
    rec = _shown(selection, request)
    if rec is None:
        raise Http404
    result = rec.result
    ranking_head = [
        "rank",
        "unit",
        "name",
        "self_score",
        "expert_score",
        "n_experts",
        "range",
        "flagged",
        "final_score",
        "gap",
    ]
    ranking = [
        [
            r["rank"],
            r["code"],
            r["name"],
            r["self_score"],
            r["expert_score"],
            r["n_experts"],
            r.get("range"),
            "yes" if r["flagged"] else "",
            r["final_score"],
            r["gap"],
        ]
        for r in result.get("ranking", [])
    ]
    if request.GET.get("table") == "ranking":
        return xlsx_response("ranking", ranking_head, ranking)
    scores = [
        [s["code"], s["expert"], s["score"], s.get("expert_name", ""), s["source"]]
        for s in result.get("scores", [])
    ]
    return xlsx_response(
        "scores",
        ["unit", "expert", "score", "expert_name", "source"],
        scores,
        extra=[("ranking", ranking_head, ranking)],
    )


def _expert_rows(user: Any, assignments: list[ExpertAssignment]) -> list[dict[str, Any]]:
    """Per open unit: the expert's own scores and, once they gave theirs, the others'."""
    if not assignments:
        return []
    selection = assignments[0].selection
    units = {a.unit_id for a in assignments}
    rows = []
    for row in services.unit_scores(selection, unit_ids=units):
        mine = next((e for e in row.experts if e.expert.pk == user.pk), None)
        if mine is None or not row.discussion_open:
            continue
        others = [e for e in row.experts if e.expert.pk != user.pk]
        rows.append(
            {
                "row": row,
                "mine": mine,
                "others": others if mine.first is not None else None,
                "show_second": mine.second is not None,
            }
        )
    return rows


@login_required
def reconcile_discuss(request: HttpRequest, selection_id: int) -> HttpResponse:
    """An expert's discussion round: only their assigned units opened for discussion."""
    assignments = list(
        ExpertAssignment.objects.restrict(request.user, REVIEW)
        .filter(selection_id=selection_id, expert_id=request.user.pk)
        .select_related("selection", "selection__round__version", "unit")
    )
    if not assignments:
        raise Http404
    selection = assignments[0].selection
    status = 200
    errors: dict[int, list[str]] = {}
    form = DiscussionForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            unit_id = form.cleaned_data["unit"]
            assignment = next((a for a in assignments if a.unit_id == unit_id), None)
            if assignment is None:
                raise Http404
            try:
                services.discussion_score_save(
                    by=request.user,
                    assignment=assignment,
                    score=form.cleaned_data["score"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                errors[unit_id] = exc.messages
            else:
                messages.success(request, _("已保存合议后得分。"))
                return redirect(request.path)
    rows = _expert_rows(request.user, assignments)
    for item in rows:
        item["errors"] = errors.get(item["row"].unit.pk, [])
        item["posted"] = form.data if item["errors"] else None
    return render(
        request,
        "selection/reconcile_discuss.html",
        {
            "selection": selection,
            "rows": rows,
            "frozen": selection.frozen,
            "max_total": float(selection.round.version.max_total or 0) or 100.0,
        },
        status=status,
    )


urlpatterns = [
    path("<int:selection_id>/reconcile/", reconcile_page, name="reconcile"),
    path("<int:selection_id>/reconcile/adopt/", reconcile_adopt, name="reconcile_adopt"),
    path("<int:selection_id>/reconcile/open/", reconcile_open, name="reconcile_open"),
    path("<int:selection_id>/reconcile/export/", reconcile_export, name="reconcile_export"),
    path("<int:selection_id>/reconcile/discuss/", reconcile_discuss, name="reconcile_discuss"),
]
