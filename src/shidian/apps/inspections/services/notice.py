"""The rectification notice (整改通知书) to one school: its open items with due dates and the
evidence each needs, made through the documents app as an official notice (numbered from the
issuing unit's prefix; PDF by the documents' PDF run). Chinese always, whatever the page is.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record
from shidian.apps.inspections import states
from shidian.apps.inspections.models import RectificationItem

COLUMNS = ["序号", "整改事项", "严重程度", "整改期限", "须提交的佐证"]
WIDTHS = [14, 52, 20, 28, 42]
SEVERITY_ZH = {"minor": "轻微", "normal": "一般", "major": "严重"}


def notice_items(*, unit: Any, programme: Any = None, visit: Any = None) -> list[RectificationItem]:
    items = RectificationItem.objects.filter(  # scoping: ok the caller checks each item
        unit=unit, status__in=states.OPEN_STATES
    )
    if programme is not None:
        items = items.filter(programme=programme)
    if visit is not None:
        items = items.filter(finding__visit=visit)
    return list(items.order_by("due_on", "pk"))


def notice_data(
    *, unit: Any, issuer_unit: Any, items: list[RectificationItem], today: Any, visit: Any = None
) -> dict[str, Any]:
    from shidian.apps.documents.generate_forms import form_defaults
    from shidian.apps.documents.models import Kind
    from shidian.docgen.plaintext import table_block

    defaults = form_defaults(Kind.NOTICE, unit=issuer_unit, today=today)
    issuer = defaults["issuer"]
    where = (
        f"{visit.scheduled_on.year}年{visit.scheduled_on.month}月{visit.scheduled_on.day}日“{visit.title}”"
        if visit
        else "近期督查指导"
    )
    last = max(i.due_on for i in items)
    body: list[Any] = [
        f"{where}中，发现你校在创建工作中存在以下问题（见附件）。现将整改要求通知如下。",
        {"heading": "整改要求", "level": 1},
        f"请你校对照附件所列问题逐项整改，明确责任人，于各项整改期限前完成，最迟不晚于"
        f"{last.year}年{last.month}月{last.day}日。",
        "每项整改完成后，请在系统“整改事项”中填写整改情况并上传所列佐证材料，"
        f"由{issuer}核验销号；核验未通过的，须按意见重新整改。",
        {"heading": "督办", "level": 1},
        "逾期未完成整改的，系统将自动提醒并逐级督办，督办情况纳入创建工作通报。",
    ]
    table = [COLUMNS] + [
        [
            str(n),
            item.title,
            SEVERITY_ZH.get(item.severity, item.severity),
            item.due_on.isoformat(),
            item.evidence_required or "整改前后对比照片及说明",
        ]
        for n, item in enumerate(items, 1)
    ]
    attachment = table_block(table)
    attachment["table"]["widths"] = WIDTHS
    return {
        "issuer": issuer,
        "title": f"关于{unit.name}限期整改的通知",
        "addressees": unit.name,
        "body": body,
        "attachments": [{"title": f"{unit.name}整改事项清单", "body": [attachment]}],
        "date": today.isoformat(),
        "seal": True,
        "record": True,
        "printer": f"{issuer}办公室",
    }


@transaction.atomic
def rectification_notice_generate(
    *, by: Any, unit: Any, programme: Any = None, visit: Any = None
) -> Any:
    """A new numbered notice listing ``unit``'s open items (of a programme or one visit)."""
    from shidian.apps.documents.models import DocumentTemplate, Kind
    from shidian.apps.documents.selectors import number_prefix_for
    from shidian.apps.documents.services import document_generate

    items = notice_items(unit=unit, programme=programme, visit=visit)
    if not items:
        raise ValidationError(_("%(name)s没有未销号的整改事项。") % {"name": unit.name})
    for item in items:
        require(by, MANAGE, item)
    issuer_unit = items[0].issuer_unit
    template = (
        DocumentTemplate.objects.filter(  # scoping: ok the issuing unit's own templates
            unit=issuer_unit, kind=Kind.NOTICE, current__isnull=False
        )
        .order_by("pk")
        .first()
    )
    with translation.override("zh-hans"):
        data = notice_data(
            unit=unit, issuer_unit=issuer_unit, items=items, today=timezone.localdate(), visit=visit
        )
    document = document_generate(
        unit=issuer_unit,
        user=by,
        kind=Kind.NOTICE,
        data=data,
        template_version=template.current if template else None,
        prefix=number_prefix_for(issuer_unit),
        about={"programme": programme or items[0].programme, "cycle": None, "subject_unit": unit},
    )
    audit_record(
        actor=by,
        action="inspections.notice",
        target=document,
        unit=unit,
        summary=f"{document.number} {unit.name}",
        data={"items": [i.pk for i in items]},
    )
    return document
