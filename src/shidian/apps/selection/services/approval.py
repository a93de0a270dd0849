"""The approval step: the office submits the list, batches and controls; the leading group
approves (a frozen version, participations moved) or returns them with a comment; the office
then generates the public notice from the approved version.

Who: submitting and the notice are MANAGE on the selection (the office); approving and
returning are APPROVE (the leading group's role over the programme's unit, or a leading-group
member grant on the programme). Participations move only through ``programmes.services``, in
the approval's transaction: one refused move leaves everything as it was.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.core import approval
from shidian.apps.core.access import APPROVE, MANAGE, GrantRole, can
from shidian.apps.core.approval import actor
from shidian.apps.selection.events import selection_approved
from shidian.apps.selection.models import (
    BatchPlacement,
    ControlPair,
    EventAction,
    Selection,
    SelectionEvent,
    SelectionStatus,
    SelectionVersion,
)
from shidian.apps.selection.services.approval_moves import (
    last_return_comment,
    move_participations,
    site_language,
)

# --- reads ------------------------------------------------------------------------------------


def snapshot_of(selection: Selection) -> dict[str, list[dict[str, Any]]]:
    """The list, batches and controls as stored now, in the version's shape (CONTRACTS)."""
    scores = _scores(selection)
    pilots = [
        {
            "unit_id": p.unit_id,
            "code": str(p.unit.code),
            "name": p.unit.name,
            "batch": p.cycle.number,
            "year": p.cycle.year,
            "rank": p.rank,
            "score": scores.get(p.unit_id),
        }
        for p in BatchPlacement.objects.filter(selection=selection)  # scoping: ok caller's
        .select_related("unit", "cycle")
        .order_by("cycle__number", "rank", "unit__code")
    ]
    controls = [
        {
            "pilot_id": c.pilot_id,
            "pilot_code": str(c.pilot.code),
            "control_id": c.control_id,
            "control_code": str(c.control.code),
            "control_name": c.control.name,
        }
        for c in ControlPair.objects.filter(selection=selection)  # scoping: ok caller's
        .select_related("pilot", "control")
        .order_by("pilot__code", "control__code")
    ]
    return {"pilots": pilots, "controls": controls}


def _scores(selection: Selection) -> dict[int, float | None]:
    """The score the pilots were ranked by: the adopted reconciliation's final score, else the
    shortlist's, else the self-assessment total."""
    from shidian.apps.submissions.models import Submission

    found: dict[int, float | None] = dict(
        Submission.objects.filter(round=selection.round_id).values_list("unit_id", "total")
    )
    found.update(selection.shortlisted.values_list("unit_id", "score"))
    if selection.reconciliation_id:
        for row in selection.reconciliation.result.get("ranking", []):
            found[row["unit_id"]] = row.get("final_score")
    return found


def latest_version(selection: Selection) -> SelectionVersion | None:
    return selection.versions.order_by("-number").first()


def last_event(selection: Selection, action: str) -> SelectionEvent | None:
    return approval.last_event(selection, action)


def approvers(selection: Selection) -> list[Any]:
    """Who may approve: leading-group accounts whose subtree holds the programme's unit, and
    the leading-group members named on the programme (each checked through core.access)."""
    from shidian.apps.accounts.models import User
    from shidian.apps.core.models import Grant
    from shidian.apps.orgs.paths import ancestor_paths

    unit = selection.programme.unit
    granted = (
        Grant.objects.on_target(selection.programme)
        .active()
        .filter(role=GrantRole.LEADING_GROUP_MEMBER)
        .values("user_id")
    )
    by_role = User.objects.filter(  # scoping: ok recipients, each checked below
        role="leading_group", unit__path__in=[*ancestor_paths(unit.path), unit.path]
    )
    people = User.objects.filter(is_active=True).filter(  # scoping: ok checked below
        pk__in=[*by_role.values_list("pk", flat=True), *granted.values_list("user_id", flat=True)]
    )
    return [u for u in people.order_by("username") if can(u, APPROVE, selection)]


