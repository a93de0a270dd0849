"""Writes of commendations: the list, nominations (added by the office, proposed by lower
offices, included or declined), submission, the leading group's approval or return.

Who: the programme's office (MANAGE) assembles the list; a zone or lower office (VIEW through
``policies.lower_office``) proposes nominations of units in its own subtree; the leading group
(APPROVE) approves or returns it. On approval the notice (通报表彰) is generated through the
documents app in the same transaction: a failure leaves the list pending and no number used.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.commendations.models import (
    Category,
    Commendation,
    CommendationEvent,
    Nomination,
    NominationStatus,
    Status,
)
from shidian.apps.commendations.policies import LOWER_OFFICES
from shidian.apps.core import approval
from shidian.apps.core.access import APPROVE, MANAGE, VIEW, can, require
from shidian.apps.core.approval import actor, audit, locked

PASSED = ("accepted", "conditional")
REASON_MAX = 1000


def passed_units(programme: Any):
    """The programme's passed units (participation accepted or conditionally accepted)."""
    from shidian.apps.orgs.models import OrgUnit
    from shidian.apps.programmes.models import Participation

    passed = Participation.objects.filter(  # scoping: ok the programme the caller holds
        programme=programme, state__in=PASSED
    ).values("unit_id")
    return OrgUnit.objects.filter(pk__in=passed).order_by("code")  # scoping: ok see above


def _editable(commendation: Commendation) -> None:
    if not commendation.editable:
        raise ValidationError(
            _("表彰名单%(status)s，不能修改。") % {"status": commendation.get_status_display()},
            code="not_editable",
        )


def _touch(commendation: Commendation) -> None:
    """The list changed with its nominations: its ``updated_at`` (hence the API's ETag) moves."""
    commendation.save(update_fields=["updated_at"])


def may_propose(user: Any, commendation: Commendation) -> bool:
    """A lower office (a zone, a county office under the programme's unit) proposes
    nominations to a list it sees but does not run; no one else but the office adds any."""
    return (
        getattr(user, "role", "") in LOWER_OFFICES
        and not can(user, MANAGE, commendation)
        and can(user, VIEW, commendation)
    )


@transaction.atomic
def commendation_create(*, by: Any, programme: Any, title: str) -> Commendation:
    require(by, MANAGE, programme)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("请填写名称。"))
    commendation = Commendation.objects.create(
        programme=programme, title=title[:200], created_by=actor(by)
    )
    audit(by, "commendations.create", commendation, title)
    return commendation


def _in_subtree(user: Any, unit: Any) -> bool:
    from shidian.apps.orgs.models import OrgUnit

    return OrgUnit.objects.restrict(user, VIEW).filter(pk=unit.pk).exists()


def _clean(commendation: Commendation, category: str, unit: Any, name: str, role: str, reason):
    if category not in Category.values:
        raise ValidationError(_("请选择表彰类别。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写推荐理由。"))
    if len(reason) > REASON_MAX:
        raise ValidationError(_("推荐理由不能超过 %(n)d 个字。") % {"n": REASON_MAX})
    name, role = (name or "").strip(), (role or "").strip()
    if category == Category.UNIT:
        name, role = "", ""
        if not passed_units(commendation.programme).filter(pk=unit.pk).exists():
            raise ValidationError(
                _("%(unit)s没有通过验收，不能推荐为先进单位。") % {"unit": unit.name}
            )
    elif not name:
        raise ValidationError(_("请填写团队名称或个人姓名。"))
    if category == Category.PERSON and not role:
        raise ValidationError(_("请填写先进个人的职务。"))
    same = commendation.nominations.filter(category=category, unit=unit, name=name).exclude(
        status=NominationStatus.DECLINED
    )
    if same.exists():
        raise ValidationError(_("这一推荐已在名单中。"))
    return name[:100], role[:100], reason


@transaction.atomic
def nomination_add(
    *,
    by: Any,
    commendation: Commendation,
    category: str,
    unit: Any,
    reason: str,
    name: str = "",
    role: str = "",
) -> Nomination:
    """The office adds a nomination to the list; a lower office proposes one of its subtree
    (the office then includes or declines it)."""
    commendation = locked(commendation)
    office = can(by, MANAGE, commendation)
    if not office and (not may_propose(by, commendation) or not _in_subtree(by, unit)):
        raise PermissionDenied
    _editable(commendation)
    name, role, reason = _clean(commendation, category, unit, name, role, reason)
    nomination = Nomination.objects.create(
        commendation=commendation,
        category=category,
        unit=unit,
        name=name,
        role=role,
        reason=reason,
        status=NominationStatus.INCLUDED if office else NominationStatus.PROPOSED,
        proposed_by_unit=None if office else by.unit,
        created_by=actor(by),
    )
    _touch(commendation)
    action = "commendations.nominate" if office else "commendations.propose"
    audit(by, action, commendation, f"{nomination.display_name()} ({category})")
    return nomination


