"""Helpers shared by the engine commands: reports as tables or JSON, progress bars, output files.

Engine commands follow one pattern: read the input with ``shidian.engine.tables.read_table``,
call a pure engine function, write the output with ``write_output``, then ``emit_report``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shidian.engine.errors import EngineInputError
from shidian.engine.tables import require_columns, text_column, write_table

console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)


def to_jsonable(value: Any) -> Any:
    """Convert dataclasses, NumPy and pandas values to plain JSON; NaN/inf become None."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return to_jsonable(value.to_dict(orient="records"))
    if isinstance(value, pd.Series):
        return to_jsonable(value.to_list())
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def emit_json(report: Any, path: str | Path | None = None) -> None:
    text = json.dumps(to_jsonable(report), ensure_ascii=False, indent=2, allow_nan=False)
    if path and str(path) != "-":
        Path(path).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    highlight_rows: set[int] | None = None,
) -> None:
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(str(column))
    for index, row in enumerate(rows):
        cells = ["" if c is None else (f"{c:.4g}" if isinstance(c, float) else str(c)) for c in row]
        style = "bold yellow" if highlight_rows and index in highlight_rows else None
        table.add_row(*cells, style=style)
    console.print(table)


def write_output(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write the result table; refuses NaN in the output (blank cells instead)."""
    frame = frame.astype(object).where(pd.notna(frame), None)
    return write_table(frame, path)


@contextmanager
def progress(description: str, total: int | None, *, enabled: bool = True) -> Iterator[Any]:
    """A progress bar on stderr; ``advance(n)`` moves it. Disabled for --json or tiny inputs."""
    if not enabled:
        yield lambda n=1: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def pick_id_column(frame: pd.DataFrame, requested: str | None) -> str:
    """The id column: the one asked for (it must exist), else "id", else the first column.

    The column is turned into text in ``frame``: ids are codes ("0012"), never numbers.
    """
    if requested:
        require_columns(frame, [requested])
        column = requested
    else:
        column = "id" if "id" in frame.columns else str(frame.columns[0])
    frame[column] = text_column(frame[column])
    return column


def given(*columns: str | None) -> list[str]:
    """The column options that were given, for ``read_table(text_columns=...)``."""
    return [c for c in columns if c]


def split_list(value: str | None) -> list[str]:
    """Parse a comma-separated option (either ASCII or full-width commas)."""
    if not value:
        return []
    return [item.strip() for item in value.replace("，", ",").split(",") if item.strip()]


def parse_int_list(value: str | None, *, option: str) -> list[int]:
    items = split_list(value)
    try:
        return [int(item) for item in items]
    except ValueError as exc:
        raise EngineInputError(
            f"{option}: '{value}' must be whole numbers separated by commas."
        ) from exc
