"""Checks an uploaded Office file (XLSX, DOCX: ZIP packages) before any XML in it is parsed.

One place for the zip-bomb rule, used by the units import, the self-assessment workbook and
document templates. Django-free: the callers turn :class:`PackageRejected` into their own
message (translated, or an engine error with a code).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

ZIP_MAGIC = b"PK\x03\x04"
# A member is suspicious when it expands more than this and beyond 1 MiB: real Office parts
# (XML, images) stay well under it.
DEFAULT_MAX_RATIO = 150
DEFAULT_MAX_ENTRIES = 10_000


class PackageRejected(ValueError):
    """``code`` is one of: not_zip, corrupt, zip_bomb, missing_part."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


def open_package(
    data: bytes,
    *,
    max_uncompressed: int,
    max_ratio: int = DEFAULT_MAX_RATIO,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    required_parts: Iterable[str] = (),
) -> zipfile.ZipFile:
    """Open ``data`` as a ZIP package after checking its declared sizes; nothing is inflated."""
    if not data.startswith(ZIP_MAGIC):
        raise PackageRejected("not_zip")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PackageRejected("corrupt", str(exc)) from exc
    if len(members) > max_entries:
        raise PackageRejected("zip_bomb", f"{len(members)} parts")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > max_uncompressed or (member.file_size > 1024 * 1024 and ratio > max_ratio):
            raise PackageRejected("zip_bomb", member.filename)
    names = {member.filename for member in members}
    missing = [part for part in required_parts if part not in names]
    if missing:
        raise PackageRejected("missing_part", ", ".join(missing))
    return archive
