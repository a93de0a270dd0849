"""Checks for an uploaded evidence file: its type is decided by its first bytes, never by its
name alone; Office packages go through the project's one zip guard (``shidian.fileguard``).
Nothing here knows what the file is attached to."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shidian.fileguard import PackageRejected, open_package
from shidian.textclean import clean_text

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
# An Office file may expand to this much: real documents with photos stay well under it.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
# Names are limited in bytes, not characters: file systems and object stores count UTF-8
# bytes, and one emoji or CJK Extension B character is four of them.
MAX_NAME_BYTES = 255
OFFICE_ZIP = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
OLE = {".doc", ".xls", ".ppt"}


def sniff(head: bytes, name: str, file) -> str | None:
    """Return 'image', 'pdf' or 'office' when the bytes match the name's type, else None."""
    suffix = Path(name).suffix.lower()
    if head.startswith(b"\xff\xd8\xff") and suffix in {".jpg", ".jpeg"}:
        return "image"
    if head.startswith(b"\x89PNG\r\n\x1a\n") and suffix == ".png":
        return "image"
    if head[:6] in (b"GIF87a", b"GIF89a") and suffix == ".gif":
        return "image"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP" and suffix == ".webp":
        return "image"
    if head.startswith(b"%PDF-") and suffix == ".pdf":
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and suffix in OLE:
        return "office"
    if head.startswith(b"PK\x03\x04") and suffix in OFFICE_ZIP:
        try:
            file.seek(0)
            archive = open_package(
                file.read(),
                max_uncompressed=MAX_UNCOMPRESSED,
                required_parts=["[Content_Types].xml"],
            )
            names = archive.namelist()
            file.seek(0)
        except PackageRejected:
            file.seek(0)
            return None
        if any(n.startswith(OFFICE_ZIP[suffix]) for n in names):
            return "office"
    return None


def utf8_prefix(text: str, max_bytes: int) -> str:
    """The longest start of ``text`` that fits in ``max_bytes`` of UTF-8 (whole characters)."""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")


def trim_name(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """``name`` shortened to ``max_bytes`` of UTF-8, keeping its extension."""
    if len(name.encode("utf-8")) <= max_bytes:
        return name
    path = Path(name)
    suffix = path.suffix if len(path.suffix.encode("utf-8")) <= 16 else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    return utf8_prefix(stem, max_bytes - len(suffix.encode("utf-8"))) + suffix


def clean_name(name: str) -> str:
    """The name to show and to download as: no folders, no control characters, 255 bytes."""
    return trim_name(clean_text(Path(name.replace("\\", "/")).name)) or "file"


def check_upload(upload, *, max_bytes: int = MAX_EVIDENCE_BYTES) -> tuple[str, str]:
    """(clean name, kind) of an acceptable upload; a ValidationError in the user's language
    otherwise (code ``file_too_large`` or ``file_type``, which the API passes on). The upload
    is left rewound."""
    if upload.size > max_bytes:
        raise ValidationError(_("文件不能超过 20 MB。"), code="file_too_large")
    name = clean_name(upload.name or "")
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head, name, upload)
    if kind is None:
        raise ValidationError(
            _("只接受图片（JPG、PNG、GIF、WebP）、PDF 和 Office 文件，且文件内容须与扩展名一致。"),
            code="file_type",
        )
    return name, kind
