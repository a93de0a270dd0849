"""The public notice of an approved selection (关于公布……试点学校名单的通知), made from the
programme's data and the latest approved version through the documents app: the pilots by
batch as the attachment table, a number from the unit's prefix, the PDF by the documents' PDF
run. Matched controls are not listed: they are internal to the evaluation (a control school
that knows it is one no longer is a fair comparison).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record
from shidian.apps.selection.models import Selection, SelectionStatus, SelectionVersion
from shidian.apps.selection.services.approval import latest_version
from shidian.apps.selection.services.selections import locked

CHINESE_DIGITS = "零一二三四五六七八九十"
COLUMNS = ["序号", "批次", "学校代码", "学校名称", "片区", "学校类型"]
# mm, adding up to the 156 mm text block: at the table's 4号 (≈ 4.9 mm a character, 3.8 mm of
# cell padding) every header, a 10-digit code and a ten-character school name stay on one line.
# The batch column says 第一批; its year is in the batch's paragraph of the body.
WIDTHS = [14, 19, 28, 52, 19, 24]
NAMES_IN_TEXT = 5  # a batch of more schools is named by its first ones "等N所"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 23 -> 二十三 (batch numbers)."""
    if 0 <= n <= 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_DIGITS[tens]
    return f"{head}十{CHINESE_DIGITS[ones] if ones else ''}"


def batch_label(number: int, year: int) -> str:
    return f"第{chinese_number(number)}批（{year}年）"


def _zone_name(unit: Any, county: Any) -> str:
    if unit.zone is None:
        return ""
    return unit.zone.name.removeprefix(county.name) or unit.zone.name


def _process(selection: Selection) -> str:
    """The steps the selection went through, as the notice names them."""
    parts = [f"学校自查赋分（{selection.round.name}）"]
    if selection.recommend and selection.recommendations.exists():
        parts.append("片区推荐")
    if selection.shortlist_id:
        parts.append("综合测算入围")
    if selection.assignments.exists():
        parts.append("专家评审")
    parts.append("领导小组审定")
    return "、".join(parts[:-1]) + "和" + parts[-1]


def _names(rows: list[dict[str, Any]]) -> str:
    names = [r["name"] for r in rows]
    if len(names) == 1:
        return names[0]
    if len(names) <= NAMES_IN_TEXT:
        return "、".join(names) + f"共{len(names)}所学校"
    return "、".join(names[:3]) + f"等{len(names)}所学校"


def notice_data(selection: Selection, version: SelectionVersion, *, today: Any) -> dict[str, Any]:
    """The document data (docs/documents.md) of the notice of ``version``; Chinese always."""
    from shidian.apps.documents.generate_forms import form_defaults
    from shidian.apps.documents.models import Kind
    from shidian.apps.orgs.models import OrgUnit
    from shidian.docgen.plaintext import table_block

    programme = selection.programme
    defaults = form_defaults(Kind.NOTICE, unit=programme.unit, today=today)
    issuer = defaults["issuer"]
    pilots = version.snapshot["pilots"]
    units = {
        u.pk: u
        for u in OrgUnit.objects.filter(  # scoping: ok the approved version's schools
            pk__in=[p["unit_id"] for p in pilots]
        ).select_related("zone")
    }
    batches: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for p in pilots:
        batches.setdefault((p["batch"], p["year"]), []).append(p)
    first = pilots[0]["name"]
    body: list[Any] = [
        f"按照{programme.name}工作安排，经{_process(selection)}，确定{first}等{len(pilots)}所学校"
        f"为{programme.name}试点学校，分{chinese_number(len(batches))}批开展创建（名单见附件）。"
        "现将有关事项通知如下。",
        {"heading": "下达创建任务", "level": 1},
    ]
    for (number, year), rows in sorted(batches.items()):
        body.append(
            {
                "heading": f"{batch_label(number, year)}。",
                "level": 2,
                "text": f"{_names(rows)}，于{year}年启动创建。各校对照创建标准制定学校创建方案和"
                "任务分解表，明确目标任务、责任人和完成时限，报项目办公室备案后组织实施，"
                f"于{programme.end_year}年底前完成创建任务并接受验收。",
            }
        )
    body.append({"heading": "工作要求", "level": 1})
    phases = list(programme.phases.order_by("order", "starts_on"))
    if phases:
        spans = "、".join(
            f"{p.name}（{p.starts_on.year}年{p.starts_on.month}月至"
            f"{p.ends_on.year}年{p.ends_on.month}月）"
            for p in phases
        )
        body.append(f"项目分{spans}{chinese_number(len(phases))}个阶段实施。")
    cadences = programme.cadence_labels()
    report = f"按照{'、'.join(cadences)}的要求" if cadences else "按时"
    body.append(
        f"各试点学校要{report}报送创建进展，{issuer}将定期通报各校创建情况，"
        "对进度滞后的学校进行督办。各片区（中心学校）要加强对试点学校的指导和督促。"
    )
    table = [COLUMNS] + [
        [
            str(i),
            f"第{chinese_number(p['batch'])}批",
            str(p["code"]),
            p["name"],
            _zone_name(units[p["unit_id"]], programme.unit) if p["unit_id"] in units else "",
            str(units[p["unit_id"]].get_school_type_display()) if p["unit_id"] in units else "",
        ]
        for i, p in enumerate(pilots, 1)
    ]
    attachment = table_block(table)
    attachment["table"]["widths"] = WIDTHS
    return {
        "issuer": issuer,
        "title": f"关于公布{programme.name}试点学校名单的通知",
        "addressees": defaults["addressees"],
        "body": body,
        "attachments": [{"title": f"{programme.name}试点学校名单", "body": [attachment]}],
        "date": today.isoformat(),
        "seal": True,
        "record": True,
        "note": "此件公开发布",
        "printer": f"{issuer}办公室",
    }


@transaction.atomic
def notice_generate(*, by: Any, selection: Selection) -> Any:
    """Generate the notice of the latest approved version (a new, numbered document each time)
    and point the selection at it. The PDF follows from the documents' PDF run."""
    from shidian.apps.documents.models import DocumentTemplate, Kind
    from shidian.apps.documents.selectors import number_prefix_for
    from shidian.apps.documents.services import document_generate

    require(by, MANAGE, selection)
    selection = locked(selection)
    version = latest_version(selection)
    if selection.status != SelectionStatus.APPROVED or version is None:
        raise ValidationError(_("遴选结果批准后才能生成公布通知。"))
    if not version.snapshot.get("pilots"):
        raise ValidationError(_("批准的名单中没有试点学校。"))
    unit = selection.programme.unit
    template = (
        DocumentTemplate.objects.filter(  # scoping: ok the programme unit's own templates
            unit=unit, kind=Kind.NOTICE, current__isnull=False
        )
        .order_by("pk")
        .first()
    )
    with translation.override("zh-hans"):  # the document is Chinese whatever the page is
        data = notice_data(selection, version, today=timezone.localdate())
    document = document_generate(
        unit=unit,
        user=by,
        kind=Kind.NOTICE,
        data=data,
        template_version=template.current if template else None,
        prefix=number_prefix_for(unit),
        about={"programme": selection.programme, "cycle": None, "subject_unit": None},
    )
    selection.notice = document
    selection.save(update_fields=["notice", "updated_at"])
    audit_record(
        actor=by,
        action="selection.notice",
        target=selection,
        unit=selection.programme.unit,
        summary=f"{document.number} v{version.number}",
    )
    return document
