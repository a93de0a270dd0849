"""Services for community activities (keyword-only, atomic, audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.activities.models import (
    Activity,
    ActivityFile,
    ActivityKind,
    ActivityStatus,
    Attendance,
    FileKind,
    Semester,
)
from shidian.apps.communities.access import is_member, steers
from shidian.apps.communities.models import CommunityMember
from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record
from shidian.engine.rotation import Member, propose_hosts


@transaction.atomic
def semester_create(
    *, by: Any, owner_unit: Any, name: str, starts_on: dt.date, ends_on: dt.date
) -> Semester:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写学期名称。"))
    if ends_on <= starts_on:
        raise ValidationError(_("学期结束日期须晚于开始日期。"))
    if Semester.objects.filter(owner_unit=owner_unit, name=name).exists():
        raise ValidationError(_("已有同名学期。"))
    if by is not None and getattr(by, "unit_id", None) != owner_unit.pk and not by.is_superuser:
        raise PermissionDenied
    semester = Semester.objects.create(
        owner_unit=owner_unit, name=name, starts_on=starts_on, ends_on=ends_on
    )
    audit_record(
        actor=by,
        action="activities.semester_create",
        target=semester,
        unit=owner_unit,
        summary=name,
    )
    return semester


def current_members(community):
    return [
        cm.unit
        for cm in CommunityMember.objects.filter(community=community, left_on__isnull=True)
        .select_related("unit")
        .order_by("unit__code")
    ]


def proposed_hosts(*, community, n: int) -> list:
    """Proposal of hosts for ``n`` new activities of ``community`` (engine/rotation)."""
    units = current_members(community)
    members = [Member(u.pk, u.latitude, u.longitude) for u in units]
    history = list(
        Activity.objects.filter(community=community)
        .exclude(status=ActivityStatus.CANCELLED)
        .order_by("planned_on", "pk")
        .values_list("host_unit_id", flat=True)
    )
    by_id = {u.pk: u for u in units}
    return [by_id[i] for i in propose_hosts(members, history, n)]


@transaction.atomic
def activities_plan(*, by: Any, community, semester: Semester, items: list[dict]) -> list:
    """Create 1-3 activities: items are dicts theme, kind, planned_on, optional host."""
    if by is not None and not steers(by, community):
        raise PermissionDenied
    if not 1 <= len(items) <= 3:
        raise ValidationError(_("每学期安排 1 到 3 次活动。"))
    members = {u.pk: u for u in current_members(community)}
    hosts = proposed_hosts(community=community, n=len(items))
    made = []
    for item, proposal in zip(items, hosts, strict=True):
        theme = (item.get("theme") or "").strip()
        if not theme:
            raise ValidationError(_("请填写活动主题。"))
        if item.get("kind") not in ActivityKind.values:
            raise ValidationError(_("请选择活动形式。"))
        on = item.get("planned_on")
        if on is None or not semester.starts_on <= on <= semester.ends_on:
            raise ValidationError(_("活动日期须在学期之内。"))
        host = item.get("host") or proposal
        if host.pk not in members:
            raise ValidationError(_("承办学校须是本共同体的成员校。"))
        made.append(
            Activity.objects.create(
                community=community,
                semester=semester,
                theme=theme,
                kind=item["kind"],
                planned_on=on,
                host_unit=host,
                created_by=by,
            )
        )
    audit_record(
        actor=by,
        action="activities.plan",
        target=community,
        unit=community.owner_unit,
        summary=semester.name,
    )
    return made


@transaction.atomic
def activity_set_host(*, by: Any, activity: Activity, host) -> Activity:
    require(by, MANAGE, activity)
    if host.pk not in {u.pk for u in current_members(activity.community)}:
        raise ValidationError(_("承办学校须是本共同体的成员校。"))
    activity.host_unit = host
    activity.save(update_fields=["host_unit", "updated_at"])
    audit_record(
        actor=by,
        action="activities.set_host",
        target=activity,
        unit=activity.community.owner_unit,
        summary=host.name,
    )
    return activity


def is_host(user: Any, activity: Activity) -> bool:
    return getattr(user, "unit_id", None) == activity.host_unit_id


@transaction.atomic
def activity_file_plan(
    *,
    by: Any,
    activity: Activity,
    plan: str,
    next_theme: str = "",
    next_on: dt.date | None = None,
    next_host=None,
) -> Activity:
    if by is not None and not (is_host(by, activity) or steers(by, activity.community)):
        raise PermissionDenied
    plan = (plan or "").strip()
    if not plan:
        raise ValidationError(_("请填写活动方案。"))
    if next_host is not None and next_host.pk not in {
        u.pk for u in current_members(activity.community)
    }:
        raise ValidationError(_("承办学校须是本共同体的成员校。"))
    activity.plan = plan
    activity.plan_filed_at = timezone.now()
    activity.next_theme = (next_theme or "").strip()
    activity.next_on = next_on
    activity.next_host = next_host
    activity.save()
    audit_record(
        actor=by,
        action="activities.file_plan",
        target=activity,
        unit=activity.community.owner_unit,
        summary=activity.theme,
    )
    return activity


@transaction.atomic
def attendance_record(*, by: Any, activity: Activity, attendees: int, note: str = "") -> Attendance:
    """The user's school says "we attended" (one row per school, updated on a second tap)."""
    if not is_member(by, activity.community):
        raise PermissionDenied
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("活动已取消，不能登记参加。"), code="cancelled")
    if attendees is None or attendees < 1 or attendees > 500:
        raise ValidationError(_("参加人数须在 1 到 500 之间。"))
    row, _created = Attendance.objects.update_or_create(
        activity=activity,
        unit_id=by.unit_id,
        defaults={"attendees": attendees, "note": (note or "").strip()[:200], "recorded_by": by},
    )
    # Saved even when the status stays: the attendance is part of the activity, so its
    # ``updated_at`` (the API's ETag) moves and a client holding the old one is told. The
    # status is written only when it changes, never from a stale copy.
    fields = ["updated_at"]
    if activity.status == ActivityStatus.PLANNED and activity.planned_on <= timezone.localdate():
        activity.status = ActivityStatus.HELD
        fields.append("status")
    activity.save(update_fields=fields)
    audit_record(
        actor=by,
        action="activities.attend",
        target=activity,
        unit=activity.community.owner_unit,
        summary=str(attendees),
    )
    return row


