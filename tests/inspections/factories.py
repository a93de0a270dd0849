"""An inspection world on the tracking world: a visit of county A's programme to tree.school
and tree.school2 with one finding covering both, turned into one item per school."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tests.conftest import make_user
from tests.tracking_world import pilot_world

DUE = dt.date(2026, 12, 31)


@dataclass
class InspectionWorld:
    pw: object
    visit: object
    finding: object
    items: list  # [item of tree.school, item of tree.school2]
    inspector: object


def inspector(tree):
    from shidian.apps.accounts.models import User

    found = User.objects.filter(username="insp-expert").first()  # scoping: ok test
    return found or make_user("insp-expert", tree.county, "expert", full_name="督查专家")


def world(tree) -> InspectionWorld:
    from shidian.apps.inspections.models import Finding, InspectionVisit, RectificationItem
    from shidian.apps.inspections.services.visits import finding_add, finding_to_items, visit_create

    pw = pilot_world(tree)
    who = inspector(tree)
    visit = InspectionVisit.objects.filter(
        programme=pw.programme, title="第一次督查"
    ).first()  # scoping: ok test
    if visit is None:
        visit = visit_create(
            by=pw.office,
            programme=pw.programme,
            title="第一次督查",
            scheduled_on=dt.date(2026, 10, 20),
            method="direct",
            inspectors=[who],
            units=[tree.school, tree.school2],
        )
        finding = finding_add(
            by=pw.office,
            visit=visit,
            text="机房设备老化，网络多次中断",
            units=[tree.school, tree.school2],
            severity="major",
        )
        finding_to_items(by=pw.office, finding=finding, due_on=DUE, evidence_required="整改后照片")
    finding = Finding.objects.filter(visit=visit).order_by("pk").first()  # scoping: ok test
    items = list(
        RectificationItem.objects.filter(finding=finding).order_by("unit__code")  # scoping: ok test
    )
    return InspectionWorld(pw=pw, visit=visit, finding=finding, items=items, inspector=who)
