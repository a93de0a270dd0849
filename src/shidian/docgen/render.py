"""Render a template (.docx bytes) with data into a finished .docx (bytes)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import TemplateError

from shidian.docgen import sandbox
from shidian.docgen.base import ensure_styles
from shidian.docgen.errors import TemplateInvalid
from shidian.docgen.layout import LEFT_MM, mm
from shidian.docgen.shipped import KIND_LABELS, KINDS, build_template

_SHIPPED_CACHE: dict[str, bytes] = {}


def shipped_template(kind: str) -> bytes:
    if kind not in _SHIPPED_CACHE:
        _SHIPPED_CACHE[kind] = build_template(kind)
    return _SHIPPED_CACHE[kind]


def build_context(
    tpl: Any, kind: str, data: Any, *, base_dir: Path | None = None, progress: Any = None
) -> dict:
    if kind == "booklet":
        from shidian.docgen import booklet

        return booklet.build_context(tpl, data, base_dir=base_dir, progress=progress)
    from shidian.docgen import official

    return official.build_context(tpl, kind, data, base_dir=base_dir)


def render_docx(
    kind: str,
    data: Any,
    *,
    template: bytes | None = None,
    base_dir: Path | None = None,
    progress: Any = None,
) -> bytes:
    """Fill ``template`` (default: the shipped one for ``kind``) with ``data``."""
    if kind not in KINDS:
        raise ValueError(f"unknown document type {kind!r}; use one of {', '.join(KINDS)}")
    tpl = DocxTemplate(io.BytesIO(template if template is not None else shipped_template(kind)))
    tpl.init_docx()
    ensure_styles(tpl.docx)
    context = build_context(tpl, kind, data, base_dir=base_dir, progress=progress)
    # Templates are uploaded by users: the sandbox keeps them away from Python internals and
    # bounds what they can make and for how long (docgen/sandbox.py).
    try:
        limit = sandbox.BOOKLET_RENDER_SECONDS if kind == "booklet" else None
        with sandbox.time_limit(limit):
            tpl.render(context, sandbox.environment())
    except TemplateError as exc:
        raise TemplateInvalid(
            f"template error while rendering: {exc}", code="template_render", name=str(exc)
        ) from exc
    if kind != "booklet":
        anchor_record(tpl.docx)
    set_properties(tpl.docx, kind=kind, context=context)
    out = io.BytesIO()
    tpl.save(out)
    return deterministic_zip(out.getvalue())


def set_properties(doc: Any, *, kind: str, context: dict[str, Any]) -> None:
    """The file's own title, subject, author and language: Word's "Properties" and the PDF's
    metadata (LibreOffice copies them) then name this document, not the template it came
    from."""
    props = doc.core_properties
    props.title = str(context.get("title") or "").replace("\n", "")[:255]
    props.subject = KIND_LABELS[kind]
    props.author = str(context.get("issuer") or "")[:255]
    props.last_modified_by = props.author
    props.keywords = str(context.get("doc_number") or "")
    props.language = "zh-CN"


# Room kept free above the floating 版记 (about 2 mm): a full line (the template's old value)
# pushed the signature and date of a full last page onto a page of their own.
RECORD_GAP_TWIPS = 120


def anchor_record(doc: Any) -> None:
    """The floating 版记 table anchored to the page horizontally (at the binding margin) and to
    the bottom of the text block: LibreOffice 7.4 only makes a full-width floating table a frame
    when it is page-anchored; anchored to the margin it stayed in the text flow, right under the
    date, so a last page that was not full had its 版记 in the middle. Word places both the same.
    Applied when rendering, so templates stored before keep working."""
    for tblppr in doc.element.body.iter(qn("w:tblpPr")):
        if tblppr.get(qn("w:tblpYSpec")) != "bottom":
            continue
        tblppr.set(qn("w:horzAnchor"), "page")
        tblppr.set(qn("w:tblpX"), str(mm(LEFT_MM)))
        tblppr.attrib.pop(qn("w:tblpXSpec"), None)
        tblppr.set(qn("w:topFromText"), str(RECORD_GAP_TWIPS))


PACKED_MEDIA = (".jpg", ".jpeg", ".png", ".gif")


def deterministic_zip(data: bytes) -> bytes:
    """The same package with fixed entry timestamps, so that the same inputs and template give
    byte-identical files (a regenerated document can be compared with the original). Images
    already compressed (JPEG, PNG, GIF) are stored as they are: deflating them again gains
    nothing and cost a 300-photo booklet seconds."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            packed = info.filename.lower().endswith(PACKED_MEDIA)
            fixed.compress_type = zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
