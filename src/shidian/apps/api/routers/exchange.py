"""Bulk exchange (dataValueSets-style): export and import report values and sheet answers as
CSV, JSON or XLSX keyed by natural keys; a large import runs in the background as a Run that
the caller polls. The rules live in ``shidian.apps.exchange`` (docs/api.md, "Bulk exchange").

The import's body is the file itself (``Content-Type: text/csv`` / ``application/json`` /
the XLSX type), or a multipart form with a ``file`` field; the options are query parameters in
both cases. The ``file`` parameter gives the multipart part of the OpenAPI request body and
``import_body`` adds the raw media types, so the document describes all four.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.errors import ApiError
from shidian.apps.api.pagination import Text
from shidian.apps.api.routers.runs import run_error
from shidian.apps.exchange import formats
from shidian.apps.exchange.services import imports
from shidian.apps.runs.access import get_run_or_404

router = Router(tags=["exchange"])

MAX_BYTES = 64 * 1024 * 1024
MAX_ID = 2**31 - 1
Strategy = Literal["CREATE_AND_UPDATE", "CREATE", "UPDATE"]


class ImportParams(Schema):
    dry_run: bool = Field(False, alias="dryRun")
    strategy: Strategy = Field("CREATE_AND_UPDATE", alias="importStrategy")
    run_async: bool = Field(False, alias="async")
    format: Literal["csv", "json", "xlsx"] | None = None


class ExportBase(Schema):
    unit: Text | None = None
    format: Literal["json", "csv"] = "json"


class ReportExportParams(ExportBase):
    form: int | None = Field(None, ge=1, le=MAX_ID)
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class SheetExportParams(ExportBase):
    campaign: int | None = Field(None, ge=1, le=MAX_ID)


class RowOut(Schema):
    row: int
    outcome: str
    code: str
    message: str


class SummaryOut(Schema):
    dataset: str
    status: str
    dry_run: bool
    strategy: str
    total: int
    counts: dict[str, int]
    rows: list[RowOut]
    rows_not_listed: int


class RunStarted(Schema):
    run: int
    status: str
    poll: str


class RunOut(Schema):
    id: int
    status: str
    dataset: str
    created_at: str
    finished_at: str | None
    progress_done: int
    progress_total: int
    summary: dict | None
    error: dict | None


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_body(columns: tuple[str, ...]) -> dict:
    """The raw-file media types of the import's request body (openapi_extra; ninja writes the
    multipart one from the ``file`` parameter): a CSV text, JSON rows, an XLSX workbook."""
    row = {
        "type": "object",
        # A form or campaign id may come as a number, a value as a number or a text.
        "properties": {
            name: {"anyOf": [{"type": "string"}, {"type": "number"}]} for name in columns
        },
        "required": list(columns),
    }
    rows = {"type": "array", "items": row}
    return {
        "requestBody": {
            "content": {
                "multipart/form-data": {"schema": {"required": ["file"]}},
                "text/csv": {
                    "schema": {
                        "type": "string",
                        "description": "A header line (" + ",".join(columns) + "), then rows.",
                    }
                },
                "application/json": {
                    "schema": {
                        "oneOf": [
                            rows,
                            {
                                "type": "object",
                                "properties": {"values": rows},
                                "required": ["values"],
                            },
                        ]
                    }
                },
                XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
            }
        }
    }


def _upload(request: HttpRequest, file: UploadedFile | None) -> tuple[bytes, str, str]:
    """(data, content type, file name) of the import's file."""
    if request.content_type == "multipart/form-data":
        sent = file
        if sent is None:
            raise ApiError(422, "bad_file", _("请在 file 字段中上传文件。"))
        if sent.size > MAX_BYTES:
            raise ApiError(413, "too_large", _("文件过大，请分批导入。"))
        return sent.read(), sent.content_type or "", sent.name or ""
    # Read from the stream, not request.body: an import is larger than a form post may be.
    data = request.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ApiError(413, "too_large", _("文件过大，请分批导入。"))
    return data, request.content_type or "", ""


