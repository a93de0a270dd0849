"""Demo data: the commendation list of the demo programme's passed pilots, approved by the
leading group, its notice (通报表彰) generated through the documents app as approval does in
the real flow: the .docx at once, the PDF queued as a run for the task worker.

The units that passed outright are 先进单位; one team and one person of the first of them
complete the list. Through today's services only. Idempotent: a second run finds the list.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

TITLE = "{year}年试点工作先进集体和先进个人表彰"


def _leader(programme: Any) -> Any:
    from shidian.apps.accounts.models import User

    return (
        User.objects.filter(  # scoping: ok demo set-up
            role="leading_group", unit=programme.unit, is_active=True
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def load_demo(*, programme: Any, office: Any, password: str = "") -> dict[str, Any]:
    """``password`` is accepted for the demo loaders' common signature; no accounts are added."""
    from shidian.apps.commendations import services
    from shidian.apps.commendations.models import Commendation
    from shidian.apps.programmes.models import Participation

    if programme is None:
        return {"commendation": None, "created": False}
    title = TITLE.format(year=timezone.localdate().year)
    found = Commendation.objects.filter(programme=programme, title=title).first()  # scoping: ok
    if found is not None:
        return {"commendation": found, "created": False}
    passed = list(
        Participation.objects.filter(  # scoping: ok demo set-up
            programme=programme, state="accepted"
        )
        .select_related("unit")
        .order_by("unit__code")
    )
    leader = _leader(programme)
    if not passed or leader is None:
        return {"commendation": None, "created": False}
    commendation = services.commendation_create(by=office, programme=programme, title=title)
    for p in passed:
        services.nomination_add(
            by=office,
            commendation=commendation,
            category="unit",
            unit=p.unit,
            reason=f"{p.unit.name}通过第一批试点验收，创建成效突出，经验可复制可推广。",
        )
    first = passed[0].unit
    services.nomination_add(
        by=office,
        commendation=commendation,
        category="team",
        unit=first,
        name="课程改革教研团队",
        reason="牵头开发校本课程 12 门，形成可推广的课堂教学模式。",
    )
    services.nomination_add(
        by=office,
        commendation=commendation,
        category="person",
        unit=first,
        name="周明",
        role="教务处主任",
        reason="统筹试点创建各项任务，组织校际教研 30 余次。",
    )
    services.commendation_submit(by=office, commendation=commendation)
    document = services.commendation_approve(
        by=leader, commendation=commendation, comment="同意表彰，以局文件印发。"
    )
    commendation.refresh_from_db()
    return {"commendation": commendation, "document": document, "created": True}