@transaction.atomic
def activity_file_add(*, by: Any, activity: Activity, kind: str, upload) -> ActivityFile:
    from shidian.apps.evidence.files import check_upload

    if not (is_host(by, activity) or steers(by, activity.community)):
        raise PermissionDenied
    if kind not in FileKind.values:
        raise ValidationError(_("请选择文件类别。"))
    name, sniffed = check_upload(upload)
    if kind == FileKind.PHOTO and sniffed != "image":
        raise ValidationError(_("活动照片须是图片文件。"))
    row = ActivityFile.objects.create(
        activity=activity, kind=kind, file=upload, name=name, uploaded_by=by
    )
    audit_record(
        actor=by,
        action="activities.file_add",
        target=activity,
        unit=activity.community.owner_unit,
        summary=name,
    )
    return row


@transaction.atomic
def activity_cancel(*, by: Any, activity: Activity, reason: str = "") -> Activity:
    """The office or the lead calls a planned activity off; ``reason`` (optional, the API's)
    is kept in the audit record."""
    require(by, MANAGE, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("该活动已取消。"), code="cancelled")
    # A held activity is part of the record (attendance, the summary): it stays.
    if activity.planned_on <= timezone.localdate() and activity.attendances.exists():
        raise ValidationError(_("该活动已举办并有参加记录，不能取消。"), code="held")
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action="activities.cancel",
        target=activity,
        unit=activity.community.owner_unit,
        summary=activity.theme,
        data={"reason": reason.strip()[:500]} if reason and reason.strip() else None,
    )
    return activity
