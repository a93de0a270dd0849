"""The entry points of the bulk exchange, for the API and the page alike: read a file, import it
now (dry run or real) or start it as a Run, export a data set."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from shidian.apps.exchange import formats
from shidian.apps.exchange.services import reports, sheets
from shidian.apps.exchange.summary import STRATEGIES

RUN_KIND = "exchange.import"
INPUT_NAME = "input"


@dataclass(frozen=True)
class Dataset:
    name: str
    area: str  # the API scope's area
    columns: tuple[str, ...]
    export_columns: tuple[str, ...]
    importer: Callable[..., Any]
    label: Any


DATASETS = {
    "report-values": Dataset(
        "report-values",
        reports.AREA,
        reports.COLUMNS,
        reports.EXPORT_COLUMNS,
        reports.report_values_import,
        gettext_lazy("定期报告数据"),
    ),
    "sheet-answers": Dataset(
        "sheet-answers",
        sheets.AREA,
        sheets.COLUMNS,
        sheets.EXPORT_COLUMNS,
        sheets.sheet_answers_import,
        gettext_lazy("自查表填报数据"),
    ),
}


class ImportRefused(Exception):
    """The import cannot start as asked; ``message`` says why in the reader's language."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code, self.message = code, message


def read_file(*, dataset: Dataset, data: bytes, fmt: str) -> list[dict[str, Any]]:
    """The file's rows; FormatError when the file as a whole is unreadable or lacks a column."""
    rows = formats.read_rows(data, fmt)
    formats.require_columns(rows, dataset.columns)
    return rows


def exchange_import(
    *,
    user,
    dataset: Dataset,
    data: bytes,
    fmt: str,
    strategy: str,
    dry_run: bool,
    progress=None,
) -> dict[str, Any]:
    """Import (or, with ``dry_run``, only check) a file now; returns the summary."""
    if strategy not in STRATEGIES:
        raise ValueError(strategy)
    rows = read_file(dataset=dataset, data=data, fmt=fmt)
    summary = dataset.importer(
        user=user, rows=rows, strategy=strategy, dry_run=dry_run, progress=progress
    )
    return {"dataset": dataset.name, **summary.as_dict()}


@transaction.atomic
def exchange_import_start(
    *, user, dataset: Dataset, data: bytes, fmt: str, strategy: str, dry_run: bool
):
    """Start the import as a Run (its summary is the run's result). The file is read here
    first, so a wrong file is refused at once; the run keeps it as its input file."""
    from shidian.apps.runs.services import run_attach_file, run_start

    if strategy not in STRATEGIES:
        raise ValueError(strategy)
    if getattr(user, "unit", None) is None:
        # A run belongs to a unit (who may see it follows from it); an account without one
        # (a superuser) has none to give, and guessing one would show the run to strangers.
        raise ImportRefused(
            "no_unit", gettext("您的账号不属于任何单位，不能发起后台导入；请分批直接导入。")
        )
    read_file(dataset=dataset, data=data, fmt=fmt)
    run = run_start(
        RUN_KIND,
        by=user,
        unit=user.unit,
        params={
            "dataset": dataset.name,
            "area": dataset.area,
            "format": fmt,
            "strategy": strategy,
            "dry_run": dry_run,
        },
    )
    run_attach_file(
        run=run, name=f"{INPUT_NAME}.{fmt}", data=data, content_type="application/octet-stream"
    )
    return run


def exchange_export(*, user, dataset: Dataset, filters: dict[str, Any]) -> Iterator[dict]:
    if dataset.name == "report-values":
        return reports.report_values_export(user=user, **filters)
    return sheets.sheet_answers_export(user=user, **filters)


def export_bytes(*, dataset: Dataset, rows: Iterator[dict], fmt: str) -> bytes:
    if fmt == formats.CSV:
        return formats.write_csv(dataset.export_columns, rows)
    return formats.write_json(rows)
