"""Rectification items (整改): issued -> answered with evidence -> verified and closed, or
reopened with a reason; overdue items escalate.

CONTRACT (foundation; the inspections helper implements it; mid-term evaluation and, later,
acceptance's conditional passes call it):

    rectification_issue(*, by, unit, title, due_on, severity="normal", description="",
                        evidence_required="", indicator_code="", owner=None, programme=None,
                        source=None) -> RectificationItem

Issues one item to ``unit`` (a school), checked as MANAGE on the programme (or the unit) for
``by``; ``source`` is the model row it came from (a finding, a mid-term gap), stored as a
target pair ("app_label.model", id) so the item links back. Audited; notifies the unit.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.access import FILL, MANAGE, require
from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.inspections import states
from shidian.apps.inspections.models import (
    AnswerFile,
    Finding,
    RectificationAnswer,
    RectificationEvent,
    RectificationItem,
)

SEVERITIES = ("minor", "normal", "major")
TITLE_MAX = 200
TEXT_MAX = 4000
FILES_MAX = 10
# Days overdue at which an item reaches escalation level 1, 2 and 3 (督办, then 约谈 ...).
ESCALATION_DAYS = (1, 7, 30)


def item_link(item: RectificationItem) -> str:
    return reverse("inspections:item", kwargs={"rect_item_id": item.pk})


def unit_people(unit: Any, *, owner: Any = None) -> list[Any]:
    """Who answers for a school: its active coordinators and the item's owner."""
    from shidian.apps.accounts.models import User

    people = list(
        User.objects.filter(  # scoping: ok recipients of the unit's own item
            unit=unit, is_active=True, role__in=["coordinator", "community_lead"]
        ).order_by("username")
    )
    if owner is not None and owner.is_active and owner not in people:
        people.append(owner)
    return people


def office_people(item: RectificationItem) -> list[Any]:
    """Who verifies: the office accounts of the issuing unit."""
    from shidian.apps.accounts.models import User

    return list(
        User.objects.filter(  # scoping: ok recipients of the issuer's own item
            unit=item.issuer_unit, is_active=True, role__in=["office", "leading_group"]
        ).order_by("username")
    )


def _tell(users: Sequence[Any], kind: str, subject: str, body: str, item: RectificationItem):
    from shidian.apps.notifications.services import notify

    users = [u for u in users if u is not None]
    if users:
        notify(users, kind, subject, body, link=item_link(item), target=item)


def _clean(
    *,
    unit: Any,
    title: str,
    due_on: Any,
    severity: str,
    description: str,
    evidence_required: str,
    owner: Any,
    programme: Any,
) -> list[str]:
    problems = []
    if not (title or "").strip():
        problems.append(_("请填写整改事项。"))
    elif len(title.strip()) > TITLE_MAX:
        problems.append(_("整改事项不能超过 %(n)d 个字。") % {"n": TITLE_MAX})
    if severity not in SEVERITIES:
        problems.append(_("严重程度只能是轻微、一般或严重。"))
    if not isinstance(due_on, datetime.date):
        problems.append(_("请填写整改期限。"))
    if len(description or "") > TEXT_MAX or len(evidence_required or "") > TEXT_MAX:
        problems.append(_("说明不能超过 %(n)d 个字。") % {"n": TEXT_MAX})
    if unit is None or getattr(unit, "level", "school") != "school":
        problems.append(_("整改事项只能下达给学校。"))
    elif programme is not None and not unit.path.startswith(programme.unit.path):
        problems.append(_("%(name)s不在本项目范围内。") % {"name": unit.name})
    if owner is not None and unit is not None and owner.unit_id != unit.pk:
        problems.append(_("责任人须是该校的账号。"))
    return problems


