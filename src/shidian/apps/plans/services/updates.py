"""Progress on a plan: a task's status (done needs an evidence file) and a goal's current
value. Rows are never edited; each is dated the day it is recorded, so what a past day showed
stays what it showed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.access import FILL, require
from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.evidence.files import check_upload
from shidian.apps.evidence.services import attach_atomic, evidence_store
from shidian.apps.plans.kind import TASK_EVIDENCE
from shidian.apps.plans.models import GoalUpdate, Plan, TaskStatus, TaskUpdate
from shidian.apps.plans.services.filings import touch
from shidian.textclean import clean_text


def _latest_version(plan: Plan):
    version = plan.versions.order_by("-number").first()
    if version is None:
        raise ValidationError(_("方案尚未批准，不能填报进展。"), code="not_allowed")
    return version


@attach_atomic()
def task_update_record(
    *,
    plan: Plan,
    user: Any,
    task_code: str,
    status: str,
    note: str = "",
    upload=None,
    on: dt.date | None = None,
) -> TaskUpdate:
    """Record a task's status. ``on`` (the demo and tests) backdates the record; pages never
    pass it."""
    require(user, FILL, plan)
    version = _latest_version(plan)
    problems = []
    task = version.tasks.filter(code=task_code).first()
    if task is None:
        problems.append(_("没有这个任务：%(code)s") % {"code": task_code})
    elif task.cancelled:
        problems.append(_("任务 %(code)s 已取消。") % {"code": task_code})
    if status not in TaskStatus.values:
        problems.append(_("请选择任务进展。"))
    if status == TaskStatus.DONE and upload is None:
        problems.append(_("标记为已完成时须上传佐证材料。"))
    if upload is not None:
        try:
            check_upload(upload)
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise ValidationError(problems)
    evidence = None
    if upload is not None:
        evidence = evidence_store(
            submission=version.submission,
            user=user,
            item_code=f"{TASK_EVIDENCE}{task_code}",
            upload=upload,
        )
    update = TaskUpdate.objects.create(
        plan=plan,
        task_code=task_code,
        status=status,
        reported_on=on or timezone.localdate(),
        note=clean_text(note, multiline=True)[:2000],
        evidence=evidence,
        by=person_or_none(user),
    )
    audit_record(
        actor=user,
        action="plans.task_update",
        target=plan,
        unit=plan.unit,
        data={"task": task_code, "status": status},
    )
    touch(plan)
    return update


@transaction.atomic
def goal_update_record(
    *,
    plan: Plan,
    user: Any,
    goal_code: str,
    value: Any,
    note: str = "",
    on: dt.date | None = None,
) -> GoalUpdate:
    require(user, FILL, plan)
    version = _latest_version(plan)
    problems = []
    if goal_code not in {g.get("code") for g in version.goals}:
        problems.append(_("没有这个目标：%(code)s") % {"code": goal_code})
    try:
        number = float(str(value).strip())
        if number != number or abs(number) == float("inf"):
            raise ValueError
    except ValueError:
        problems.append(_("当前值须为数字。"))
    if problems:
        raise ValidationError(problems)
    update = GoalUpdate.objects.create(
        plan=plan,
        goal_code=goal_code,
        value=number,
        reported_on=on or timezone.localdate(),
        note=clean_text(note, multiline=True)[:2000],
        by=person_or_none(user),
    )
    audit_record(
        actor=user,
        action="plans.goal_update",
        target=plan,
        unit=plan.unit,
        data={"goal": goal_code, "value": number},
    )
    touch(plan)
    return update
