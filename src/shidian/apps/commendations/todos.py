"""Home-page to-dos: pending lists for who may approve them, returned ones for the office."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.commendations.models import Commendation, Status
from shidian.apps.core.approval import approval_todos


def commendation_todos(user: Any, now: datetime.datetime) -> list[Any]:
    return approval_todos(
        user,
        Commendation,
        pending=Status.PENDING,
        returned=Status.RETURNED,
        approve=_("审批表彰名单"),
        amend=_("按领导小组意见修改表彰名单后重新提交"),
        title=lambda c: c.title,
        url=lambda c: reverse("commendations:detail", kwargs={"commendation_id": c.pk}),
    )