def _import(request: HttpRequest, name: str, params: ImportParams, file: UploadedFile | None):
    dataset = imports.DATASETS[name]
    user = need(request, dataset.area, scopes.WRITE)
    data, content_type, filename = _upload(request, file)
    fmt = formats.detect(
        data=data, content_type=content_type, filename=filename, given=params.format or ""
    )
    try:
        if params.run_async:
            run = imports.exchange_import_start(
                user=user,
                dataset=dataset,
                data=data,
                fmt=fmt,
                strategy=params.strategy,
                dry_run=params.dry_run,
            )
            poll = reverse("api-v1:exchange_run", kwargs={"run_id": run.pk})
            return Status(202, {"run": run.pk, "status": run.status, "poll": poll})
        summary = imports.exchange_import(
            user=user,
            dataset=dataset,
            data=data,
            fmt=fmt,
            strategy=params.strategy,
            dry_run=params.dry_run,
        )
        return Status(200, summary)
    except (formats.FormatError, imports.ImportRefused) as exc:
        raise ApiError(422, exc.code, exc.message) from exc


def _export(request: HttpRequest, name: str, fmt: str, filters: dict) -> HttpResponse:
    dataset = imports.DATASETS[name]
    user = need(request, dataset.area)
    rows = imports.exchange_export(user=user, dataset=dataset, filters=filters)
    data = imports.export_bytes(dataset=dataset, rows=rows, fmt=fmt)
    if fmt == formats.CSV:
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return HttpResponse(data, content_type="application/json")


IMPORT_RESPONSES = {200: SummaryOut, 202: RunStarted}


@router.get("/exchange/report-values", url_name="exchange_report_values")
def report_values_export(request: HttpRequest, params: Query[ReportExportParams]):
    """Report values of the caller's units: unit, form, period, field, value, status."""
    filters = {
        "form_id": params.form,
        "start": params.start_date,
        "end": params.end_date,
        "unit_code": params.unit or "",
    }
    return _export(request, "report-values", params.format, filters)


@router.post(
    "/exchange/report-values",
    response=IMPORT_RESPONSES,
    url_name="exchange_report_values_import",
    openapi_extra=import_body(imports.DATASETS["report-values"].columns),
)
def report_values_import(
    request: HttpRequest, params: Query[ImportParams], file: File[UploadedFile] = None
):
    """Import report values (columns unit, form, period, field, value)."""
    return _import(request, "report-values", params, file)


@router.get("/exchange/sheet-answers", url_name="exchange_sheet_answers")
def sheet_answers_export(request: HttpRequest, params: Query[SheetExportParams]):
    """Sheet answers of the caller's units: unit, campaign, item, value, status."""
    filters = {"campaign_id": params.campaign, "unit_code": params.unit or ""}
    return _export(request, "sheet-answers", params.format, filters)


@router.post(
    "/exchange/sheet-answers",
    response=IMPORT_RESPONSES,
    url_name="exchange_sheet_answers_import",
    openapi_extra=import_body(imports.DATASETS["sheet-answers"].columns),
)
def sheet_answers_import(
    request: HttpRequest, params: Query[ImportParams], file: File[UploadedFile] = None
):
    """Import sheet answers (columns unit, campaign, item, value)."""
    return _import(request, "sheet-answers", params, file)


@router.get("/exchange/runs/{run_id}", response=RunOut, url_name="exchange_run")
def exchange_run(request: HttpRequest, run_id: int = Path(..., ge=1, le=MAX_ID)):
    """A background import: its status, progress and, when it ended, the summary."""
    run = get_run_or_404(request.user, run_id)
    if run.kind != imports.RUN_KIND:
        raise ApiError(404, "not_found", _("找不到该对象。"))
    need(request, run.params.get("area", ""))
    return {
        "id": run.pk,
        "status": run.status,
        "dataset": run.params.get("dataset", ""),
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "progress_done": run.progress_done,
        "progress_total": run.progress_total,
        "summary": run.result or None,
        "error": run_error(run),
    }
