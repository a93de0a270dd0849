"""Pages of the mid-term evaluation: a programme's rounds, opening one, the round page with
the gap analysis and the one-step rectification items, the XLSX export, a school's report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from shidian.apps.core.access import MANAGE, can
from shidian.apps.midterm import selectors, services
from shidian.apps.midterm.forms import ItemsForm, MidtermForm
from shidian.apps.midterm.models import Scorer
from shidian.apps.programmes.selectors import programme_for

DONE = gettext_noop(
    "已生成 %(created)d 项整改事项（%(schools)d 所学校）；%(existing)d 项差距此前已生成，未重复。"
)


@login_required
def midterm_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(user=request.user, programme_id=programme_id)
    return render(
        request,
        "midterm/list.html",
        {
            "programme": programme,
            "rounds": selectors.rounds_for(user=request.user, programme=programme),
            "manage": can(request.user, MANAGE, programme),
        },
    )


@login_required
def midterm_create(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(user=request.user, programme_id=programme_id)
    if not can(request.user, MANAGE, programme):
        raise PermissionDenied
    initial = {"name": _("%(programme)s中期初评") % {"programme": programme.name}}
    form = MidtermForm(
        request.POST or None, user=request.user, programme=programme, initial=initial
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                midterm = services.midterm_create(
                    by=request.user,
                    programme=programme,
                    cycle=data["cycle"],
                    version=data["version"],
                    name=data["name"],
                    opens_on=data["opens_on"],
                    deadline=data["deadline"],
                    scorer=data["scorer"],
                    share=data["share_percent"] / 100,
                    pass_mark=data["pass_mark"],
                    veto_codes=data["veto_codes"],
                    level=data["level"],
                    reviewers=data["reviewers"],
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已创建中期初评，已通知该批次的试点学校自评。"))
                return redirect("midterm:detail", midterm_id=midterm.pk)
        status = 400
    return render(
        request, "midterm/form.html", {"programme": programme, "form": form}, status=status
    )


def _detail_context(request: HttpRequest, midterm, form=None) -> dict:
    rows = selectors.school_gaps(midterm)
    with_gaps = [r.unit for r in rows if r.report is not None and r.report.gaps]
    manage = can(request.user, MANAGE, midterm)
    return {
        "midterm": midterm,
        "programme": midterm.programme,
        "campaign": midterm.campaign,
        "progress": selectors.progress(midterm),
        "ready": selectors.scores_ready(midterm),
        "released": selectors.released(midterm),
        "experts": midterm.scorer == Scorer.EXPERTS,
        "rows": rows,
        "matrix": selectors.matrix(rows),
        "manage": manage,
        "with_gaps": with_gaps,
        "pending_gaps": sum(
            1 for r in rows if r.report for g in r.report.gaps if g.code not in r.issued
        ),
        "form": form or (ItemsForm(schools=with_gaps) if manage else None),
    }


@login_required
def midterm_detail(request: HttpRequest, midterm_id: int) -> HttpResponse:
    midterm = selectors.round_for(user=request.user, midterm_id=midterm_id)
    return render(request, "midterm/detail.html", _detail_context(request, midterm))


@login_required
@require_POST
def midterm_items(request: HttpRequest, midterm_id: int) -> HttpResponse:
    midterm = selectors.round_for(user=request.user, midterm_id=midterm_id, action=MANAGE)
    rows = selectors.school_gaps(midterm)
    with_gaps = [r.unit for r in rows if r.report is not None and r.report.gaps]
    form = ItemsForm(request.POST, schools=with_gaps)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.gaps_to_items(
                by=request.user,
                midterm=midterm,
                due_on=data["due_on"],
                unit_ids=data["schools"] or None,
                evidence_required=data["evidence_required"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(DONE)
                % {
                    "created": result.created,
                    "schools": result.schools,
                    "existing": result.existing,
                },
            )
            return redirect("midterm:detail", midterm_id=midterm.pk)
    context = _detail_context(request, midterm, form=form)
    return render(request, "midterm/detail.html", context, status=400)


@login_required
def midterm_export(request: HttpRequest, midterm_id: int) -> HttpResponse:
    from shidian.apps.campaigns.exports import table_xlsx

    midterm = selectors.round_for(user=request.user, midterm_id=midterm_id)
    headers = [
        _("学校代码"),
        _("学校"),
        _("指标编号"),
        _("指标"),
        _("得分"),
        _("满分"),
        _("达标线"),
        _("差距"),
        _("否决指标"),
        _("整改事项"),
    ]
    rows = []
    for row in selectors.school_gaps(midterm):
        if row.report is None:
            continue
        for g in row.report.gaps:
            rows.append(
                [
                    row.unit.code,
                    row.unit.name,
                    g.code,
                    g.name,
                    round(g.score, 2),
                    round(g.max_score, 2),
                    round(g.threshold, 2),
                    round(g.gap, 2),
                    _("是") if g.veto else "",
                    _("已生成") if g.code in row.issued else "",
                ]
            )
    body = table_xlsx(_("差距"), headers, rows)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="midterm-{midterm.pk}-gaps.xlsx"'
    return response


@login_required
def school_report(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """One school's gap report: its own scores against the threshold, nothing of the others.
    A school sees it once the scores are released; the office sees it as soon as they count."""
    sheet = selectors.sheet_for(user=request.user, sheet_id=sheet_id)
    midterm = sheet.round.midterm
    office = can(request.user, MANAGE, sheet)
    visible = selectors.released(midterm) or (office and selectors.scores_ready(midterm))
    found = selectors.school_gaps(midterm, sheets=midterm.campaign.sheets.filter(pk=sheet.pk))
    row = found[0] if found and visible else None
    return render(
        request,
        "midterm/school.html",
        {
            "midterm": midterm,
            "sheet": sheet,
            "row": row,
            "office": office,
            "programme": midterm.programme,
        },
    )