def _issue_one(
    *,
    by: Any,
    unit: Any,
    title: str,
    due_on: datetime.date,
    severity: str,
    description: str,
    evidence_required: str,
    indicator_code: str,
    owner: Any,
    programme: Any,
    source: Any,
) -> RectificationItem:
    issuer = programme.unit if programme is not None else (getattr(by, "unit", None) or unit)
    item = RectificationItem.objects.create(
        programme=programme,
        unit=unit,
        issuer_unit=issuer,
        title=title.strip(),
        description=(description or "").strip(),
        indicator_code=(indicator_code or "").strip()[:64],
        severity=severity,
        due_on=due_on,
        evidence_required=(evidence_required or "").strip(),
        owner=owner,
        source_type=source._meta.label_lower if source is not None else "",
        source_id=source.pk if source is not None else None,
        finding=source if isinstance(source, Finding) else None,
        created_by=person_or_none(by),
    )
    RectificationEvent.objects.create(item=item, to_status=states.ISSUED, by=person_or_none(by))
    audit_record(
        actor=by,
        action="inspections.item_issue",
        target=item,
        unit=unit,
        summary=item.title[:300],
        data={"due_on": due_on.isoformat(), "severity": severity},
    )
    _tell(
        unit_people(unit, owner=owner),
        "inspections.item_issued",
        _("整改通知：%(title)s") % {"title": item.title},
        _("请于 %(due)s 前完成整改并上传佐证。") % {"due": due_on.isoformat()},
        item,
    )
    return item


@transaction.atomic
def rectification_issue(
    *,
    by: Any,
    unit: Any,
    title: str,
    due_on: datetime.date,
    severity: str = "normal",
    description: str = "",
    evidence_required: str = "",
    indicator_code: str = "",
    owner: Any = None,
    programme: Any = None,
    source: Any = None,
) -> RectificationItem:
    require(by, MANAGE, programme if programme is not None else unit)
    problems = _clean(
        unit=unit,
        title=title,
        due_on=due_on,
        severity=severity,
        description=description,
        evidence_required=evidence_required,
        owner=owner,
        programme=programme,
    )
    if problems:
        raise ValidationError(problems)
    return _issue_one(
        by=by,
        unit=unit,
        title=title,
        due_on=due_on,
        severity=severity,
        description=description,
        evidence_required=evidence_required,
        indicator_code=indicator_code,
        owner=owner,
        programme=programme,
        source=source,
    )


def _locked(item: RectificationItem) -> RectificationItem:
    return RectificationItem.objects.select_for_update(of=("self",)).get(  # scoping: ok checked
        pk=item.pk
    )


def _move(item: RectificationItem, action: str, *, by: Any, reason: str = "") -> str:
    try:
        to = states.item_next(item.status, action, reason=reason)
    except states.MoveRefused as refused:
        # The state rules' codes travel on, so the API tells a state refusal from bad input.
        if refused.code == "reason_required":
            raise ValidationError(_("重新整改时请写明原因。"), code=refused.code) from None
        raise ValidationError(
            _("该整改事项现在是“%(status)s”，不能这样操作。")
            % {"status": item.get_status_display()},
            code=refused.code,
        ) from None
    RectificationEvent.objects.create(
        item=item,
        from_status=item.status,
        to_status=to,
        reason=reason.strip(),
        by=person_or_none(by),
    )
    item.status = to
    return to


def _check_files(files: Sequence[Any]) -> list[tuple[Any, str, str]]:
    from shidian.apps.evidence.files import check_upload

    if len(files) > FILES_MAX:
        raise ValidationError(_("一次最多上传 %(n)d 个文件。") % {"n": FILES_MAX})
    checked, problems = [], []
    for upload in files:
        try:
            name, kind = check_upload(upload)
        except ValidationError as error:
            # The checks' codes travel on, so the API can tell a bad file (file_type, ...).
            problems.extend(
                ValidationError(f"{upload.name}: {e.message}", code=e.code)
                for e in error.error_list
            )
            continue
        checked.append((upload, name, kind))
    if problems:
        raise ValidationError(problems)
    return checked


