"""Checks of an uploaded template before anybody renders with it.

Rejected, each with a clear message: not a .docx (not an OOXML zip), macro-enabled (.docm or a
vbaProject part), a zip bomb (too many entries, too large uncompressed, an absurd compression
ratio), a document python-docx cannot open, a broken placeholder (jinja syntax error: the
paragraph number and its text are given) and a placeholder naming a field that the document type
does not have (the paragraph number and the name are given).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from jinja2 import Environment, TemplateSyntaxError, meta

from shidian.docgen.errors import TemplateInvalid
from shidian.docgen.shipped import FIELDS
from shidian.fileguard import PackageRejected, open_package

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 1000
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 200
REQUIRED = {"booklet": {"contents"}}
REQUIRED_DEFAULT = {"body", "title"}
MACRO_TYPES = ("macroEnabled", "vbaProject", "vbaData")


@dataclass
class TemplateReport:
    fields: set[str]
    paragraphs: int


def _zip_checks(data: bytes, filename: str) -> zipfile.ZipFile:
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateInvalid("the template is larger than 10 MB", code="template_too_large")
    if filename.lower().endswith((".docm", ".dotm")):
        raise TemplateInvalid(
            "macro-enabled Word files (.docm) are not accepted: save as .docx",
            code="template_macro",
        )
    try:
        zf = open_package(
            data,
            max_uncompressed=MAX_UNCOMPRESSED,
            max_ratio=MAX_RATIO,
            max_entries=MAX_ENTRIES,
            required_parts=("word/document.xml", "[Content_Types].xml"),
        )
    except PackageRejected as exc:
        if exc.code == "zip_bomb":
            raise TemplateInvalid(
                "the file expands to an unreasonable size when unpacked (zip bomb?)",
                code="template_bomb",
            ) from exc
        if exc.code == "missing_part":
            raise TemplateInvalid(
                "not a Word .docx file (word/document.xml is missing)", code="template_not_docx"
            ) from exc
        raise TemplateInvalid(
            "not a Word .docx file (a .docx is a ZIP package; old .doc and other files are not "
            "accepted: save as .docx in Word or WPS)",
            code="template_not_docx",
        ) from exc
    names = set(zf.namelist())
    types = zf.read("[Content_Types].xml").decode("utf-8", "replace")
    if any(name.lower().endswith("vbaproject.bin") for name in names) or any(
        t in types for t in MACRO_TYPES
    ):
        raise TemplateInvalid(
            "the file contains macros (VBA): save it as a plain .docx without macros",
            code="template_macro",
        )
    return zf


def _paragraph_texts(xml: str) -> list[str]:
    from docxtpl import DocxTemplate

    patched = DocxTemplate.patch_xml(DocxTemplate.__new__(DocxTemplate), xml)
    # docxtpl renders with one paragraph per source line; so do we, to report paragraph numbers.
    patched = re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)
    return patched.split("\n")


def _strip(xml_line: str) -> str:
    return re.sub(r"<[^>]+>", "", xml_line).strip()


def check_template(data: bytes, *, kind: str, filename: str = "template.docx") -> TemplateReport:
    """Validate an uploaded template for ``kind``; raise TemplateInvalid or return its fields."""
    zf = _zip_checks(data, filename)
    try:
        from docx import Document

        doc = Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds on a broken package
        raise TemplateInvalid(
            f"Word cannot read this .docx ({exc.__class__.__name__})", code="template_broken"
        ) from exc
    from docx.oxml.ns import qn
    from lxml import etree

    parts = [etree.tostring(doc.element.body, encoding="unicode")]
    for rel in doc.part.rels.values():
        if rel.reltype.endswith(("/header", "/footer")):
            parts.append(rel.target_part.blob.decode("utf-8", "replace"))
    del zf, qn
    lines: list[str] = []
    for part in parts:
        lines.extend(_paragraph_texts(part))
    source = "\n".join(lines)
    env = Environment()
    try:
        ast = env.parse(source)
    except TemplateSyntaxError as exc:
        n = exc.lineno or 1
        snippet = _strip(lines[n - 1]) if 0 < n <= len(lines) else ""
        raise TemplateInvalid(
            f"broken placeholder in paragraph {n} «{snippet[:60]}»: {exc.message}",
            code="template_syntax",
            line=n,
            name=snippet[:60],
        ) from exc
    used = meta.find_undeclared_variables(ast)
    allowed = FIELDS[kind] | {"loop", "range"}
    unknown = sorted(used - allowed)
    if unknown:
        name = unknown[0]
        pattern = re.compile(r"(\{\{|\{%)[^}]*\b" + re.escape(name) + r"\b")
        n = next((i for i, ln in enumerate(lines, 1) if pattern.search(_strip(ln))), 0)
        raise TemplateInvalid(
            f"unknown placeholder «{name}» in paragraph {n}; the {kind} type has: "
            + ", ".join(sorted(FIELDS[kind])),
            code="template_unknown_field",
            line=n,
            name=name,
        )
    missing = sorted(REQUIRED.get(kind, REQUIRED_DEFAULT) - used)
    if missing:
        raise TemplateInvalid(
            "the template lacks the placeholder(s) " + ", ".join(f"{{{{ {m} }}}}" for m in missing),
            code="template_missing_field",
            name=missing[0],
            line=0,
        )
    return TemplateReport(fields=used, paragraphs=len(lines))
