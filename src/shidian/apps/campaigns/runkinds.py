"""The campaigns' Run kind: a dashboard table of a very large campaign, exported in the
background with the starter's rights and language."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.runs.errors import RunError
from shidian.apps.runs.registry import run_kind
from shidian.apps.runs.services import run_attach_file

EXPORT_KIND = "campaigns.export"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _result(run: Any) -> str:
    return _("已导出 %(rows)d 份填报表的数据。") % {"rows": run.result.get("sheets", 0)}


@run_kind(EXPORT_KIND, label=gettext_lazy("导出自查数据"), describe_result=_result)
def export(run: Any, progress: Any) -> dict[str, Any]:
    from shidian.apps.campaigns import export_tables, selectors

    user, table = run.created_by, run.params.get("table", "")
    if user is None or table not in export_tables.TABLES:
        raise RunError("not_found")
    try:
        campaign = selectors.campaign_for(user=user, campaign_id=run.params.get("campaign_id"))
    except Http404 as exc:
        raise RunError("not_found") from exc
    if table != "gaps" and not selectors.follows(user=user):
        raise RunError("not_found")
    sheets = selectors.sheets_for(user=user, campaign=campaign)
    count = sheets.count()
    progress(0, 2, gettext_lazy("正在汇总数据"), force=True)
    data = export_tables.export_table(campaign=campaign, sheets=sheets, table=table, user=user)
    progress(1, 2, gettext_lazy("正在保存 Excel"))
    run_attach_file(
        run=run,
        name=export_tables.export_filename(campaign, table),
        data=data,
        content_type=XLSX,
    )
    return {"sheets": count, "table": table}
