"""Demo plans for `shidian demo`: every batch-1 pilot of the demo programme has an approved
creation plan (four tasks, two goals), filed and approved a few months ago; some tasks are
done with evidence, one pilot (the demo `school` account's school when it is a pilot) has a
late task. Dates are relative to today and kept inside the programme's years. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from shidian.apps.plans.models import Plan, PlanVersion
from shidian.apps.plans.services import (
    goal_update_record,
    plan_approve,
    plan_round_open,
    plan_save,
    plan_submit,
    task_update_record,
)
from shidian.apps.plans.services.filings import current_filing


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo evidence\n%%EOF\n")


def _answers(base: dt.date, today: dt.date, last: dt.date) -> dict:
    def day(d: dt.date) -> str:
        return min(max(d, base), last).isoformat()

    return {
        "goals": [
            {
                "code": "G1",
                "title": "多媒体教室占比（%）",
                "baseline": "60",
                "target": "100",
                "target_date": day(base + dt.timedelta(days=540)),
            },
            {
                "code": "G2",
                "title": "教师信息技术应用能力达标率（%）",
                "baseline": "45",
                "target": "90",
                "target_date": day(base + dt.timedelta(days=720)),
            },
        ],
        "tasks": [
            {
                "code": "T1",
                "title": "制定智慧校园建设实施细则",
                "owner": "校长办公室",
                "starts_on": day(base),
                "due_on": day(base + dt.timedelta(days=30)),
                "deliverable": "实施细则",
                "weight": "1",
            },
            {
                "code": "T2",
                "title": "教师信息技术应用能力培训",
                "owner": "教务处",
                "starts_on": day(base + dt.timedelta(days=7)),
                "due_on": day(today - dt.timedelta(days=7)),
                "deliverable": "培训记录",
                "weight": "2",
            },
            {
                "code": "T3",
                "title": "录播教室与智慧教室建设",
                "owner": "信息中心",
                "starts_on": day(base + dt.timedelta(days=20)),
                "due_on": day(today + dt.timedelta(days=120)),
                "deliverable": "验收报告",
                "weight": "3",
            },
            {
                "code": "T4",
                "title": "智慧课堂应用推广与案例征集",
                "owner": "教科室",
                "starts_on": day(today + dt.timedelta(days=30)),
                "due_on": day(today + dt.timedelta(days=300)),
                "deliverable": "典型案例集",
                "weight": "2",
            },
        ],
    }


@transaction.atomic
def load_demo(*, programme: Any, office: Any, password: str) -> dict[str, Any]:
    """``password`` is unused (no new accounts); kept for the loader's common signature."""
    from shidian.apps.accounts.models import User

    if Plan.objects.filter(programme=programme).exists():  # scoping: ok demo
        return {"plans": 0, "created": False}
    batch = programme.cycles.order_by("number").first()
    if batch is None:
        return {"plans": 0, "created": False}
    today = timezone.localdate()
    first = dt.date(programme.start_year, 1, 1)
    last = dt.date(programme.end_year, 12, 31)
    base = max(first, today - dt.timedelta(days=120))
    try:
        plan_round_open(
            programme=programme,
            batch=batch,
            user=None,
            deadline=timezone.now() + dt.timedelta(days=14),
            name=f"请第{batch.number}批试点提交创建方案",
        )
    except ValidationError:  # no pilot in batch 1 yet: nothing to show
        return {"plans": 0, "created": False}
    school = User.objects.filter(username="school").first()  # scoping: ok demo
    plans = list(
        Plan.objects.filter(programme=programme).select_related("unit").order_by("unit__code")
    )  # scoping: ok demo
    late_unit = (
        school.unit_id
        if school and school.unit_id in {p.unit_id for p in plans}
        else plans[0].unit_id
    )
    answers = _answers(base, today, last)
    for index, plan in enumerate(plans):
        sub = current_filing(plan).submission
        plan_save(plan=plan, user=None, answers=answers, base_version=sub.version)
        plan_submit(plan=plan, user=None)
        plan_approve(plan=plan, user=office, weighting="weight")
        PlanVersion.objects.filter(plan=plan).update(effective_on=base)  # scoping: ok demo
        on = min(today, base + dt.timedelta(days=25))
        task_update_record(
            plan=plan, user=None, task_code="T1", status="done", upload=_pdf("实施细则.pdf"), on=on
        )
        if index % 2 and plan.unit_id != late_unit:  # half the pilots are ahead of schedule
            task_update_record(
                plan=plan,
                user=None,
                task_code="T3",
                status="done",
                upload=_pdf("验收报告.pdf"),
                on=today,
            )
        else:
            task_update_record(plan=plan, user=None, task_code="T3", status="on_track", on=today)
        if plan.unit_id != late_unit:
            task_update_record(
                plan=plan,
                user=None,
                task_code="T2",
                status="done",
                upload=_pdf("培训记录.pdf"),
                on=today,
            )
        else:
            task_update_record(plan=plan, user=None, task_code="T2", status="on_track", on=on)
        goal_update_record(plan=plan, user=None, goal_code="G1", value="75", on=today)
    return {"plans": len(plans), "created": True}
