"""The recommendation step's page (推荐上报).

The office (MANAGE on the selection) sets the zones' quotas, recommends on a zone's behalf and
reads who recommended whom; a zone account with a quota recommends its own candidate schools
within it. Everyone else who sees the selection reads the office's tables; the rest get 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.access import FILL, MANAGE, can
from shidian.apps.orgs.models import Locality, OrgUnit, SchoolType
from shidian.apps.programmes.models import ParticipationState
from shidian.apps.selection import selectors
from shidian.apps.selection.candidates import candidate_frame
from shidian.apps.selection.exports import xlsx_response
from shidian.apps.selection.forms_recommend import (
    BehalfForm,
    QuotaForm,
    SameQuotaForm,
    SuggestForm,
    quota_field_name,
)
from shidian.apps.selection.models import ZoneQuota
from shidian.apps.selection.services import recommend as services
from shidian.apps.selection.steps import steps_of

TEMPLATE = "selection/recommend.html"


def _zone_quota(user: Any, selection: Any) -> ZoneQuota | None:
    return (
        ZoneQuota.objects.restrict(user, FILL)
        .filter(selection=selection)
        .select_related("zone")
        .first()
    )


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _base(selection: Any, user: Any) -> dict[str, Any]:
    return {
        "selection": selection,
        "programme": selection.programme,
        # a zone's step bar links only the steps it may open (the others would be 404)
        "steps": steps_of(selection, current="recommend", with_state=False, user=user),
        "deadline_passed": services.deadline_passed(selection),
        "editable": selection.recommend and not selection.frozen and not selection.shortlist_id,
    }


@login_required
def recommend_page(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.selection_for(user=request.user, selection_id=selection_id)
    if can(request.user, MANAGE, selection):
        return _office(request, selection, manage=True)
    quota = _zone_quota(request.user, selection)
    if quota is not None:
        return _zone(request, selection, quota)
    if not selectors.follows(request.user, selection):
        # who sees the selection without following it (a zone account that cannot fill its
        # quota, a programme's community member) reads none of the zones' recommendations
        raise Http404
    if request.method == "POST":
        raise PermissionDenied
    return _office(request, selection, manage=False)


# --- the office ---------------------------------------------------------------------------


def _zone_filter(request: HttpRequest, rows: list) -> OrgUnit | None:
    wanted = request.GET.get("zone", "")
    return next((r.zone for r in rows if str(r.zone.pk) == wanted), None)


def _behalf_groups(selection: Any, rows: list) -> list[tuple[str, list[tuple[int, str]]]]:
    """The candidates the office may still recommend, grouped by the zones that have a quota."""
    zones = [row.zone for row in rows if row.quota]
    groups = []
    found = services.candidates_by_zone(selection, zones) if zones else {}
    for zone in zones:
        frame = found[zone.pk]
        frame = frame[(~frame["recommended"]) & (frame["state"] == ParticipationState.ELIGIBLE)]
        choices = [(int(r.unit_id), f"{r.name}（{r.id}，{r.score:g}）") for r in frame.itertuples()]
        if choices:
            groups.append((zone.name, choices))
    return groups


def _office(request: HttpRequest, selection: Any, *, manage: bool) -> HttpResponse:
    errors: list[str] = []
    status = 200
    suggest = SuggestForm(request.POST if request.POST.get("action") == "suggest" else None)
    total = suggest.cleaned_data["total"] if suggest.is_bound and suggest.is_valid() else None
    rows = services.quota_rows(selection, suggest_total=total or 2 * selection.pilot_count)
    quota_data = None
    if total:  # the suggestion fills the boxes; nothing is saved until the office saves
        quota_data = {quota_field_name(r.zone.pk): r.suggested for r in rows}
    elif request.POST.get("action") == "quotas":
        quota_data = request.POST
    quota_form = QuotaForm(quota_data, rows=rows)
    for row in rows:  # what each box shows: what was typed or suggested, else the quota
        name = quota_field_name(row.zone.pk)
        row.value = quota_data.get(name) if quota_data is not None else row.quota
    same = SameQuotaForm(request.POST if request.POST.get("action") == "same" else None)
    behalf_data = request.POST if request.POST.get("action") == "behalf" else None
    behalf = BehalfForm(behalf_data, groups=_behalf_groups(selection, rows) if manage else [])
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "suggest":
            if total:
                messages.info(request, _("已按各片区候选学校数填入建议名额，请检查后保存。"))
            else:
                errors, status = [_("请填写要分配的推荐总数。")], 400
        else:
            try:
                if _office_post(request, selection, action, rows, quota_form, same, behalf):
                    return redirect(request.get_full_path())
                errors = [_("无法识别的操作。")]
            except ValidationError as exc:
                errors = _errors(exc)
            status = 400
    zone = _zone_filter(request, rows)
    context = {
        **_base(selection, request.user),
        "manage": manage,
        "rows": rows,
        "rows_total": {
            "quota": sum(r.quota or 0 for r in rows),
            "used": sum(r.used for r in rows),
            "candidates": sum(r.candidates for r in rows),
        },
        "quota_form": quota_form,
        "same_form": same,
        "suggest_form": suggest,
        "suggest_total": total or 2 * selection.pilot_count,
        "behalf_form": behalf,
        "recommendations": services.recommendations_of(selection, zone=zone),
        "zone_filter": zone,
        "errors": errors,
    }
    return render(request, TEMPLATE, context, status=status)


def _office_post(request, selection, action, rows, quota_form, same, behalf) -> bool:
    """Run the office's action; True when it saved (then the page redirects)."""
    if action == "quotas":
        quotas = quota_form.checked_quotas()
        services.zone_quotas_set(by=request.user, selection=selection, quotas=quotas)
        messages.success(request, _("已保存推荐名额，并已通知相关片区。"))
        return True
    if action == "same":
        if not same.is_valid():
            raise ValidationError(_("名额应为 0 到 1000 之间的整数。"))
        n = same.cleaned_data["same"]
        services.zone_quotas_set(
            by=request.user, selection=selection, quotas={r.zone.pk: n for r in rows}
        )
        messages.success(request, _("每个片区的推荐名额都已设为 %(n)d 名。") % {"n": n})
        return True
    if action == "behalf":
        if not behalf.is_valid():
            raise ValidationError([m for ms in behalf.errors.values() for m in ms])
        rec = services.recommendation_on_behalf(
            by=request.user,
            selection=selection,
            unit_id=behalf.cleaned_data["unit"],
            reason=behalf.cleaned_data["reason"],
        )
        messages.success(
            request,
            _("已代%(zone)s推荐%(school)s。") % {"zone": rec.zone.name, "school": rec.unit.name},
        )
        return True
    if action == "withdraw":
        _withdraw(request, selection)
        return True
    return False