def office_people(selection: Selection) -> list[Any]:
    """Who is told of a decision: whoever submitted, the office accounts of the programme's
    unit and the programme's office members."""
    from shidian.apps.accounts.models import User
    from shidian.apps.core.models import Grant

    ids = set(
        selection.events.filter(action=EventAction.SUBMITTED, by__isnull=False).values_list(
            "by_id", flat=True
        )
    )
    ids |= set(
        User.objects.filter(  # scoping: ok recipients, checked below
            role="office", unit=selection.programme.unit
        ).values_list("pk", flat=True)
    )
    ids |= set(
        Grant.objects.on_target(selection.programme)
        .active()
        .filter(role=GrantRole.OFFICE_MEMBER)
        .values_list("user_id", flat=True)
    )
    people = User.objects.filter(pk__in=ids, is_active=True).order_by("username")  # scoping: ok
    return [u for u in people if can(u, MANAGE, selection)]


# --- writes -----------------------------------------------------------------------------------


def _check_complete(selection: Selection) -> None:
    placed = set(selection.placements.values_list("unit_id", flat=True))
    if not placed:
        raise ValidationError(
            _("还没有安排批次：请先在“批次安排”中确定试点学校及其批次，再提交审批。")
        )
    _check_ranked(selection, placed)
    pairs = selection.controls.select_related("pilot", "control")
    stale = sorted({p.pilot.name for p in pairs if p.pilot_id not in placed})
    if stale:
        raise ValidationError(
            _("对照组中的试点学校%(names)s已不在批次安排中，请重新匹配对照组。")
            % {"names": "、".join(stale)}
        )
    both = sorted({p.control.name for p in pairs if p.control_id in placed})
    if both:
        raise ValidationError(
            _("%(names)s既是试点学校又是对照学校，请重新匹配对照组。") % {"names": "、".join(both)}
        )


def _check_ranked(selection: Selection, placed: set[int]) -> None:
    """With a shortlist adopted, the pilots must come from the ranking the batches step reads
    (the adopted reconciliation's, else the shortlist's), and that reconciliation must rank the
    shortlist adopted now (a later shortlist leaves it, and the batches, out of date)."""
    from shidian.apps.orgs.models import OrgUnit
    from shidian.apps.selection.services.batches import ranking_of

    if not selection.shortlist_id:
        return
    shortlisted = set(selection.shortlisted.values_list("unit_id", flat=True))
    _source, ranking = ranking_of(selection)
    ranked = {r["unit_id"] for r in ranking}
    if selection.reconciliation_id and ranked - shortlisted:
        raise ValidationError(_("采用的评分汇总与现在的入围名单不一致：请重新汇总评分并安排批次。"))
    outside = placed - ranked
    if outside:
        names = OrgUnit.objects.filter(pk__in=outside).order_by("code")  # scoping: ok placed
        raise ValidationError(
            _("试点学校%(names)s不在采用的排名中：请重新安排批次。")
            % {"names": "、".join(u.name for u in names)}
        )


def _link(selection: Selection) -> str:
    return reverse("selection:approval", kwargs={"selection_id": selection.pk})


def _tell(users: list[Any], kind: str, subject: str, body: str, selection: Selection) -> None:
    from shidian.apps.notifications.services import notify

    if users:
        notify(users, kind, subject, body, link=_link(selection), target=selection)


@transaction.atomic
def selection_submit(*, by: Any, selection: Selection, note: str = "") -> Selection:
    """The office hands the list, batches and controls to the leading group (frozen)."""
    selection = approval.open_step(
        selection,
        by=by,
        permission=MANAGE,
        statuses=(SelectionStatus.OPEN, SelectionStatus.RETURNED),
        refused=_("遴选结果已%(status)s，不能再次提交。"),
    )
    note = approval.clean_comment(note, required=False)
    _check_complete(selection)
    approval.finish(
        selection,
        by=by,
        status=SelectionStatus.PENDING,
        event=EventAction.SUBMITTED,
        comment=note,
        action="selection.submit",
        summary=selection.name,
    )
    with translation.override(site_language()):
        _tell(
            approvers(selection),
            "selection.submitted",
            _("待审批：%(name)s") % {"name": selection.name},
            note,
            selection,
        )
    return selection


