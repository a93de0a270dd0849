"""The office's activities dashboard and its XLSX export, and setting up a semester.

The office sees every community it manages, which the access mechanism answers: those owned
anywhere in its unit's subtree (``Community.objects.restrict(user, MANAGE)``).
"""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shidian.apps.activities import filings, services
from shidian.apps.activities.models import Activity, Attendance, CommunityFiling, Semester
from shidian.apps.communities.models import Community
from shidian.apps.core.access import MANAGE, VIEW, may
from shidian.apps.core.replica import replica_reads


def _filings_by_community(user, communities) -> dict:
    """For each community, its filings of the newest semester that has any: {kind: filing}."""
    found: dict = {}
    rows = (
        CommunityFiling.objects.restrict(user, VIEW)
        .filter(community__in=communities)
        .select_related("semester", "submission")
        .order_by("-semester__starts_on", "-semester_id")
    )
    for f in rows:
        entry = found.setdefault(f.community_id, {"semester": f.semester})
        if entry["semester"].pk == f.semester_id:
            entry[f.kind] = f
    return found


def dashboard_rows(user) -> list[dict]:
    communities = list(
        Community.objects.restrict(user, MANAGE)
        .select_related("owner_unit", "lead_unit")
        .order_by("owner_unit__path", "number", "pk")
    )
    by_community = _filings_by_community(user, communities)
    rows = []
    for c in communities:
        acts = list(Activity.objects.filter(community=c))  # scoping: ok community managed
        per_unit: dict = {}
        visits = Attendance.objects.filter(activity__community=c)  # scoping: ok managed
        for att in visits.select_related("unit"):
            per_unit[att.unit] = per_unit.get(att.unit, 0) + 1
        entry = by_community.get(c.pk, {})
        rows.append(
            {
                "community": c,
                "planned": sum(1 for a in acts if a.status != "cancelled"),
                "held": sum(1 for a in acts if a.status == "held"),
                "hosts": sorted({a.host_unit.name for a in acts if a.status != "cancelled"}),
                "members": [(u, per_unit.get(u, 0)) for u in services.current_members(c)],
                "semester": entry.get("semester"),
                "plan": entry.get("plan"),
                "summary": entry.get("summary"),
            }
        )
    return rows


def _state(filing) -> str:
    return filing.submission.get_status_display() if filing else _("未发起")


def _office_only(request: HttpRequest) -> None:
    # An office or leading group (MANAGE on a subtree or by grant); a lead school steers its
    # own community from the community's page.
    if not may(request.user, MANAGE):
        raise PermissionDenied


@login_required
@replica_reads
def dashboard(request: HttpRequest) -> HttpResponse:
    _office_only(request)
    semesters = Semester.objects.restrict(request.user, VIEW).select_related(
        "owner_unit", "plan_round", "summary_round"
    )
    managed = set(Semester.objects.restrict(request.user, MANAGE).values_list("pk", flat=True))
    plan_due, summary_due = {}, {}
    for s in semesters:
        plan_due[s.pk], summary_due[s.pk] = filings.default_dues(s)
    return render(
        request,
        "activities/dashboard.html",
        {
            "rows": dashboard_rows(request.user),
            "unit": request.user.unit,
            "semesters": [
                {
                    "semester": s,
                    "manage": s.pk in managed,
                    "plan_due": s.plan_round.deadline.date() if s.plan_round else plan_due[s.pk],
                    "summary_due": s.summary_round.deadline.date()
                    if s.summary_round
                    else summary_due[s.pk],
                }
                for s in semesters
            ],
            "may_create": request.user.unit is not None
            and (request.user.role in ("office", "leading_group") or request.user.is_superuser),
        },
    )


@login_required
def dashboard_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    _office_only(request)
    wb = Workbook()
    ws = wb.active
    ws.title = _("共同体活动")
    ws.append(
        [
            _("主管单位"),
            _("共同体"),
            _("成员校代码"),
            _("成员校"),
            _("计划活动"),
            _("已举办"),
            _("参加次数"),
            _("学期"),
            _("实施方案"),
            _("阶段小结"),
        ]
    )
    for row in dashboard_rows(request.user):
        for member, count in row["members"]:
            ws.append(
                [
                    row["community"].owner_unit.name,
                    row["community"].name,
                    member.code,
                    member.name,
                    row["planned"],
                    row["held"],
                    count,
                    row["semester"].name if row["semester"] else "",
                    _state(row["plan"]),
                    _state(row["summary"]),
                ]
            )
            ws.cell(row=ws.max_row, column=3).number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="activities.xlsx"'
    return response


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise ValidationError(_("日期格式不正确。")) from exc


@login_required
def semester_new(request: HttpRequest) -> HttpResponse:
    """The office sets up a semester; its plan and summary rounds open with it."""
    unit = request.user.unit
    if unit is None or (
        request.user.role not in ("office", "leading_group") and not request.user.is_superuser
    ):
        raise PermissionDenied
    if request.method == "POST":
        try:
            semester = filings.semester_open(
                by=request.user,
                owner_unit=unit,
                name=request.POST.get("name", ""),
                starts_on=_date(request.POST.get("starts_on")) or dt.date.min,
                ends_on=_date(request.POST.get("ends_on")) or dt.date.min,
                plan_due=_date(request.POST.get("plan_due")),
                summary_due=_date(request.POST.get("summary_due")),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("学期已创建，已发起实施方案与阶段小结报送。")
                if semester.plan_round_id
                else _("学期已创建。"),
            )
    return redirect("activities:dashboard")
