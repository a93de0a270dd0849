"""Read an uploaded standard file (XLSX or YAML) by its name: the one entry for the web page
and ``shidian standard import``, so both refuse the same files with the same problems."""

from __future__ import annotations

from pathlib import Path

from shidian.engine.scoring import xlsx
from shidian.engine.scoring.formats import ParseResult, load_yaml
from shidian.engine.scoring.messages import problem
from shidian.fileguard import PackageRejected, open_package

MAX_STANDARD_BYTES = 10 * 1024 * 1024
MAX_STANDARD_UNCOMPRESSED = 100 * 1024 * 1024
MAX_STANDARD_RATIO = 150


def read_standard(*, name: str, data: bytes) -> ParseResult:
    """Parse ``data`` as the file ``name``; every problem names its row (none raise)."""
    suffix = Path(name).suffix.lower()
    if len(data) > MAX_STANDARD_BYTES:
        return None, [problem("too_large", limit_mb=MAX_STANDARD_BYTES // (1024 * 1024))], {}
    if suffix in {".yaml", ".yml"}:
        return load_yaml(data)
    if suffix != ".xlsx":
        return None, [problem("bad_type")], {}
    try:  # zip bombs are refused before openpyxl inflates any part
        open_package(
            data, max_uncompressed=MAX_STANDARD_UNCOMPRESSED, max_ratio=MAX_STANDARD_RATIO
        ).close()
    except PackageRejected as exc:
        return None, [problem("bad_file", detail=f"rejected package: {exc.code}")], {}
    return xlsx.read_xlsx(data, default_code=Path(name).stem)
