"""The shortlist step (入围名单): the form, every kept run, one run's result beside plain top-K,
two runs side by side, adopting one, and the XLSX downloads.

Who sees it: whoever may VIEW the selection (the office, the programme's grants, a zone with a
recommendation quota) sees the runs and their results; running, adopting and the downloads
(the county's whole candidates table) take MANAGE.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import MANAGE, can
from shidian.apps.selection import selectors
from shidian.apps.selection.candidates import ATTRIBUTES, COVARIATES, attribute_labels
from shidian.apps.selection.exports import xlsx_response
from shidian.apps.selection.forms_shortlist import ShortlistForm, initial_of, quota_field
from shidian.apps.selection.models import RunStatus, ShortlistRun
from shidian.apps.selection.services import shortlist as service
from shidian.apps.selection.steps import steps_of


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _label(attribute: str, value: str) -> str:
    if value == service.BLANK:
        return _("未填写")
    return attribute_labels(attribute).get(value, value)


def _quota_rows(form: ShortlistForm, strata_values: dict) -> tuple[list[dict], bool]:
    """The quota table rows as plain values (hundreds of zones: no BoundField per input), and
    whether any bound is filled (the table then opens)."""
    source = form.data if form.is_bound else form.initial
    errors = form.errors if form.is_bound else {}
    groups, filled = [], False
    for attribute, values in strata_values.items():
        rows = []
        for index, (stratum, count) in enumerate(values):
            row = {"label": _label(attribute, stratum), "count": count}
            for bound in ("min", "max"):
                name = quota_field(attribute, index, bound)
                value = source.get(name)
                value = "" if value is None else str(value)
                filled = filled or bool(value)
                row[bound] = {"name": name, "value": value, "errors": errors.get(name, [])}
            rows.append(row)
        groups.append({"attribute": attribute, "label": ATTRIBUTES[attribute], "rows": rows})
    return groups, filled


def _decorate(shortlist: ShortlistRun) -> dict:
    """What the page shows of one run's result (labels in the reader's language)."""
    result = shortlist.result or {}
    view = {"run": shortlist, "result": result}
    if shortlist.status == RunStatus.DONE:
        topk = {r["code"] for r in result.get("topk", [])}
        selected = []
        for row in result.get("selected", []):
            row = dict(row)
            row["type_label"] = _label("school_type", row.get("school_type", ""))
            row["locality_label"] = _label("locality", row.get("locality", ""))
            row["zone_label"] = _label("zone", row.get("zone", ""))
            row["in_topk"] = row["code"] in topk
            selected.append(row)
        chosen = {r["code"] for r in selected}
        view["selected"] = selected
        view["topk_only"] = [r for r in result.get("topk", []) if r["code"] not in chosen]
        view["shares"] = service.shares_rows(result)
        largest = result.get("largest_deviation")
        if largest:
            view["largest"] = dict(
                largest,
                label=service.stratum_label(largest["attribute"], largest["stratum"]),
                deviation_pct=100 * float(largest["deviation"]),
            )
        if result.get("price"):
            view["price_pct"] = 100 * float(result["price"]["relative"])
        view["balance"] = [
            dict(b, label=COVARIATES.get(b["covariate"], b["covariate"]))
            for b in result.get("balance", [])
        ]
    elif shortlist.status == RunStatus.INFEASIBLE:
        view["relaxations"] = [
            service.describe_relaxation(d) for d in result.get("relaxations", [])
        ]
    elif shortlist.status == RunStatus.FAILED:
        error = result.get("error") or {}
        view["error"] = service.describe_error(
            error.get("code", ""), error.get("params", {}), _("测算未能完成。")
        )
    return view


def _summary(params: dict) -> str:
    parts = [_("入围 %(count)s 所") % {"count": params.get("count")}]
    if params.get("strata"):
        names = "、".join(str(ATTRIBUTES.get(a, a)) for a in params["strata"])
        if params.get("proportional"):
            parts.append(
                _("按%(names)s比例 ±%(tol)s 个百分点")
                % {"names": names, "tol": f"{params.get('tolerance', 0):g}"}
            )
        else:
            parts.append(_("分层：%(names)s") % {"names": names})
    if params.get("quotas"):
        parts.append(_("名额 %(n)d 条") % {"n": len(params["quotas"])})
    if params.get("balance"):
        names = "、".join(str(COVARIATES.get(c, c)) for c in params["balance"])
        parts.append(_("均衡 %(names)s ≤ %(smd)s") % {"names": names, "smd": params.get("max_smd")})
    if params.get("min_score") is not None:
        parts.append(_("最低分 %(score)s") % {"score": f"{params['min_score']:g}"})
    if params.get("include"):
        parts.append(_("指定入围 %(n)d") % {"n": len(params["include"])})
    if params.get("exclude"):
        parts.append(_("指定排除 %(n)d") % {"n": len(params["exclude"])})
    return "；".join(parts)


@login_required
def shortlist_page(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.followed_selection(user=request.user, selection_id=selection_id)
    manage = can(request.user, MANAGE, selection)
    frame = service.population(selection)
    strata_values = service.strata_values(frame)
    runs = list(
        ShortlistRun.objects.filter(selection=selection)  # scoping: ok selection_for checked
        .select_related("run", "created_by")
        .order_by("-number")
    )
    by_number = {r.number: r for r in runs}
    status = 200
    form = None
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        form = ShortlistForm(request.POST, strata_values=strata_values)
        if form.is_valid():
            try:
                shortlist = service.shortlist_run_start(
                    by=request.user, selection=selection, params=form.params()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已开始第 %(n)d 次测算。") % {"n": shortlist.number})
                url = reverse("selection:shortlist", kwargs={"selection_id": selection.pk})
                return redirect(f"{url}?run={shortlist.number}")
        status = 400
    elif manage:
        base = by_number.get(_int(request.GET.get("from"))) or (runs[0] if runs else None)
        params = base.params if base else service.default_params(selection)
        form = ShortlistForm(initial=initial_of(params, strata_values), strata_values=strata_values)
    current = by_number.get(_int(request.GET.get("run"))) or (runs[0] if runs else None)
    a, b = by_number.get(_int(request.GET.get("a"))), by_number.get(_int(request.GET.get("b")))
    comparison = service.compare(a, b) if a and b and a != b else None
    for r in runs:
        r.summary = _summary(r.params)
    quota_groups, quota_open = _quota_rows(form, strata_values) if form is not None else ([], 0)
    context = {
        "selection": selection,
        "programme": selection.programme,
        "steps": steps_of(selection, current="shortlist", with_state=False),
        "manage": manage,
        "editable": manage and not selection.frozen,
        "form": form,
        "quota_groups": quota_groups,
        "quota_open": quota_open,
        "runs": runs,
        "current": _decorate(current) if current else None,
        "comparison": comparison,
        "n_candidates": len(frame),
        "n_vetoed": int(frame["vetoed"].sum()),
        "n_recommended": int(frame["recommended"].sum()),
    }
    return render(request, "selection/shortlist.html", context, status=status)


@login_required
@require_POST
def shortlist_adopt(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    number = _int(request.POST.get("number"))
    if number is None:
        from django.http import Http404

        raise Http404
    try:
        service.shortlist_adopt(by=request.user, selection=selection, number=number)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已采用第 %(n)d 次测算作为入围名单。") % {"n": number})
    url = reverse("selection:shortlist", kwargs={"selection_id": selection.pk})
    return redirect(f"{url}?run={number}")


def candidate_table(selection) -> tuple[list[str], list[list]]:
    """The candidates in the format ``shidian select`` reads: id, score, the attributes,
    the covariates, and the reasons the page excludes a unit (vetoed, not recommended)."""
    frame = service.population(selection)
    headers = ["id", "name", "score", *ATTRIBUTES, "students", "teachers", "classes"]
    headers += ["vetoed", "recommended"]
    rows = []
    for rec in frame.to_dict("records"):
        rows.append(
            [rec["id"], rec["name"], rec["score"], *(rec[a] for a in ATTRIBUTES)]
            + [None if rec[c] != rec[c] else rec[c] for c in ("students", "teachers", "classes")]
            + [int(bool(rec["vetoed"])), int(bool(rec["recommended"]))]
        )
    return headers, rows


@login_required
def shortlist_export(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    number = _int(request.GET.get("run"))
    if number is None:
        headers, rows = candidate_table(selection)
        return xlsx_response("candidates", headers, rows)
    shortlist = (
        ShortlistRun.objects.restrict(request.user)
        .filter(selection=selection, number=number, status=RunStatus.DONE)
        .first()
    )
    if shortlist is None:
        from django.http import Http404

        raise Http404
    result = shortlist.result
    selected = [
        [r["rank"], r["code"], r["name"], r["score"], r["zone"], r["school_type"], r["locality"],
         r["forced_reason"], int(r["unit_id"])]
        for r in result.get("selected", [])
    ]  # fmt: skip
    shares = [
        [s["attribute"], s["stratum"], s["population"], s["population_share"], s["pilots"],
         s["pilots_share"], s["topk"], s["topk_share"], s["deviation"], s["min"], s["max"]]
        for s in result.get("shares", [])
    ]  # fmt: skip
    return xlsx_response(
        f"shortlist-{number}",
        ["rank", "id", "name", "score", "zone", "school_type", "locality", "forced_reason",
         "unit_id"],
        selected,
        extra=[
            (
                "shares",
                ["attribute", "stratum", "population", "population_share", "pilots",
                 "pilots_share", "topk", "topk_share", "deviation", "min", "max"],
                shares,
            )
        ],
    )  # fmt: skip


urlpatterns = [
    path("<int:selection_id>/shortlist/", shortlist_page, name="shortlist"),
    path("<int:selection_id>/shortlist/adopt/", shortlist_adopt, name="shortlist_adopt"),
    path("<int:selection_id>/shortlist/export/", shortlist_export, name="shortlist_export"),
]
