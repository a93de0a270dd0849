"""Writes for help requests. Keyword-only, atomic, audited; wrong states raise ValidationError
and change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.communities.access import is_member
from shidian.apps.core.access import FILL, MANAGE, REVIEW, VIEW, GrantRole, can, require
from shidian.apps.core.audit import register_actions
from shidian.apps.core.models import Grant
from shidian.apps.core.services import audit_record, grant_give, grant_revoke
from shidian.apps.helprequests.attachments import attachments_check, attachments_save
from shidian.apps.helprequests.models import (
    DEFAULT_DUE_DAYS,
    HelpMessage,
    HelpRequest,
    MessageKind,
    Status,
)
from shidian.apps.notifications.services import notify


def register() -> None:
    register_actions(
        {
            "helprequests.create": gettext_lazy("提交援助申请"),
            "helprequests.route": gettext_lazy("分派援助申请"),
            "helprequests.answer": gettext_lazy("答复援助申请"),
            "helprequests.confirm": gettext_lazy("确认援助申请已解决"),
            "helprequests.reopen": gettext_lazy("重新打开援助申请"),
            "helprequests.comment": gettext_lazy("留言援助申请"),
        }
    )


def _link(req: HelpRequest) -> str:
    return reverse("helprequests:detail", kwargs={"help_request_id": req.pk})


def _school_users(req: HelpRequest):
    from shidian.apps.accounts.models import User

    return User.objects.filter(unit_id=req.unit_id, is_active=True)  # scoping: ok recipients


def _lead_users(req: HelpRequest):
    from shidian.apps.accounts.models import User

    return User.objects.filter(  # scoping: ok recipients
        unit_id=req.community.lead_unit_id, is_active=True
    )


def _audit(by: Any, action: str, req: HelpRequest, **data: Any) -> None:
    audit_record(
        actor=by, action=action, target=req, unit=req.unit, summary=req.title[:200], data=data
    )


@transaction.atomic
def request_create(
    *,
    by: Any,
    community: Any,
    title: str,
    description: str,
    category: str = "",
    uploads: Sequence[Any] = (),
) -> HelpRequest:
    """A member school's account asks its community for help, with files if it likes."""
    if not is_member(by, community) or not community.is_active:
        raise PermissionDenied
    if not can(by, FILL, community):
        raise PermissionDenied
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise ValidationError(_("请填写援助申请的标题。"), code="title")
    if not description:
        raise ValidationError(_("请描述需要援助的问题。"), code="description")
    checked = attachments_check(uploads)
    req = HelpRequest.objects.create(
        community=community,
        unit=by.unit,
        title=title[:200],
        description=description,
        category=(category or "").strip()[:60],
        created_by=by,
    )
    attachments_save(by=by, request=req, checked=checked)
    _audit(by, "helprequests.create", req, files=len(checked))
    notify(
        _lead_users(req).exclude(pk=by.pk),
        "helprequests.new",
        _("新的援助申请待分派：%(title)s") % {"title": req.title},
        link=_link(req),
        target=req,
    )
    return req


def _expert_grant(req: HelpRequest, expert: Any):
    return (
        Grant.objects.on_target(req)  # scoping: ok service
        .filter(user=expert, role=GrantRole.EXPERT, revoked_at__isnull=True)
        .first()
    )


@transaction.atomic
def request_route(
    *, by: Any, request: HelpRequest, expert: Any, due_on: dt.date | None = None
) -> HelpRequest:
    """The lead school or the office routes the request to an expert (granted this request
    alone); routing again to another expert revokes the former one's grant."""
    req = HelpRequest.objects.select_for_update().get(pk=request.pk)  # scoping: ok service
    require(by, MANAGE, req)
    if req.status == Status.CLOSED:
        raise ValidationError(_("援助申请已关闭，不能再分派。"), code="closed")
    if expert is None or getattr(expert, "role", "") != "expert" or not expert.is_active:
        raise ValidationError(_("请选择一位在用的专家账号。"), code="expert")
    today = timezone.localdate()
    due_on = due_on or today + dt.timedelta(days=DEFAULT_DUE_DAYS)
    if due_on < today:
        raise ValidationError(_("答复期限不能早于今天。"), code="due_on")
    old = req.expert
    if old is not None and old.pk != expert.pk:
        grant = _expert_grant(req, old)
        if grant is not None:
            # The lead school may route but does not manage grants: the revoke is the system's,
            # on behalf of the router checked above.
            grant_revoke(by=None, grant=grant)
    grant_give(
        by=by,
        user=expert,
        role=GrantRole.EXPERT,
        target=req,
        note=_("援助申请") + f" #{req.pk}",
    )
    req.expert, req.routed_by, req.routed_at, req.due_on = expert, by, timezone.now(), due_on
    if req.status != Status.ANSWERED or (old is not None and old.pk != expert.pk):
        req.status = Status.ROUTED
    req.save(update_fields=["expert", "routed_by", "routed_at", "due_on", "status"])
    _audit(by, "helprequests.route", req, expert=expert.pk, due_on=due_on.isoformat())
    notify(
        [expert],
        "helprequests.routed",
        _("请答复援助申请：%(title)s（%(due)s前）") % {"title": req.title, "due": due_on},
        link=_link(req),
        target=req,
    )
    return req


