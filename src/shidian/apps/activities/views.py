"""Activity pages: calendars, an activity, attendance on a phone, .ics, the office dashboard."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.activities import services
from shidian.apps.activities.models import (
    Activity,
    ActivityFile,
    ActivityKind,
    Attendance,
    CommunityFiling,
    FileKind,
    Semester,
)
from shidian.apps.communities.access import communities_of_unit, is_member, steers
from shidian.apps.communities.models import Community
from shidian.apps.core.access import MANAGE, VIEW, get_scoped_or_404


def _months(activities):
    return [
        (month, list(items))
        for month, items in groupby(activities, key=lambda a: a.planned_on.strftime("%Y-%m"))
    ]


def _visible(user):
    return Activity.objects.restrict(user, VIEW).select_related("community", "host_unit")


@login_required
def school_calendar(request):
    """The activities of the communities of the user's unit (and those the user may see)."""
    qs = _visible(request.user)
    if request.user.unit_id:
        mine = qs.filter(community__in=communities_of_unit(request.user.unit))
        qs = mine if mine.exists() else qs
    today = timezone.localdate()
    acts = list(qs.order_by("planned_on", "pk"))
    return render(
        request,
        "activities/calendar.html",
        {
            "upcoming": _months([a for a in acts if a.planned_on >= today]),
            "past": _months([a for a in acts if a.planned_on < today][::-1]),
            "community": None,
        },
    )


@login_required
def community_calendar(request, community_id: int):
    community = get_scoped_or_404(Community, request.user, VIEW, pk=community_id)
    today = timezone.localdate()
    acts = list(_visible(request.user).filter(community=community).order_by("planned_on", "pk"))
    return render(
        request,
        "activities/calendar.html",
        {
            "upcoming": _months([a for a in acts if a.planned_on >= today]),
            "past": _months([a for a in acts if a.planned_on < today][::-1]),
            "community": community,
            "steers": steers(request.user, community),
            "filings": CommunityFiling.objects.restrict(request.user, VIEW)
            .filter(community=community)
            .select_related("semester", "submission__round")
            .order_by("-semester__starts_on", "kind"),
            # A lead school cannot see its county's semesters through the semester policy
            # (owned by the office), but may plan in them: the community is already visible.
            "semesters": Semester.objects.filter(  # scoping: ok via the visible community
                owner_unit=community.owner_unit
            ),
        },
    )


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_text(activities, name: str) -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Shidian//Activities//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_escape(name)}",
    ]
    for a in activities:
        day = a.planned_on
        lines += [
            "BEGIN:VEVENT",
            f"UID:activity-{a.pk}@shidian",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_escape(a.community.name + '：' + a.theme)}",
            f"LOCATION:{_ics_escape(a.host_unit.name)}",
            f"DESCRIPTION:{_ics_escape(a.get_kind_display())}",
            "STATUS:CANCELLED" if a.status == "cancelled" else "STATUS:CONFIRMED",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


