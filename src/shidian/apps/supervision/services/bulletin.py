"""The monthly bulletin (月度通报) of a published league table, made through the documents app
(kind ``bulletin``): the overall figures, the ranking table, highlights (the top three and the
most improved against the batch's previous table), the bottom units with their 督办 items, and
what comes next. The .docx is made now; the PDF follows from the documents' PDF run. The
document is always Chinese, whatever the page's language.

The ranking of a large batch is written as consecutive tables of ``CHUNK`` rows (each with the
header repeated): python-docx looks rows up from the start of their table, so one 7,000-row
table costs quadratic time while chunks keep it linear.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record
from shidian.apps.supervision import months
from shidian.apps.supervision.models import (
    CaseLevel,
    LeagueRow,
    LeagueTable,
    SupervisionCase,
    TableStatus,
)

CHUNK = 300
# A batch up to FULL_LIMIT units is ranked in full; a larger one lists the first and last
# PART_LIMIT units and a summary per zone (片区), and the 督办 list keeps its SUPERVISED_LIMIT
# most serious items with a count of the rest: a 150-page bulletin is read by nobody, and
# docgen bounds a document's rendering time (the full ranking stays on the league page).
FULL_LIMIT = 300
PART_LIMIT = 50
SUPERVISED_LIMIT = 100
ZONE_COLUMNS = ["片区", "学校数", "平均得分", "A级", "B级", "C级", "D级", "滞后"]
ZONE_WIDTHS = [40, 16, 20, 16, 16, 16, 16, 16]
SEVERITY = {"red": 0, "warning": 1, "notice": 2, "made_up": 3, "none": 4}
COLUMNS = ["名次", "学校名称", "计划完成率", "报送及时率", "指标进展", "综合得分", "等级"]
WIDTHS = [12, 44, 22, 22, 22, 18, 16]  # mm, the 156 mm text block: "100.0%" on one line
BOTTOM_COLUMNS = ["名次", "学校名称", "综合得分", "督办等级", "督办事项"]
BOTTOM_WIDTHS = [14, 44, 18, 22, 58]
TOP = 3
CN_BATCH = "零一二三四五六七八九十"


def pct(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.1f}".removesuffix(".0") + "%"  # 100%, 62.5%


def num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _batch(cycle: Any) -> str:
    n = cycle.number
    return f"第{CN_BATCH[n]}批" if n <= 10 else f"第{n}批"


def previous_table(table: LeagueTable) -> LeagueTable | None:
    return (
        LeagueTable.objects.filter(  # scoping: ok the same programme and batch
            programme=table.programme_id, cycle=table.cycle_id, month__lt=table.month
        )
        .order_by("-month")
        .first()
    )


def highlights(table: LeagueTable, rows: list[LeagueRow]) -> dict[str, list[tuple[Any, ...]]]:
    """The top three by rank, and the three most improved (score up against the previous
    table of the batch; only rises count)."""
    ranked = [r for r in rows if r.rank is not None]
    top = ranked[:TOP]
    improved: list[tuple[LeagueRow, float]] = []
    before = previous_table(table)
    if before is not None:
        was = dict(before.rows.exclude(score=None).values_list("unit_id", "score"))
        deltas = [(r, r.score - was[r.unit_id]) for r in ranked if r.unit_id in was]
        improved = sorted(
            (d for d in deltas if d[1] > 0), key=lambda d: (-d[1], d[0].rank, d[0].unit.code)
        )[:TOP]
    return {"top": [(r,) for r in top], "improved": improved}


def bulletin_data(table: LeagueTable, *, today: Any) -> dict[str, Any]:
    """The document data (docs/documents.md) of ``table``'s bulletin."""
    from shidian.apps.documents.generate_forms import form_defaults
    from shidian.apps.documents.models import Kind

    programme = table.programme
    defaults = form_defaults(Kind.BULLETIN, unit=programme.unit, today=today)
    issuer = defaults["issuer"]
    label = months.label(table.month)
    rows = list(table.rows.select_related("unit", "unit__zone"))
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit.code))
    ranked = [r for r in rows if r.rank is not None]
    batch = _batch(table.cycle)
    scored = [r.score for r in ranked]
    mean = sum(scored) / len(scored) if scored else None
    grades = {g: sum(1 for r in ranked if r.grade == g) for g in "ABCD"}
    behind = sum(1 for r in rows if r.behind)
    weights = table.weights.get("weights", {})
    named = {
        "plan_rate": "计划完成率",
        "timeliness": "报送及时率",
        "completeness": "报送完整率",
        "goal_progress": "指标进展",
    }
    weight_text = "、".join(
        f"{named[k]}{round(100 * w / sum(weights.values()))}%"
        for k, w in weights.items()
        if w > 0 and k in named
    )
    bands = "、".join(f"{g}级{b:g}分以上" for g, b in table.weights.get("bands", []))
    body: list[Any] = [
        f"按照{programme.name}按月通报的要求，{issuer}对{batch}{len(rows)}所试点学校{label}"
        "创建工作进展进行了统计排名。现将有关情况通报如下。",
        {"heading": "总体情况", "level": 1},
        f"{label}，{batch}参加排名的试点学校{len(ranked)}所，平均综合得分{num(mean)}分；"
        f"A级{grades['A']}所、B级{grades['B']}所、C级{grades['C']}所、D级{grades['D']}所；"
        f"滞后于序时进度的{behind}所。"
        + (
            f"另有{len(rows) - len(ranked)}所学校暂无可计分的数据，未参加排名。"
            if len(rows) > len(ranked)
            else ""
        ),
        {"heading": "排名情况", "level": 1},
        f"综合得分按{weight_text}加权计算（缺少的项目不计入，其余权重按比例折算），"
        f"等级按分数段确定（{bands}，其余为D级）。"
        + (
            "各校排名见下表。"
            if len(rows) <= FULL_LIMIT
            else f"各片区情况和排名前{PART_LIMIT}名、后{PART_LIMIT}名的学校见下表，"
            "各校完整排名可在平台“月度排名”中查看。"
        ),
    ]
    listed = rows if len(rows) <= FULL_LIMIT else rows[:PART_LIMIT] + rows[-PART_LIMIT:]
    if len(rows) > FULL_LIMIT:
        body.append({"table": _zone_summary(rows, title=f"{batch}各片区{label}情况")})
    table_rows = [
        [
            str(r.rank) if r.rank is not None else "—",
            r.unit.name,
            pct(r.plan_rate),
            pct(r.timeliness),
            pct(r.goal_progress),
            num(r.score),
            r.grade or "—",
        ]
        for r in listed
    ]
    for i in range(0, len(table_rows), CHUNK):
        block: dict[str, Any] = {
            "columns": COLUMNS,
            "rows": table_rows[i : i + CHUNK],
            "widths": WIDTHS,
        }
        if i == 0:
            block["title"] = f"{batch}试点学校{label}排名"
        body.append({"table": block})
    light = highlights(table, rows)
    body.append({"heading": "工作亮点", "level": 1})
    if light["top"]:
        body.append(
            "综合得分排名前列的是"
            + "、".join(f"{r.unit.name}（{num(r.score)}分）" for (r,) in light["top"])
            + "。"
        )
    if light["improved"]:
        body.append(
            "较上月进步明显的是"
            + "、".join(f"{r.unit.name}（提高{d:.1f}分）" for r, d in light["improved"])
            + "。"
        )
    if not light["top"] and not light["improved"]:
        body.append("本月暂无可通报的亮点。")
    bottom = [r for r in rows if r.bottom or r.behind or r.overdue]
    bottom.sort(key=lambda r: (not r.bottom, -(r.rank or 0), r.unit.code))
    cases = {
        c.unit_id: c
        for c in SupervisionCase.objects.filter(  # scoping: ok the table's units
            programme=programme, unit_id__in=[r.unit_id for r in bottom]
        )
    }
    # The bottom units always, then the most serious levels (the sort is stable: worst rank
    # first within each).
    bottom.sort(
        key=lambda r: (
            not r.bottom,
            SEVERITY.get(cases[r.unit_id].level, 9) if r.unit_id in cases else 5,
        )
    )
    cut = len(bottom) - SUPERVISED_LIMIT
    bottom = bottom[:SUPERVISED_LIMIT]
    body.append({"heading": "末位及督办事项", "level": 1})
    if bottom:
        body.append(
            f"以下{len(bottom)}所学校排名末位或进度滞后，列入督办。请有关学校分析原因，"
            "制定整改措施，于下月5日前报项目办公室。"
        )
        body.append(
            {
                "table": {
                    "title": "督办学校名单",
                    "columns": BOTTOM_COLUMNS,
                    "widths": BOTTOM_WIDTHS,
                    "rows": [
                        [
                            str(r.rank) if r.rank is not None else "—",
                            r.unit.name,
                            num(r.score),
                            str(CaseLevel(cases[r.unit_id].level).label)
                            if r.unit_id in cases
                            else "—",
                            cases[r.unit_id].reason if r.unit_id in cases else _reason(r),
                        ]
                        for r in bottom
                    ],
                }
            }
        )
        if cut > 0:
            body.append(f"另有{cut}所学校列入督办（提醒），名单可在平台“督办事项”中查看。")
    else:
        body.append("本月没有排名末位或进度滞后需要督办的学校。")
    body += [
        {"heading": "下一步工作要求", "level": 1},
        "各试点学校要对照创建方案和任务分解表查漏补缺，按时报送调度数据；列入督办的学校要"
        "落实整改，连续两个月列入督办的予以预警，连续三个月或任务严重逾期的实行红牌督办。",
    ]
    return {
        "issuer": issuer,
        "title": f"关于{programme.name}{batch}试点学校{label}创建工作进展情况的通报",
        "addressees": defaults["addressees"],
        "body": body,
        "date": today.isoformat(),
        "seal": False,
        "printer": f"{issuer}办公室",
    }


