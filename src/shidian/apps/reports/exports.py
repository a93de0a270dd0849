"""XLSX of the completeness table of a period and of the consistency matrix. Unit codes are
written as text cells, so leading zeros survive and Excel never turns them into numbers."""

from __future__ import annotations

import io

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.campaigns.exports import table_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def status_labels() -> dict[str, str]:
    return {
        "on_time": _("按时"),
        "late": _("逾期报送"),
        "missing": _("缺报"),
        "pending": _("未到期"),
        "": "",
    }


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def period_table_xlsx(table, *, status_names: dict[str, str] | None = None) -> bytes:
    labels = status_labels()
    names = status_names or {}
    headers = [_("单位代码"), _("单位名称"), _("片区"), _("报送情况"), _("状态"), _("首次报送时间")]
    rows = [
        [
            str(r.code),
            r.name,
            r.zone,
            labels[r.status],
            str(names.get(r.submission_status, "")),
            _when(r.first_submitted_at),
        ]
        for r in table.rows
    ]
    summary = [[labels[k], v] for k, v in table.counts.items()]
    return table_xlsx(
        table.period.label,
        headers,
        rows,
        extra=[(_("汇总"), [_("报送情况"), _("单位数")], summary)],
    )


def consistency_xlsx(matrix) -> bytes:
    labels = status_labels()
    headers = [
        _("单位代码"),
        _("单位名称"),
        *[p.label for p in matrix.periods],
        _("应报"),
        _("已报"),
    ]
    rows = [
        [str(r.unit.code), r.unit.name, *[labels[c] for c in r.cells], r.due, r.reported]
        for r in matrix.rows
    ]
    return table_xlsx(_("连续报送"), headers, rows)


def xlsx_response(name: str, data: bytes) -> FileResponse:
    filename = f"{name}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=XLSX)
