"""The exchange's Run kind: a large import, in the background with the starter's rights and
language; its result is the import summary."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.exchange.formats import FormatError
from shidian.apps.exchange.services.imports import DATASETS, INPUT_NAME, RUN_KIND, exchange_import
from shidian.apps.runs.errors import RunError
from shidian.apps.runs.registry import run_kind


def _result(run: Any) -> str:
    counts = run.result.get("counts", {})
    text = _("导入完成：新增 %(imported)d，修改 %(updated)d，忽略 %(ignored)d，拒绝 %(rejected)d。")
    if run.result.get("dry_run"):
        text = _(
            "试导入完成（未写入）：可新增 %(imported)d，可修改 %(updated)d，"
            "忽略 %(ignored)d，拒绝 %(rejected)d。"
        )
    return text % {k: counts.get(k, 0) for k in ("imported", "updated", "ignored", "rejected")}


def _error(code: str, params: dict) -> str | None:
    if code == "bad_file":
        return params.get("message") or _("文件无法读取。")
    return None


@run_kind(
    RUN_KIND,
    label=gettext_lazy("批量导入数据"),
    describe_result=_result,
    describe_error=_error,
    # A retry would start without its input file (a retry clears the run's files); the caller
    # sends the file again, which is safe: an import done twice changes nothing the second time.
    retryable=False,
)
def import_file(run: Any, progress: Any) -> dict[str, Any]:
    """Read the run's input file and import it; the whole write is one transaction, so a
    failure or a cancel writes nothing and a retry starts clean (and finds nothing done)."""
    params = run.params
    dataset = DATASETS.get(params.get("dataset", ""))
    stored = run.files.filter(name__startswith=INPUT_NAME).first()
    if dataset is None or stored is None or run.created_by is None:
        raise RunError("not_found")
    with stored.file.open("rb") as handle:
        data = handle.read()
    progress(0, 0, gettext_lazy("正在核对数据"), force=True)

    def step(done: int, total: int) -> None:
        progress(done, total, gettext_lazy("正在导入数据"))

    try:
        return exchange_import(
            user=run.created_by,
            dataset=dataset,
            data=data,
            fmt=params.get("format", "csv"),
            strategy=params.get("strategy", ""),
            dry_run=bool(params.get("dry_run")),
            progress=step,
        )
    except FormatError as exc:
        raise RunError("bad_file", message=exc.message) from exc