@transaction.atomic
def nomination_decide(
    *, by: Any, nomination: Nomination, include: bool, note: str = ""
) -> Nomination:
    """The office includes a proposed nomination, or declines one (proposed or included)."""
    commendation = locked(nomination.commendation)
    require(by, MANAGE, commendation)
    _editable(commendation)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)  # scoping: ok
    note = (note or "").strip()[:500]
    if include:
        if nomination.status != NominationStatus.INCLUDED:
            same = commendation.nominations.filter(
                category=nomination.category,
                unit=nomination.unit_id,
                name=nomination.name,
                status=NominationStatus.INCLUDED,
            )
            if same.exists():
                raise ValidationError(_("这一推荐已在名单中。"))
        nomination.status, nomination.decline_note = NominationStatus.INCLUDED, ""
    else:
        if nomination.proposed_by_unit_id and not note:
            raise ValidationError(_("不采纳下级推荐时请说明原因。"))
        nomination.status, nomination.decline_note = NominationStatus.DECLINED, note
    nomination.save(update_fields=["status", "decline_note"])
    _touch(commendation)
    audit(
        by,
        "commendations.include" if include else "commendations.decline",
        commendation,
        nomination.display_name(),
    )
    return nomination


@transaction.atomic
def commendation_submit(*, by: Any, commendation: Commendation, note: str = "") -> Commendation:
    require(by, MANAGE, commendation)
    commendation = locked(commendation)
    _editable(commendation)
    note = approval.clean_comment(note, required=False)
    waiting = commendation.nominations.filter(status=NominationStatus.PROPOSED).count()
    if waiting:
        raise ValidationError(
            _("还有 %(n)d 项下级推荐没有处理：请先采纳或不采纳，再提交审批。") % {"n": waiting}
        )
    if not commendation.nominations.filter(status=NominationStatus.INCLUDED).exists():
        raise ValidationError(_("名单中还没有表彰对象。"))
    approval.finish(
        commendation,
        by=by,
        status=Status.PENDING,
        event=approval.SUBMITTED,
        comment=note,
        action="commendations.submit",
        summary=commendation.title,
    )
    return commendation


def _pending(by: Any, commendation: Commendation, refused: str) -> Commendation:
    """The list locked for the leading group's decision, which only a pending list awaits."""
    return approval.open_step(
        commendation, by=by, permission=APPROVE, statuses=(Status.PENDING,), refused=refused
    )


@transaction.atomic
def commendation_return(*, by: Any, commendation: Commendation, comment: str) -> Commendation:
    commendation = _pending(by, commendation, _("只有待审批的表彰名单可以退回。"))
    comment = approval.clean_comment(comment, required=True)
    approval.finish(
        commendation,
        by=by,
        status=Status.RETURNED,
        event=approval.RETURNED,
        comment=comment,
        action="commendations.return",
        summary=commendation.title,
    )
    return commendation


@transaction.atomic
def commendation_approve(*, by: Any, commendation: Commendation, comment: str = "") -> Any:
    """Approve the pending list and generate its notice; returns the document."""
    from shidian.apps.commendations.notice import notice_generate

    commendation = _pending(by, commendation, _("只有待审批的表彰名单可以批准。"))
    comment = approval.clean_comment(comment, required=False)
    commendation.status = Status.APPROVED
    commendation.save(update_fields=["status", "updated_at"])
    # the notice first: the audit record names its number
    document = notice_generate(by=by, commendation=commendation)
    approval.record(
        commendation,
        by=by,
        event=approval.APPROVED,
        comment=comment,
        action="commendations.approve",
        summary=f"{commendation.title} {document.number}",
    )
    return document


def last_return(commendation: Commendation) -> CommendationEvent | None:
    return approval.last_return(commendation)


def register() -> None:
    from shidian.apps.core.audit import register_actions

    register_actions(
        {
            "commendations.create": gettext_lazy("新建表彰名单"),
            "commendations.nominate": gettext_lazy("列入表彰对象"),
            "commendations.propose": gettext_lazy("推荐表彰对象"),
            "commendations.include": gettext_lazy("采纳表彰推荐"),
            "commendations.decline": gettext_lazy("不采纳表彰推荐"),
            "commendations.submit": gettext_lazy("提交表彰名单审批"),
            "commendations.return": gettext_lazy("退回表彰名单"),
            "commendations.approve": gettext_lazy("批准表彰名单"),
        }
    )
