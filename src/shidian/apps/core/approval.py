"""The approval step the leading group takes over a programme's lists and plans (selection's
pilot list, commendations, roll-out plans): the office submits a draft, the leading group
returns it with a comment or approves it.

Plain functions the apps' services call inside their own transaction, with the app's rules
(what must be complete, what approval moves or generates) left in the app. A subject is a
model instance with ``status`` (and ``get_status_display``), ``updated_at``, ``programme`` and
an ``events`` relation to its history rows (``action``, ``comment``, ``by``, ``at``); the
history rows' actions are the same three values in every app.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from shidian.apps.core.access import APPROVE, MANAGE, require
from shidian.apps.core.services import audit_record, person_or_none

SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
COMMENT_MAX = 1000  # the history rows' ``comment`` length
TODO_LIMIT = 50

M = TypeVar("M", bound=models.Model)


def actor(by: Any) -> Any:
    """Who to store as the doer: None for the system (``by=None``) or an anonymous caller."""
    return person_or_none(by)


def locked(subject: M) -> M:
    """``subject`` re-read under a row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
    IMMEDIATE transactions serialise writers), so two decisions on one subject never
    interleave and each sees the status the other left."""
    return type(subject).objects.select_for_update().get(pk=subject.pk)  # scoping: ok re-read


def require_status(subject: Any, statuses: Collection[str], refused: str) -> None:
    """Refuse unless ``subject`` is in one of ``statuses``; ``refused`` (translated) may name
    the status it is in as ``%(status)s``."""
    if subject.status not in statuses:
        raise ValidationError(
            refused % {"status": subject.get_status_display()}, code="not_allowed"
        )


def open_step(
    subject: M, *, by: Any, permission: str, statuses: Collection[str], refused: str
) -> M:
    """The start of every step: ``by`` holds ``permission`` on ``subject``, which is then
    re-read locked and must be in one of ``statuses``. Returns the locked row."""
    require(by, permission, subject)
    subject = locked(subject)
    require_status(subject, statuses, refused)
    return subject


def clean_comment(text: str | None, *, required: bool, limit: int = COMMENT_MAX) -> str:
    """The comment stripped; a return must say why (``required``)."""
    text = (text or "").strip()
    if required and not text:
        raise ValidationError(_("退回时请填写意见，说明需要修改的地方。"), code="reason_required")
    if len(text) > limit:
        raise ValidationError(_("意见不能超过 %(n)d 个字。") % {"n": limit})
    return text


def audit(by: Any, action: str, subject: Any, summary: str, **data: Any) -> None:
    """An audit record of ``subject``, seen by the offices above the programme's unit."""
    audit_record(
        actor=by,
        action=action,
        target=subject,
        unit=subject.programme.unit,
        summary=summary[:300],
        data=data or None,
    )


def record(
    subject: Any,
    *,
    by: Any,
    event: str,
    comment: str,
    action: str,
    summary: str,
    data: dict[str, Any] | None = None,
) -> None:
    """The history row (``event``: SUBMITTED, RETURNED or APPROVED) and the audit record
    (``action``) of one step, in the caller's transaction."""
    subject.events.create(action=event, comment=comment, by=actor(by))
    audit(by, action, subject, summary, **(data or {}))


def finish(
    subject: Any,
    *,
    by: Any,
    status: str,
    event: str,
    comment: str,
    action: str,
    summary: str,
    data: dict[str, Any] | None = None,
    fields: Sequence[str] = (),
) -> None:
    """Move ``subject`` to ``status`` (saving ``fields`` the caller set too) and record it."""
    subject.status = status
    subject.save(update_fields=["status", *fields, "updated_at"])
    record(subject, by=by, event=event, comment=comment, action=action, summary=summary, data=data)


def last_event(subject: Any, event: str) -> Any | None:
    """The latest history row of ``event`` (rows are ordered differently per app)."""
    return subject.events.filter(action=event).order_by("-at", "-pk").first()


def last_return(subject: Any) -> Any | None:
    """The latest return, whose comment the office answers."""
    return last_event(subject, RETURNED)


def approval_todos(
    user: Any,
    model: type[models.Model],
    *,
    pending: str,
    returned: str,
    approve: str,
    amend: str,
    title: Callable[[Any], str],
    url: Callable[[Any], str],
    note: Callable[[Any], str] | None = None,
    limit: int = TODO_LIMIT,
) -> list[Any]:
    """Home-page to-dos of ``model``'s approval: the ``pending`` ones for who may approve them
    (action ``approve``), the ``returned`` ones for the office that amends them (``amend``,
    with ``note``, e.g. the return's comment). Who may approve a returned one is not asked to
    amend it: that person sent it back."""
    from shidian.apps.core.todos import APPROVE_TASK, RETURNED_TASK, Todo

    def todo(kind: str, subject: Any, action: str, comment: str = "") -> Todo:
        status = subject.get_status_display()
        return Todo(kind, title(subject), action, url(subject), status=status, note=comment)

    may_approve = model.objects.restrict(user, APPROVE)
    todos = [todo(APPROVE_TASK, s, approve) for s in may_approve.filter(status=pending)[:limit]]
    to_amend = (
        model.objects.restrict(user, MANAGE)
        .filter(status=returned)
        .exclude(pk__in=may_approve.values("pk"))[:limit]
    )
    todos += [todo(RETURNED_TASK, s, amend, note(s)[:200] if note else "") for s in to_amend]
    return todos
