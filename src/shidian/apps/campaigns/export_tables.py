"""The dashboard tables as XLSX files: built here for the page (a small campaign, at once) and
for the "campaigns.export" Run (a large one, in the background, see runkinds.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from shidian.apps.campaigns import exports, selectors
from shidian.apps.campaigns.localtime import local_text, zone_label
from shidian.apps.campaigns.models import SheetStatus
from shidian.apps.orgs.models import SchoolType

TABLES = ("ranking", "completeness", "type", "zone", "weakest", "gaps")


def export_table(*, campaign: Any, sheets: Any, table: str, user: Any) -> bytes:
    """One dashboard table (``sheets`` already scoped to ``user``) as an XLSX file; Http404
    for a table name that does not exist."""
    labels = dict(SchoolType.choices)
    statuses = dict(SheetStatus.choices)
    extra: list[tuple[str, list[str], list[list]]] = []
    zone = zone_label()
    if table == "ranking":
        dimensions = campaign.version.as_standard().dimensions
        headers = [
            _("名次"),
            _("代码"),
            _("单位"),
            _("学校类型"),
            _("片区"),
            _("状态"),
            _("自评总分"),
            _("一票否决"),
        ] + [d.name for d in dimensions]
        rows = [
            [
                r["rank"],
                r["unit__code"],
                r["unit__name"],
                str(labels.get(r["unit__school_type"], "")),
                r["unit__zone__name"] or "",
                str(statuses[r["status"]]),
                r["total"],
                _("是") if r["vetoed"] else "",
            ]
            + [r["dimension_scores"].get(d.code, 0) for d in dimensions]
            for r in selectors.ranking(sheets=sheets, limit=None)
        ]
        # Units not yet submitted are listed apart, without a rank.
        extra.append(
            (
                _("未提交（不参加排名）"),
                [
                    _("代码"),
                    _("单位"),
                    _("学校类型"),
                    _("片区"),
                    _("状态"),
                    _("已填要点"),
                    _("更新时间（%(zone)s）") % {"zone": zone},
                ],
                [
                    [
                        r["unit__code"],
                        r["unit__name"],
                        str(labels.get(r["unit__school_type"], "")),
                        r["unit__zone__name"] or "",
                        str(statuses[r["status"]]),
                        r["answered"],
                        local_text(r["updated_at"]) if r["status"] != "not_opened" else "",
                    ]
                    for r in selectors.unranked_rows(sheets=sheets)
                ],
            )
        )
    elif table == "completeness":
        headers = [
            _("代码"),
            _("单位"),
            _("学校类型"),
            _("状态"),
            _("已填要点"),
            # The page shows local time; the file says which zone it is in.
            _("提交时间（%(zone)s）") % {"zone": zone},
            _("更新时间（%(zone)s）") % {"zone": zone},
        ]
        rows = [
            [
                r["unit__code"],
                r["unit__name"],
                str(labels.get(r["unit__school_type"], "")),
                str(statuses[r["status"]]),
                r["answered"],
                local_text(r["submitted_at"]),
                local_text(r["updated_at"]) if r["status"] != "not_opened" else "",
            ]
            for r in sheets.order_by("status", "unit__code").values(
                "unit__code",
                "unit__name",
                "unit__school_type",
                "status",
                "answered",
                "submitted_at",
                "updated_at",
            )
        ]
    elif table in ("type", "zone"):
        headers = [_("分组"), _("单位数"), _("平均分"), _("最低分"), _("最高分")]
        rows = [
            [r["label"], r["n"], r["avg"], r["min"], r["max"]]
            for r in selectors.distribution(sheets=sheets, by=table)
        ]
    elif table == "weakest":
        # All submitted sheets first, then each school type on its own (a filter in Excel).
        groups = [{"label": _("全部类型"), "code": None}] + selectors.submitted_types(sheets=sheets)
        headers = [
            _("学校类型"),
            _("编号"),
            _("一级指标"),
            _("二级指标"),
            _("评分要点"),
            _("分值"),
            _("平均得分"),
            _("得分率"),
            _("单位数"),
        ]
        rows = [
            [
                str(group["label"]),
                r["code"],
                r["dimension"],
                r["indicator"],
                r["text"],
                r["max"],
                r["avg"],
                r["share"],
                r["n"],
            ]
            for group in groups
            for r in selectors.weakest_items(
                campaign=campaign, sheets=sheets, limit=10_000, school_type=group["code"]
            )
        ]
    elif table == "gaps":
        headers = [
            _("单位"),
            _("自评总分"),
            _("自评否决"),
            _("核定总分"),
            _("核定为否决的人数"),
            _("差距"),
            _("评审人数"),
        ]
        rows = [
            [
                r["unit"],
                r["self"],
                _("是") if r["self_vetoed"] else "",
                r["reviewed"],
                r["vetoes"] or "",
                r["gap"],
                r["reviews"],
            ]
            for r in selectors.gap_summary(sheets=sheets, user=user)
        ]
    else:
        raise Http404
    return exports.table_xlsx(table, [str(h) for h in headers], rows, extra=extra)


def export_filename(campaign: Any, table: str) -> str:
    return f"campaign-{campaign.pk}-{table}.xlsx"