@transaction.atomic
def item_answer(
    *, by: Any, item: RectificationItem, text: str, files: Sequence[Any] = ()
) -> RectificationAnswer:
    """The school says what it did, with evidence files (required when the item asks for
    evidence). FILL on the item: the school's own account only."""
    require(by, FILL, item)
    item = _locked(item)
    text = (text or "").strip()
    problems = []
    if not text:
        problems.append(_("请填写整改情况。"))
    elif len(text) > TEXT_MAX:
        problems.append(_("整改情况不能超过 %(n)d 个字。") % {"n": TEXT_MAX})
    if item.evidence_required and not files:
        problems.append(_("请上传佐证材料：%(what)s") % {"what": item.evidence_required})
    if problems:
        raise ValidationError(problems)
    checked = _check_files(files)
    _move(item, states.ANSWER, by=by)
    item.save(update_fields=["status", "updated_at"])
    answer = RectificationAnswer.objects.create(item=item, text=text, by=person_or_none(by))
    for upload, name, kind in checked:
        AnswerFile.objects.create(
            answer=answer, file=upload, original_name=name, kind=kind, size=upload.size
        )
    audit_record(
        actor=by,
        action="inspections.item_answer",
        target=item,
        unit=item.unit,
        summary=item.title[:300],
        data={"files": len(checked)},
    )
    _tell(
        office_people(item),
        "inspections.item_answered",
        _("整改情况待核验：%(unit)s %(title)s") % {"unit": item.unit.name, "title": item.title},
        text[:500],
        item,
    )
    return answer


@transaction.atomic
def item_verify_close(*, by: Any, item: RectificationItem, note: str = "") -> RectificationItem:
    """The office checked the answer on the evidence: the item is closed (销号) for good."""
    require(by, MANAGE, item)
    item = _locked(item)
    _move(item, states.CLOSE, by=by, reason=(note or "")[:TEXT_MAX])
    item.closed_at = timezone.now()
    item.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(
        actor=by, action="inspections.item_close", target=item, unit=item.unit, summary=item.title
    )
    _tell(
        unit_people(item.unit, owner=item.owner),
        "inspections.item_closed",
        _("整改已核验销号：%(title)s") % {"title": item.title},
        note or "",
        item,
    )
    return item


@transaction.atomic
def item_reopen(*, by: Any, item: RectificationItem, reason: str) -> RectificationItem:
    """The answer does not do: back to the school with the reason."""
    require(by, MANAGE, item)
    item = _locked(item)
    reason = (reason or "").strip()
    if len(reason) > TEXT_MAX:
        raise ValidationError(_("原因不能超过 %(n)d 个字。") % {"n": TEXT_MAX})
    _move(item, states.REOPEN, by=by, reason=reason)
    item.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action="inspections.item_reopen",
        target=item,
        unit=item.unit,
        summary=item.title,
        data={"reason": reason[:300]},
    )
    _tell(
        unit_people(item.unit, owner=item.owner),
        "inspections.item_reopened",
        _("整改需重新完成：%(title)s") % {"title": item.title},
        reason,
        item,
    )
    return item


def escalation_level(days_overdue: int) -> int:
    return sum(1 for d in ESCALATION_DAYS if days_overdue >= d)


@transaction.atomic
def items_escalate_overdue(*, today: datetime.date, by: Any = None) -> int:
    """Raise the escalation level of items the school still owes past their due date, from how
    many days they are overdue (``ESCALATION_DAYS``), and tell the school and the office. The
    level depends only on the date, so running it again the same day changes nothing."""
    from shidian.apps.inspections.events import rectification_overdue

    due = RectificationItem.objects.filter(  # scoping: ok system task over all items
        status__in=states.AWAITING_UNIT, due_on__lt=today
    ).select_related("unit", "issuer_unit", "owner")
    raised = 0
    for item in due.select_for_update(of=("self",)):
        level = escalation_level((today - item.due_on).days)
        if level <= item.escalation_level:
            continue
        item.escalation_level = level
        item.escalated_on = today
        item.save(update_fields=["escalation_level", "escalated_on", "updated_at"])
        raised += 1
        audit_record(
            actor=by,
            action="inspections.item_escalate",
            target=item,
            unit=item.unit,
            summary=item.title,
            data={"level": level, "on": today.isoformat()},
        )
        subject = _("整改逾期督办（%(level)d 级）：%(unit)s %(title)s") % {
            "level": level,
            "unit": item.unit.name,
            "title": item.title,
        }
        body = _("整改期限 %(due)s 已过，请尽快完成整改并上传佐证。") % {
            "due": item.due_on.isoformat()
        }
        _tell(
            [*unit_people(item.unit, owner=item.owner), *office_people(item)],
            "inspections.item_escalated",
            subject,
            body,
            item,
        )
        rectification_overdue(item, today=today)
    return raised