@login_required
def community_ics(request, community_id: int):
    community = get_scoped_or_404(Community, request.user, VIEW, pk=community_id)
    acts = _visible(request.user).filter(community=community).order_by("planned_on", "pk")
    response = HttpResponse(
        ics_text(acts, community.name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="community-{community.pk}.ics"'
    return response


@login_required
def school_ics(request):
    qs = _visible(request.user)
    if request.user.unit_id:
        qs = qs.filter(community__in=communities_of_unit(request.user.unit))
    response = HttpResponse(
        ics_text(qs.order_by("planned_on", "pk"), _("共同体活动")),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="activities.ics"'
    return response


def _date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise ValidationError(_("日期格式不正确。")) from exc


def _member_unit(community, unit_id):
    units = {u.pk: u for u in services.current_members(community)}
    try:
        return units.get(int(unit_id)) if unit_id else None
    except ValueError:
        return None


@login_required
def plan_semester(request, community_id: int, semester_id: int):
    """The office or lead picks 1-3 activities; hosts come proposed by the rotation."""
    community = get_scoped_or_404(Community, request.user, MANAGE, pk=community_id)
    semester = _semester_for(community, semester_id)
    proposal = services.proposed_hosts(community=community, n=3)
    members = services.current_members(community)
    if request.method == "POST":
        items = []
        try:
            for i in range(3):
                theme = request.POST.get(f"theme_{i}", "").strip()
                if not theme:
                    continue
                items.append(
                    {
                        "theme": theme,
                        "kind": request.POST.get(f"kind_{i}"),
                        "planned_on": _date(request.POST.get(f"on_{i}")),
                        "host": _member_unit(community, request.POST.get(f"host_{i}")),
                    }
                )
            services.activities_plan(
                by=request.user, community=community, semester=semester, items=items
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("本学期活动已安排。"))
            return redirect("activities:community", community_id=community.pk)
    return render(
        request,
        "activities/plan.html",
        {
            "community": community,
            "semester": semester,
            "members": members,
            "rows": list(zip(range(3), proposal + [None] * (3 - len(proposal)), strict=False)),
            "kinds": ActivityKind.choices,
        },
    )


def _semester_for(community, semester_id):
    from django.http import Http404

    found = Semester.objects.filter(  # scoping: ok the community (managed) fixes the owner
        owner_unit=community.owner_unit, pk=semester_id
    ).first()
    if found is None:
        raise Http404
    return found


@login_required
def activity_detail(request, activity_id: int):
    activity = get_scoped_or_404(
        Activity.objects.select_related("community", "host_unit", "semester", "next_host"),
        request.user,
        VIEW,
        pk=activity_id,
    )
    mine = None
    if request.user.unit_id:
        mine = Attendance.objects.filter(  # scoping: ok activity visible
            activity=activity, unit_id=request.user.unit_id
        ).first()  # scoping: ok activity visible
    hosting = services.is_host(request.user, activity) or steers(request.user, activity.community)
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "attendances": activity.attendances.select_related("unit").order_by("unit__code"),
            "files": activity.files.order_by("-uploaded_at"),
            "mine": mine,
            "member": is_member(request.user, activity.community),
            "hosting": hosting,
            "steers": steers(request.user, activity.community),
            "members": services.current_members(activity.community),
        },
    )


def _post_action(request, activity_id, fn, done: str | None = None):
    activity = get_scoped_or_404(Activity, request.user, VIEW, pk=activity_id)
    if request.method != "POST":
        return redirect("activities:detail", activity_id=activity.pk)
    try:
        fn(activity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done or _("已保存。"))
    return redirect("activities:detail", activity_id=activity.pk)


@login_required
def attend(request, activity_id: int):
    def run(activity):
        try:
            count = int(request.POST.get("attendees", ""))
        except ValueError as exc:
            raise ValidationError(_("参加人数须在 1 到 500 之间。")) from exc
        services.attendance_record(
            by=request.user, activity=activity, attendees=count, note=request.POST.get("note", "")
        )

    activity = get_scoped_or_404(Activity, request.user, VIEW, pk=activity_id)
    if not is_member(request.user, activity.community):
        raise PermissionDenied
    return _post_action(request, activity_id, run, done=_("已登记本校参加。"))


@login_required
def file_plan(request, activity_id: int):
    def run(activity):
        services.activity_file_plan(
            by=request.user,
            activity=activity,
            plan=request.POST.get("plan", ""),
            next_theme=request.POST.get("next_theme", ""),
            next_on=_date(request.POST.get("next_on")),
            next_host=_member_unit(activity.community, request.POST.get("next_host")),
        )

    return _post_action(request, activity_id, run, done=_("活动方案已提交。"))


@login_required
def set_host(request, activity_id: int):
    def run(activity):
        host = _member_unit(activity.community, request.POST.get("host"))
        if host is None:
            raise ValidationError(_("承办学校须是本共同体的成员校。"))
        services.activity_set_host(by=request.user, activity=activity, host=host)

    return _post_action(request, activity_id, run, done=_("承办学校已更换。"))


@login_required
def cancel(request, activity_id: int):
    def run(activity):
        services.activity_cancel(by=request.user, activity=activity)

    return _post_action(request, activity_id, run, done=_("活动已取消。"))


@login_required
def upload(request, activity_id: int):
    def run(activity):
        f = request.FILES.get("file")
        if f is None:
            raise ValidationError(_("请选择要上传的文件。"))
        services.activity_file_add(
            by=request.user, activity=activity, kind=request.POST.get("kind", ""), upload=f
        )

    return _post_action(request, activity_id, run, done=_("文件已上传。"))


@login_required
def file_download(request, activity_id: int, activity_file_id: int) -> FileResponse:
    """An activity's material or photo, for whoever may see the activity (media is not served
    publicly: a community's files stay inside the community). Photos open in the browser."""
    activity = get_scoped_or_404(Activity, request.user, VIEW, pk=activity_id)
    files = ActivityFile.objects.filter(activity=activity)  # scoping: ok restricted below
    found = get_scoped_or_404(files, request.user, VIEW, pk=activity_file_id)
    return FileResponse(
        found.file.open("rb"),
        as_attachment=found.kind != FileKind.PHOTO,
        filename=found.name,
    )
