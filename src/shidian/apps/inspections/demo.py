"""Demo data: a completed inspection visit of the demo programme's batch-1 pilots with findings
and rectification items in every state; the demo ``school`` account's school has one to answer.
Idempotent: a second run finds the visit and does nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

DEMO_TITLE = "第一次督查指导（批次一试点学校）"
# A valid 1x1 PNG: the demo's evidence photo.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8"
    "ffff3f0005fe02fea7d6a4e30000000049454e44ae426082"
)


def _photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PIXEL, content_type="image/png")


@transaction.atomic
def load_demo(*, programme: Any, office: Any, password: str = "") -> dict[str, Any]:
    """``password`` is accepted for the demo loaders' common signature; no accounts are added."""
    from shidian.apps.accounts.models import User
    from shidian.apps.inspections.models import InspectionVisit
    from shidian.apps.inspections.services import rectification as r
    from shidian.apps.inspections.services import visits as v

    existing = InspectionVisit.objects.filter(  # scoping: ok demo
        programme=programme, title=DEMO_TITLE
    ).first()
    if existing is not None:
        return {"visit": existing, "created": False}
    pilots = [u for u in v.population(programme, cycle_number=1)]
    if len(pilots) < 2:
        return {"visit": None, "created": False}
    school_account = User.objects.filter(username="school").first()  # scoping: ok demo
    first = next((u for u in pilots if school_account and u.pk == school_account.unit_id), None)
    others = [u for u in pilots if u != first]
    first = first or others.pop(0)
    today = timezone.localdate()
    visit = v.visit_create(
        by=office,
        programme=programme,
        title=DEMO_TITLE,
        scheduled_on=today - dt.timedelta(days=21),
        method="direct",
        inspectors=[office],
        units=[first, *others],
    )
    visit = v.visit_start(by=office, visit=visit)
    shared = v.finding_add(
        by=office,
        visit=visit,
        text="录播教室设备闲置，近一学期使用记录不足 10 次；教师应用培训未形成台账。",
        units=[first, others[0]],
        severity="major",
        photos=[_photo("录播教室.png")],
    )
    single = v.finding_add(
        by=office,
        visit=visit,
        text="校园网出口带宽不足，高峰时段课堂视频卡顿。",
        units=others[1:3] or others[:1],
        severity="normal",
    )
    v.finding_add(
        by=office,
        visit=visit,
        text="智慧课堂常态化应用好，可在片区推广。",
        units=[first],
        needs_action=False,
        severity="minor",
    )
    items = v.finding_to_items(
        by=office,
        finding=shared,
        due_on=today + dt.timedelta(days=14),
        title="提高录播教室使用率并建立培训台账",
        evidence_required="录播教室使用登记表、教师培训签到表和照片",
    )
    more = v.finding_to_items(
        by=office,
        finding=single,
        due_on=today - dt.timedelta(days=3),
        title="扩容校园网出口带宽",
        evidence_required="运营商扩容合同或测速截图",
    )
    visit = v.visit_complete(by=office, visit=visit)
    # States for the demo: the school account's item waits for its answer; the other school
    # of the shared finding answered and waits for the office; one bandwidth item was closed,
    # another is overdue and escalated.
    system = None
    answered = next(i for i in items if i.unit_id != first.pk)
    r.item_answer(
        by=system,
        item=answered,
        text="已制定使用排课表，完成两轮培训。",
        files=[_photo("台账.png")],
    )
    if len(more) > 1:
        r.item_answer(
            by=system, item=more[0], text="已完成扩容至 1000M。", files=[_photo("测速.png")]
        )
        r.item_verify_close(by=office, item=more[0], note="测速截图符合要求")
    r.items_escalate_overdue(today=today)
    mine = getattr(school_account, "unit", None)
    if mine is not None and mine.pk != first.pk and mine.path.startswith(programme.unit.path):
        # The demo school is not a batch-1 pilot: it still gets one item to answer.
        r.rectification_issue(
            by=office,
            unit=mine,
            title="补充提交智慧校园应用典型案例",
            due_on=today + dt.timedelta(days=21),
            programme=programme,
            evidence_required="案例文本及课堂照片",
        )
    return {"visit": visit, "created": True}