@transaction.atomic
def selection_return(*, by: Any, selection: Selection, comment: str) -> Selection:
    """The leading group sends a pending selection back, or reopens an approved one for an
    amendment; the comment says why. Participations stay until the next approval."""
    selection = approval.open_step(
        selection,
        by=by,
        permission=APPROVE,
        statuses=(SelectionStatus.PENDING, SelectionStatus.APPROVED),
        refused=_("只有待审批或已批准的遴选结果可以退回。"),
    )
    comment = approval.clean_comment(comment, required=True)
    amendment = selection.status == SelectionStatus.APPROVED
    approval.finish(
        selection,
        by=by,
        status=SelectionStatus.RETURNED,
        event=EventAction.RETURNED,
        comment=comment,
        action="selection.return",
        summary=selection.name,
        data={"amendment": amendment},
    )
    with translation.override(site_language()):
        _tell(
            office_people(selection),
            "selection.returned",
            _("遴选结果已退回修改：%(name)s") % {"name": selection.name},
            comment,
            selection,
        )
    return selection


@transaction.atomic
def selection_approve(*, by: Any, selection: Selection, comment: str = "") -> SelectionVersion:
    """Approve the pending selection: the next version, and every participation moved to what
    it says (pilots of their batch, controls, the rest of the shortlist back)."""
    selection = approval.open_step(
        selection,
        by=by,
        permission=APPROVE,
        statuses=(SelectionStatus.PENDING,),
        refused=_("只有待审批的遴选结果可以批准。"),
    )
    comment = approval.clean_comment(comment, required=False)
    _check_complete(selection)
    previous = latest_version(selection)
    number = (selection.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    snapshot = snapshot_of(selection)
    moved = move_participations(
        by=by, selection=selection, snapshot=snapshot, previous=previous, number=number
    )
    version = SelectionVersion.objects.create(
        selection=selection,
        number=number,
        snapshot=snapshot,
        reason=comment,
        approved_by=actor(by),
    )
    approval.finish(
        selection,
        by=by,
        status=SelectionStatus.APPROVED,
        event=EventAction.APPROVED,
        comment=comment,
        action="selection.approve",
        summary=f"{selection.name} v{number}",
        data={"moved": moved},
    )
    with translation.override(site_language()):
        _tell(
            office_people(selection),
            "selection.approved",
            _("遴选结果已批准（第%(n)d版）：%(name)s") % {"n": number, "name": selection.name},
            _("请在审批页生成并印发公布通知。"),
            selection,
        )
        selection_approved(selection, version)
    return version


# --- todos and registration -------------------------------------------------------------------


def approval_todos(user: Any, now: datetime.datetime) -> list[Any]:
    """Pending selections for who may approve them; returned ones for the office."""
    return approval.approval_todos(
        user,
        Selection,
        pending=SelectionStatus.PENDING,
        returned=SelectionStatus.RETURNED,
        approve=_("审批试点学校名单、批次和对照组"),
        amend=_("按领导小组意见修改后重新提交"),
        title=lambda s: s.name,
        url=_link,
        note=last_return_comment,
    )


def register() -> None:
    """Called once from SelectionConfig.ready(): this step's todo providers and audit names."""
    from shidian.apps.core.audit import register_actions
    from shidian.apps.core.todos import register_todo_provider

    register_todo_provider(approval_todos)
    register_actions(
        {
            "selection.submit": gettext_lazy("提交遴选结果审批"),
            "selection.approve": gettext_lazy("批准遴选结果"),
            "selection.return": gettext_lazy("退回遴选结果"),
            "selection.notice": gettext_lazy("生成试点学校名单通知"),
        }
    )
