"""Every table of every step as an XLSX download: unit codes are written as text, so leading
zeros survive, and the column names of an engine step's input are the ones its ``shidian``
command reads (``id``, ``score``, ``unit``, ``expert`` ...), so a downloaded table goes back to
the command line unchanged."""

from __future__ import annotations

from django.http import FileResponse
from django.utils import timezone

from shidian.apps.campaigns.exports import table_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    name: str,
    headers: list[str],
    rows: list[list],
    *,
    extra: list[tuple[str, list[str], list[list]]] = (),
) -> FileResponse:
    """An attachment ``<name>-<date>.xlsx`` with ``rows`` on the first sheet (titled ``name``)
    and each of ``extra`` (title, headers, rows) after it."""
    import io

    data = table_xlsx(name, headers, rows, extra=list(extra))
    filename = f"{name}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=XLSX)