def _zone_summary(rows: list[LeagueRow], *, title: str) -> dict[str, Any]:
    zones: dict[str, list[LeagueRow]] = {}
    for r in rows:
        zones.setdefault(r.unit.zone.name if r.unit.zone else "其他", []).append(r)
    out = []
    for name, members in sorted(zones.items()):
        scored = [r.score for r in members if r.score is not None]
        grades = [sum(1 for r in members if r.grade == g) for g in "ABCD"]
        out.append(
            [
                name,
                str(len(members)),
                num(sum(scored) / len(scored) if scored else None),
                *(str(g) for g in grades),
                str(sum(1 for r in members if r.behind)),
            ]
        )
    return {"title": title, "columns": ZONE_COLUMNS, "rows": out, "widths": ZONE_WIDTHS}


def _reason(row: LeagueRow) -> str:
    from shidian.apps.supervision.services.league import reason_of

    return reason_of(row)


@transaction.atomic
def bulletin_generate(*, table: LeagueTable, by: Any) -> Any:
    """Generate the bulletin of a published table (a new, numbered document each time) and
    point the table at it."""
    from shidian.apps.documents.models import DocumentTemplate, Kind
    from shidian.apps.documents.selectors import number_prefix_for
    from shidian.apps.documents.services import document_generate

    require(by, MANAGE, table)
    table = LeagueTable.objects.select_for_update().get(pk=table.pk)  # scoping: ok checked above
    if table.status != TableStatus.PUBLISHED:
        raise ValidationError(_("排名表发布后才能生成通报。"))
    if not table.rows.exists():
        raise ValidationError(_("这张排名表没有学校，不能生成通报。"))
    unit = table.programme.unit
    template = (
        DocumentTemplate.objects.filter(  # scoping: ok the programme unit's own templates
            unit=unit, kind=Kind.BULLETIN, current__isnull=False
        )
        .order_by("pk")
        .first()
    )
    with translation.override("zh-hans"):
        data = bulletin_data(table, today=timezone.localdate())
    document = document_generate(
        unit=unit,
        user=by,
        kind=Kind.BULLETIN,
        data=data,
        template_version=template.current if template else None,
        prefix=number_prefix_for(unit),
        about={"programme": table.programme, "cycle": table.cycle, "subject_unit": None},
    )
    table.bulletin = document
    table.save(update_fields=["bulletin"])
    audit_record(
        actor=by,
        action="supervision.bulletin",
        target=table,
        unit=unit,
        summary=f"{document.number} {table.month}",
    )
    return document