@transaction.atomic
def request_answer(
    *, by: Any, request: HelpRequest, body: str, uploads: Sequence[Any] = ()
) -> HelpMessage:
    """The routed expert answers, with files if useful."""
    req = HelpRequest.objects.select_for_update().get(pk=request.pk)  # scoping: ok service
    require(by, VIEW, req)
    if req.expert_id != getattr(by, "pk", None) or not can(by, REVIEW, req):
        raise PermissionDenied
    if req.status != Status.ROUTED:
        raise ValidationError(
            _("只有已分派、待答复的援助申请可以答复（当前状态：%(s)s）。")
            % {"s": req.get_status_display()},
            code="state",
        )
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("请填写答复内容。"), code="body")
    checked = attachments_check(uploads)
    msg = HelpMessage.objects.create(request=req, author=by, body=body, kind=MessageKind.ANSWER)
    attachments_save(by=by, request=req, checked=checked, message=msg)
    req.status, req.answered_at = Status.ANSWERED, timezone.now()
    req.save(update_fields=["status", "answered_at"])
    _audit(by, "helprequests.answer", req)
    notify(
        _school_users(req),
        "helprequests.answered",
        _("专家已答复援助申请：%(title)s，请确认是否解决") % {"title": req.title},
        link=_link(req),
        target=req,
    )
    return msg


def _require_requester(by: Any, req: HelpRequest) -> None:
    require(by, VIEW, req)
    if getattr(by, "unit_id", None) != req.unit_id or not can(by, FILL, req):
        raise PermissionDenied


@transaction.atomic
def request_confirm(*, by: Any, request: HelpRequest) -> HelpRequest:
    """The requesting school confirms the answer solved its problem: closed."""
    req = HelpRequest.objects.select_for_update().get(pk=request.pk)  # scoping: ok service
    _require_requester(by, req)
    if req.status != Status.ANSWERED:
        raise ValidationError(
            _("只有专家已答复的援助申请可以确认关闭（当前状态：%(s)s）。")
            % {"s": req.get_status_display()},
            code="state",
        )
    req.status, req.closed_at = Status.CLOSED, timezone.now()
    req.save(update_fields=["status", "closed_at"])
    _audit(by, "helprequests.confirm", req)
    if req.expert_id:
        notify(
            [req.expert],
            "helprequests.closed",
            _("援助申请已确认解决：%(title)s") % {"title": req.title},
            link=_link(req),
            target=req,
            mail=False,
        )
    return req


@transaction.atomic
def request_reopen(
    *, by: Any, request: HelpRequest, reason: str, uploads: Sequence[Any] = ()
) -> HelpRequest:
    """The requesting school is not satisfied: back to the expert (routed)."""
    req = HelpRequest.objects.select_for_update().get(pk=request.pk)  # scoping: ok service
    _require_requester(by, req)
    if req.status != Status.ANSWERED:
        raise ValidationError(
            _("只有专家已答复的援助申请可以重新打开（当前状态：%(s)s）。")
            % {"s": req.get_status_display()},
            code="state",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请说明尚未解决的原因。"), code="reason")
    checked = attachments_check(uploads)
    msg = HelpMessage.objects.create(request=req, author=by, body=reason, kind=MessageKind.QUESTION)
    attachments_save(by=by, request=req, checked=checked, message=msg)
    req.status, req.answered_at = Status.ROUTED, None
    req.reopened_count += 1
    req.save(update_fields=["status", "answered_at", "reopened_count"])
    _audit(by, "helprequests.reopen", req, reason=reason[:200])
    if req.expert_id:
        notify(
            [req.expert],
            "helprequests.reopened",
            _("援助申请未解决，请再次答复：%(title)s") % {"title": req.title},
            reason,
            link=_link(req),
            target=req,
        )
    return req


@transaction.atomic
def comment(
    *, by: Any, request: HelpRequest, body: str, uploads: Sequence[Any] = ()
) -> HelpMessage:
    """Anyone who sees the request and takes part in it (school, lead, office, expert) writes a
    note or question in its thread, with files if they like (then the text may be empty);
    closed requests take no more messages."""
    req = HelpRequest.objects.select_for_update().get(pk=request.pk)  # scoping: ok service
    require(by, VIEW, req)
    is_expert = req.expert_id == getattr(by, "pk", None) and can(by, REVIEW, req)
    if not is_expert and not (can(by, FILL, req) or can(by, MANAGE, req)):
        raise PermissionDenied
    if req.status == Status.CLOSED:
        raise ValidationError(_("援助申请已关闭，不能再留言。"), code="closed")
    body = (body or "").strip()
    checked = attachments_check(uploads)
    if not body and not checked:
        raise ValidationError(_("请填写留言内容或添加附件。"), code="body")
    kind = MessageKind.QUESTION if by.unit_id == req.unit_id else MessageKind.NOTE
    msg = HelpMessage.objects.create(request=req, author=by, body=body, kind=kind)
    attachments_save(by=by, request=req, checked=checked, message=msg)
    _audit(by, "helprequests.comment", req, files=len(checked))
    return msg
