"""The commendation notice (关于表彰……的通报), made from the approved list through the
documents app: the commended by category in the body and as the attachment table, a number
from the unit's prefix, the PDF by the documents' PDF run. Always Chinese.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation

from shidian.apps.commendations.models import Category, Commendation, NominationStatus

COLUMNS = ["序号", "类别", "名称或姓名", "所在单位", "职务"]
WIDTHS = [14, 24, 44, 50, 24]  # mm, the 156 mm text block
MEASURE = {Category.UNIT: "个", Category.TEAM: "个", Category.PERSON: "名"}
LABELS = {Category.UNIT: "先进单位", Category.TEAM: "优秀团队", Category.PERSON: "先进个人"}
ORDER = [Category.UNIT, Category.TEAM, Category.PERSON]


def commended(commendation: Commendation) -> dict[str, list[Any]]:
    """The included nominations by category, in the notice's order."""
    rows = commendation.nominations.filter(status=NominationStatus.INCLUDED).select_related("unit")
    found: dict[str, list[Any]] = {c: [] for c in ORDER}
    for n in rows.order_by("unit__code", "name", "pk"):
        found[n.category].append(n)
    return {c: found[c] for c in ORDER if found[c]}


def _label(n: Any) -> str:
    if n.category == Category.UNIT:
        return n.unit.name
    if n.category == Category.PERSON:
        return f"{n.name}（{n.unit.name}{n.role}）"
    return f"{n.unit.name}{n.name}"


def notice_data(commendation: Commendation, *, today: Any) -> dict[str, Any]:
    from shidian.apps.documents.generate_forms import form_defaults
    from shidian.apps.documents.models import Kind
    from shidian.docgen.plaintext import table_block

    programme = commendation.programme
    defaults = form_defaults(Kind.COMMENDATION, unit=programme.unit, today=today)
    groups = commended(commendation)
    kinds = "、".join(LABELS[c] for c in groups)
    counts = "、".join(f"{len(rows)}{MEASURE[c]}{LABELS[c]}" for c, rows in groups.items())
    body: list[Any] = [
        f"{programme.name}实施以来，各试点单位认真落实创建任务，涌现出一批成效突出的先进典型。"
        f"经各单位推荐、项目办公室审核、领导小组审定，决定对{counts}予以通报表彰（名单见附件）。",
    ]
    for category, rows in groups.items():
        body.append(
            {
                "heading": f"{LABELS[category]}（{len(rows)}{MEASURE[category]}）",
                "level": 1,
                "text": "、".join(_label(n) for n in rows) + "。",
            }
        )
    body.append(
        "希望受到表彰的单位和个人珍惜荣誉，再接再厉，在试点成果推广中发挥示范引领作用。"
        "各单位要以先进为榜样，总结推广试点经验，推动试点工作取得新成效。"
    )
    table = [COLUMNS]
    i = 0
    for category, rows in groups.items():
        for n in rows:
            i += 1
            name = n.unit.name if category == Category.UNIT else n.name
            table.append([str(i), LABELS[category], name, n.unit.name, n.role])
    attachment = table_block(table)
    attachment["table"]["widths"] = WIDTHS
    return {
        "issuer": defaults["issuer"],
        "title": f"关于表彰{programme.name}{kinds}的通报",
        "addressees": defaults["addressees"],
        "body": body,
        "attachments": [{"title": f"{programme.name}表彰名单", "body": [attachment]}],
        "date": today.isoformat(),
        "seal": True,
        "record": True,
        "note": "此件公开发布",
        "printer": f"{defaults['issuer']}办公室",
    }


def notice_generate(*, by: Any, commendation: Commendation) -> Any:
    """Generate the notice of the approved list (call inside the approval's transaction)."""
    from shidian.apps.documents.models import DocumentTemplate, Kind
    from shidian.apps.documents.selectors import number_prefix_for
    from shidian.apps.documents.services import document_generate

    unit = commendation.programme.unit
    template = (
        DocumentTemplate.objects.filter(  # scoping: ok the programme unit's own templates
            unit=unit, kind=Kind.COMMENDATION, current__isnull=False
        )
        .order_by("pk")
        .first()
    )
    with translation.override("zh-hans"):
        data = notice_data(commendation, today=timezone.localdate())
    document = document_generate(
        unit=unit,
        user=by,
        kind=Kind.COMMENDATION,
        data=data,
        template_version=template.current if template else None,
        prefix=number_prefix_for(unit),
        about={"programme": commendation.programme, "cycle": None, "subject_unit": None},
    )
    commendation.notice = document
    commendation.save(update_fields=["notice", "updated_at"])
    return document
