"""The organisation tree's Run kinds: applying a confirmed import, exporting a large list."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.core.scoping import scope_root
from shidian.apps.orgs.models import ImportBatch
from shidian.apps.runs.errors import RunError
from shidian.apps.runs.registry import run_kind
from shidian.apps.runs.services import run_attach_file

IMPORT = "orgs.import"
EXPORT = "orgs.export"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _import_error(code: str, params: dict) -> str | None:
    return {
        "already_applied": _("这个文件已经导入过了。"),
        "rows_rejected": _("还有被拒绝的行：请修改文件后重新上传。"),
        "plan_changed": _("预览之后数据已有变化，请核对更新后的预览再确认。"),
    }.get(code)


def _import_result(run: Any) -> str:
    counts = {k: run.result.get(k, 0) for k in ("created", "updated", "unchanged")}
    return _("导入完成：新建 %(created)d 个，修改 %(updated)d 个，未变 %(unchanged)d 个。") % counts


@run_kind(
    IMPORT,
    label=gettext_lazy("导入单位"),
    describe_error=_import_error,
    describe_result=_import_result,
    result_link=lambda run: (reverse("orgs:list"), gettext_lazy("查看单位")),
    # A failed apply may have stored a changed plan (the file's units changed meanwhile): the
    # person confirms that plan again on the review page, never through a blind retry.
    retryable=False,
)
def apply_import(run: Any, progress: Any) -> dict[str, int]:
    """The confirmed import, re-validated and written in one transaction (import_apply): a
    failure writes nothing, so a retry starts clean."""
    from shidian.apps.orgs.imports import UnitImportError, import_apply

    batch = ImportBatch.objects.filter(pk=run.params.get("batch_id")).first()  # scoping: ok
    if batch is None or run.created_by is None:
        raise RunError("not_found")
    progress(0, 0, gettext_lazy("正在核对并写入单位"), force=True)
    try:
        return import_apply(batch=batch, actor=run.created_by)
    except UnitImportError as exc:
        raise RunError(exc.code or "import_refused") from exc


def _export_result(run: Any) -> str:
    return _("已导出 %(rows)d 个单位。") % {"rows": run.result.get("rows", 0)}


@run_kind(EXPORT, label=gettext_lazy("导出单位"), describe_result=_export_result)
def export(run: Any, progress: Any) -> dict[str, int]:
    """The unit list with the filters the person chose, scoped to them, as an XLSX file."""
    from shidian.apps.orgs import selectors
    from shidian.apps.orgs.exporting import export_filename, export_units
    from shidian.apps.orgs.forms import UnitFilterForm

    user = run.created_by
    if user is None:
        raise RunError("not_found")
    form = UnitFilterForm(run.params.get("query") or None, user=user)
    units = selectors.unit_search(user=user, filters=form.filters())
    rows = [0]

    def written(done: int, total: int) -> None:
        rows[0] = done
        progress(done, total, gettext_lazy("正在写入 Excel"))

    data = export_units(units, progress=written)
    run_attach_file(run=run, name=export_filename(scope_root(user)), data=data, content_type=XLSX)
    return {"rows": rows[0]}
