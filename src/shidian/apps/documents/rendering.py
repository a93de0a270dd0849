"""Rendering a stored document: its .docx from its inputs, template version and images, and
the LibreOffice settings of its PDF. Public, so services (generation) and jobs (the run kinds)
share it without reaching into each other's private helpers."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile

from shidian.apps.documents.models import Document, TemplateVersion
from shidian.docgen import convert
from shidian.docgen.errors import DataInvalid
from shidian.docgen.render import render_docx, shipped_template


def soffice_binary() -> str:
    return getattr(settings, "DOCUMENTS_SOFFICE", "") or "soffice"


def convert_timeout() -> float:
    return float(getattr(settings, "DOCUMENTS_CONVERT_TIMEOUT", 180))


def pdf_available() -> bool:
    return convert.available(soffice_binary())


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _template_bytes(version: TemplateVersion | None, kind: str) -> bytes:
    if version is None:
        return shipped_template(kind)
    with version.file.open("rb") as fh:
        return fh.read()


def _materialise_assets(document: Document, folder: Path) -> None:
    from django.core.files.storage import default_storage

    for name in document.assets:
        with default_storage.open(f"documents/{document.unit_id}/{document.pk}/assets/{name}") as f:
            (folder / name).write_bytes(f.read())


def _check_image_references(value: Any, assets: list[str]) -> None:
    """Images in stored inputs are the document's uploaded assets, by bare file name: a path
    (absolute, or climbing out with ..) would embed any image file on the server."""
    if isinstance(value, dict):
        image = value.get("image")
        if isinstance(image, str) and image not in assets:
            raise DataInvalid(f"image file not found: {image}", code="image_missing")
        for item in value.values():
            _check_image_references(item, assets)
    elif isinstance(value, list):
        for item in value:
            _check_image_references(item, assets)


def render_document(document: Document, *, progress: Any = None) -> bytes:
    _check_image_references(document.inputs, list(document.assets or []))
    with tempfile.TemporaryDirectory(prefix="shidian-assets-") as tmp:
        _materialise_assets(document, Path(tmp))
        return render_docx(
            document.kind,
            document.inputs,
            template=_template_bytes(document.template_version, document.kind),
            base_dir=Path(tmp),
            progress=progress,
        )


def store_docx(document: Document, docx: bytes) -> None:
    document.docx.save(document_filename(document, "docx"), ContentFile(docx), save=False)
    document.docx_sha256 = sha256_hex(docx)
    document.save(update_fields=["docx", "docx_sha256"])


def document_filename(document: Document, ext: str) -> str:
    return f"{document.kind}-{document.pk}.{ext}"