def _withdraw(request: HttpRequest, selection: Any) -> None:
    try:
        unit_id = int(request.POST.get("unit", ""))
    except ValueError as exc:
        raise ValidationError(_("这所学校没有被推荐。")) from exc
    if not 0 < unit_id < 2**63:  # no id; a huge number would overflow SQLite's INTEGER
        raise ValidationError(_("这所学校没有被推荐。"))
    services.recommendation_withdraw(by=request.user, selection=selection, unit_id=unit_id)
    messages.success(request, _("已撤回推荐。"))


# --- a zone -------------------------------------------------------------------------------


def _zone_rows(selection: Any, zone: OrgUnit, data: Any) -> list[dict[str, Any]]:
    frame = services.zone_candidates(selection, zone)
    recs = {r.unit_id: r for r in services.recommendations_of(selection, zone=None)}
    types, places = dict(SchoolType.choices), dict(Locality.choices)
    picked = set(data.getlist("pick")) if data is not None else set()
    states = dict(ParticipationState.choices)
    rows = []
    for r in frame.itertuples():
        unit_id = int(r.unit_id)
        rows.append(
            {
                "unit_id": unit_id,
                "code": r.id,
                "name": r.name,
                "school_type": types.get(r.school_type, r.school_type or "—"),
                "locality": places.get(r.locality, r.locality or "—"),
                "score": r.score,
                "state": states.get(r.state, r.state),
                "eligible": r.state == ParticipationState.ELIGIBLE,
                "rec": recs.get(unit_id),
                "picked": str(unit_id) in picked,
                "reason": data.get(f"reason-{unit_id}", "") if data is not None else "",
            }
        )
    return rows


def _zone(request: HttpRequest, selection: Any, quota: ZoneQuota) -> HttpResponse:
    zone = quota.zone
    errors: list[str] = []
    status = 200
    data = request.POST if request.method == "POST" else None
    if data is not None:
        action = data.get("action")
        try:
            if action == "withdraw":
                _withdraw(request, selection)
            else:
                picks = [
                    (int(u), data.get(f"reason-{u}", ""))
                    for u in data.getlist("pick")
                    if u.isdigit()
                ]
                made = services.recommendations_add(
                    by=request.user, selection=selection, zone=zone, picks=picks
                )
                messages.success(request, _("已推荐 %(n)d 所学校。") % {"n": len(made)})
            return redirect("selection:recommend", selection_id=selection.pk)
        except ValidationError as exc:
            errors, status = _errors(exc), 400
    quota.refresh_from_db()
    used = selection.recommendations.filter(zone=zone).count()
    base = _base(selection, request.user)
    can_pick = base["editable"] and not base["deadline_passed"] and quota.quota > used
    context = {
        **base,
        "zone": zone,
        "quota": quota.quota,
        "used": used,
        "left": max(quota.quota - used, 0),
        "can_pick": can_pick,
        "candidates": _zone_rows(selection, zone, data),
        "errors": errors,
        "reason_max": services.REASON_MAX,
    }
    return render(request, TEMPLATE, context, status=status)


# --- export -------------------------------------------------------------------------------


@login_required
def recommend_export(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.selection_for(user=request.user, selection_id=selection_id)
    zone = None
    quota = None if can(request.user, MANAGE, selection) else _zone_quota(request.user, selection)
    if quota is not None:
        zone = quota.zone
    elif not selectors.follows(request.user, selection):
        raise Http404  # the same readers as the page
    else:
        zone = _zone_filter(request, services.quota_rows(selection))
    scores = dict(candidate_frame(selection)[["unit_id", "score"]].itertuples(index=False))
    rows = [
        [
            str(r.unit.code),
            r.unit.name,
            str(r.zone.code),
            r.zone.name,
            scores.get(r.unit_id),
            r.reason,
            r.by.display_name if r.by else "",
            timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M"),
        ]
        for r in services.recommendations_of(selection, zone=zone)
    ]
    headers = [
        _("学校代码"),
        _("学校"),
        _("片区代码"),
        _("片区"),
        _("自评总分"),
        _("推荐理由"),
        _("推荐人"),
        _("推荐时间"),
    ]
    return xlsx_response(_("推荐名单"), headers, rows)


urlpatterns = [
    path("<int:selection_id>/recommend/", recommend_page, name="recommend"),
    path("<int:selection_id>/recommend/export/", recommend_export, name="recommend_export"),
]
