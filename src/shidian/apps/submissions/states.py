"""The submission state machine as pure functions (no Django models, no database).

draft -> submit -> (return with comments -> resubmit)* -> accept. A submission is written only
while editable and while its round takes writes: open, and before the deadline unless the round
accepts late submissions. Every refusal is a :class:`Refused` with a stable code, which the
services tell in the user's language.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NOT_OPENED = "not_opened", _("未填报")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    RESUBMITTED = "resubmitted", _("已重新提交")
    ACCEPTED = "accepted", _("已通过")


EDITABLE = frozenset({Status.NOT_OPENED, Status.DRAFT, Status.RETURNED})
WAITING = frozenset({Status.SUBMITTED, Status.RESUBMITTED})  # for the office to decide
SUBMITTED = frozenset({Status.SUBMITTED, Status.RESUBMITTED, Status.ACCEPTED})


class Refused(Exception):
    """``code``: not_editable, closed, late, not_submitted."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def after_save(status: str) -> str:
    if status not in EDITABLE:
        raise Refused("not_editable")
    return Status.DRAFT if status == Status.NOT_OPENED else status


def after_submit(status: str) -> str:
    if status not in EDITABLE:
        raise Refused("not_editable")
    return Status.RESUBMITTED if status == Status.RETURNED else Status.SUBMITTED


def after_return(status: str) -> str:
    if status not in WAITING:
        raise Refused("not_submitted")
    return Status.RETURNED


def after_accept(status: str) -> str:
    if status not in WAITING:
        raise Refused("not_submitted")
    return Status.ACCEPTED


def check_round_open(
    *, round_open: bool, deadline: dt.datetime, now: dt.datetime, accept_late: bool
) -> None:
    """Raise Refused unless the round takes writes at ``now``."""
    if not round_open:
        raise Refused("closed")
    if now > deadline and not accept_late:
        raise Refused("late")


def is_late(*, submitted_at: dt.datetime | None, deadline: dt.datetime) -> bool:
    return submitted_at is not None and submitted_at > deadline
