"""Pages of acceptance run by the office and the leading group: a programme's rounds, opening
one, the round page (pilots x report, checklist, scores, proposal), the confirmation and the
XLSX export. The pilot's and the expert's pages are in views_report.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shidian.apps.acceptance import selectors, services
from shidian.apps.acceptance.forms import OUTCOMES, AcceptanceForm, ConfirmForm
from shidian.apps.acceptance.models import Status
from shidian.apps.core.access import APPROVE, MANAGE, can
from shidian.apps.programmes.selectors import programme_for
from shidian.apps.reviews.models import Review

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def acceptance_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(user=request.user, programme_id=programme_id)
    return render(
        request,
        "acceptance/list.html",
        {
            "programme": programme,
            "rounds": selectors.rounds_for(user=request.user, programme=programme),
            "manage": can(request.user, MANAGE, programme),
        },
    )


@login_required
def acceptance_create(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(user=request.user, programme_id=programme_id)
    if not can(request.user, MANAGE, programme):
        raise PermissionDenied
    initial = {"name": _("%(programme)s验收") % {"programme": programme.name}}
    form = AcceptanceForm(
        request.POST or None, user=request.user, programme=programme, initial=initial
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                acceptance = services.acceptance_create(
                    by=request.user,
                    programme=programme,
                    cycle=data["cycle"],
                    version=data["version"],
                    name=data["name"],
                    opens_on=data["opens_on"],
                    deadline=data["deadline"],
                    pass_threshold=data["pass_threshold"],
                    conditional_threshold=data["conditional_threshold"],
                    spread_limit=data["spread_limit"],
                    veto_lines=data["veto_lines"],
                    documents=data["documents"],
                    experts=data["panel"],
                    per_pilot=data["per_pilot"],
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已创建验收，已通知该批次的试点学校和验收专家。"))
                return redirect("acceptance:detail", acceptance_id=acceptance.pk)
        status = 400
    return render(
        request, "acceptance/form.html", {"programme": programme, "form": form}, status=status
    )


def _rows_context(acceptance, rows) -> list[dict]:
    return [{"row": r, "reasons": selectors.reasons_of(acceptance, r.proposal)} for r in rows]


def _state(mine: dict[int, bool], submission_id: int) -> str:
    if submission_id not in mine:
        return ""
    return "draft" if mine[submission_id] else "submitted"


@login_required
def acceptance_detail(request: HttpRequest, acceptance_id: int) -> HttpResponse:
    acceptance = selectors.round_for(user=request.user, acceptance_id=acceptance_id)
    office = can(request.user, MANAGE, acceptance) or can(request.user, APPROVE, acceptance)
    mine: dict[int, bool] = {}
    if office:
        rows = selectors.pilot_rows(acceptance)
    else:
        # An expert sees the pilots they score and their own progress, nothing of the others'.
        rows = selectors.scoring_pilots(acceptance, request.user)
        own = Review.objects.filter(  # scoping: ok only the person's own reviews
            submission__round=acceptance.round_id, reviewer=request.user
        )
        mine = dict(own.values_list("submission_id", "draft"))
    return render(
        request,
        "acceptance/detail.html",
        {
            "acceptance": acceptance,
            "programme": acceptance.programme,
            "office": office,
            "approve": can(request.user, APPROVE, acceptance) and acceptance.status == Status.OPEN,
            "rows": [
                {**e, "mine": _state(mine, e["row"].submission.pk)}
                for e in _rows_context(acceptance, rows)
            ],
            "documents": acceptance.documents,
            "max_total": acceptance.version.as_standard().max_total(),
            "manage": can(request.user, MANAGE, acceptance) and acceptance.status == Status.OPEN,
            "by_assignment": any(r.assigned for r in rows),
        },
    )


def _decisions_from(request: HttpRequest, rows) -> dict[int, tuple[str, str]]:
    return {
        r.unit.pk: (
            request.POST.get(f"outcome-{r.unit.pk}", ""),
            request.POST.get(f"reason-{r.unit.pk}", ""),
        )
        for r in rows
    }


@login_required
def acceptance_confirm(request: HttpRequest, acceptance_id: int) -> HttpResponse:
    acceptance = selectors.round_for(user=request.user, acceptance_id=acceptance_id, action=APPROVE)
    if acceptance.status != Status.OPEN:
        messages.info(request, _("这一轮验收的结论已经确认。"))
        return redirect("acceptance:detail", acceptance_id=acceptance.pk)
    rows = selectors.pilot_rows(acceptance)
    form = ConfirmForm(request.POST or None)
    posted = {}
    status = 200
    if request.method == "POST":
        posted = _decisions_from(request, rows)
        if form.is_valid():
            try:
                services.acceptance_confirm(
                    by=request.user,
                    acceptance=acceptance,
                    decisions=posted,
                    due_on=form.cleaned_data["due_on"],
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已确认验收结论，参与状态和整改事项已更新。"))
                return redirect("acceptance:detail", acceptance_id=acceptance.pk)
        status = 400
    items = []
    for entry in _rows_context(acceptance, rows):
        r = entry["row"]
        outcome, reason = posted.get(r.unit.pk, (r.proposed, ""))
        items.append({**entry, "outcome": outcome, "reason": reason})
    return render(
        request,
        "acceptance/confirm.html",
        {
            "acceptance": acceptance,
            "programme": acceptance.programme,
            "items": items,
            "form": form,
            "outcomes": OUTCOMES,
        },
        status=status,
    )


@login_required
def acceptance_export(request: HttpRequest, acceptance_id: int) -> HttpResponse:
    from shidian.apps.campaigns.exports import table_xlsx

    acceptance = selectors.round_for(user=request.user, acceptance_id=acceptance_id)
    if not (can(request.user, MANAGE, acceptance) or can(request.user, APPROVE, acceptance)):
        raise PermissionDenied
    headers = [
        _("学校代码"), _("学校"), _("总结报告"), _("已上传档案"), _("缺失档案"),
        _("分配专家"), _("已提交评分"), _("评分草稿"),
        _("评分专家数"), _("验收得分"), _("专家分差"), _("分差超限"), _("系统建议"),
        _("理由"), _("验收结论"), _("调整理由"), _("整改期限"),
    ]  # fmt: skip
    body = []
    labels = {k: str(v) for k, v in OUTCOMES}
    rows = selectors.pilot_rows(acceptance)
    for r in rows:
        p, v = r.proposal, r.verdict
        body.append([
            r.unit.code, r.unit.name,
            str(r.submission.get_status_display()), r.uploaded, "、".join(r.missing),
            "、".join(e.display_name for e in r.assigned), len(r.reviews), len(r.drafts),
            p.experts,
            round(p.mean, 2) if p.mean is not None else "",
            round(p.spread, 2) if p.spread is not None else "",
            _("是") if p.flagged else "",
            labels.get(r.proposed, _("待评分")),
            "；".join(selectors.reasons_of(acceptance, p)),
            str(v.get_outcome_display()) if v else "",
            v.override_reason if v else "",
            v.due_on.isoformat() if v and v.due_on else "",
        ])  # fmt: skip
    experts = [
        [r.unit.code, r.unit.name, review.reviewer.get_full_name() or review.reviewer.username,
         round(review.total, 2), _("是") if review.vetoed else "",
         review.strengths, review.weaknesses, review.suggestions]
        for r in rows for review in r.reviews
    ]  # fmt: skip
    expert_headers = [
        _("学校代码"), _("学校"), _("专家"), _("总分"), _("触及否决项"),
        _("亮点"), _("不足"), _("建议"),
    ]  # fmt: skip
    data = table_xlsx(
        _("验收结果"), headers, body, extra=[(_("专家评分"), expert_headers, experts)]
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="acceptance-{acceptance.pk}.xlsx"'
    return response
