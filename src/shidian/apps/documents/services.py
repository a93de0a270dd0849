"""Writes of the documents app: templates and versions, numbers, generation, PDF, booklets."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.documents import jobs
from shidian.apps.documents.models import (
    Document,
    DocumentTemplate,
    Kind,
    NumberCounter,
    Status,
    TemplateVersion,
)
from shidian.apps.documents.rendering import (  # noqa: F401 - convert_timeout, soffice_binary
    convert_timeout,
    pdf_available,
    render_document,
    sha256_hex,
    soffice_binary,
    store_docx,
)
from shidian.docgen.errors import DataInvalid
from shidian.docgen.render import shipped_template
from shidian.docgen.shipped import KIND_LABELS
from shidian.docgen.text import doc_number, normalise_number
from shidian.docgen.validate import check_template

log = logging.getLogger(__name__)


# --- templates --------------------------------------------------------------------------------


def _add_version(
    *, template: DocumentTemplate, data: bytes, filename: str, user: Any, note: str = ""
) -> TemplateVersion:
    report = check_template(data, kind=template.kind, filename=filename)
    last = template.versions.order_by("-number").first()
    version = TemplateVersion(
        template=template,
        number=(last.number + 1) if last else 1,
        sha256=sha256_hex(data),
        original_name=filename[:200],
        note=note[:200],
        fields=sorted(report.fields),
        uploaded_by=person_or_none(user),
    )
    version.file.save(f"v{version.number}.docx", ContentFile(data), save=False)
    version.save()
    template.current = version
    template.save(update_fields=["current"])
    return version


@transaction.atomic
def template_create(
    *, unit: Any, kind: str, name: str, data: bytes | None, filename: str, user: Any
) -> DocumentTemplate:
    """A new template for ``unit``; ``data=None`` starts from the shipped template."""
    template = DocumentTemplate.objects.create(unit=unit, kind=kind, name=name)
    content = data if data is not None else shipped_template(kind)
    _add_version(template=template, data=content, filename=filename, user=user, note=name)
    audit_record(actor=user, action="documents.template_create", target=template, unit=unit)
    return template


@transaction.atomic
def template_upload(
    *, template: DocumentTemplate, data: bytes, filename: str, user: Any, note: str = ""
) -> TemplateVersion:
    """A new version (validated first; a rejected file leaves the template untouched)."""
    template = DocumentTemplate.objects.select_for_update().get(
        pk=template.pk
    )  # scoping: ok caller
    version = _add_version(template=template, data=data, filename=filename, user=user, note=note)
    audit_record(
        actor=user,
        action="documents.template_upload",
        target=template,
        summary=f"v{version.number}",
    )
    return version


@transaction.atomic
def template_rollback(
    *, template: DocumentTemplate, version: TemplateVersion, user: Any
) -> DocumentTemplate:
    if version.template_id != template.pk:
        raise ValueError("version of another template")
    template.current = version
    template.save(update_fields=["current"])
    audit_record(
        actor=user,
        action="documents.template_rollback",
        target=template,
        summary=f"v{version.number}",
    )
    return template


def templates_ensure_shipped(*, unit: Any, user: Any = None) -> list[DocumentTemplate]:
    """The shipped template of each type for ``unit`` (created once)."""
    made = []
    for kind in Kind.values:
        existing = DocumentTemplate.objects.filter(unit=unit, kind=kind).first()  # scoping: ok
        if existing is None:
            existing = template_create(
                unit=unit,
                kind=kind,
                name=f"{KIND_LABELS[kind]}（默认）",
                data=None,
                filename=f"{kind}.docx",
                user=user,
            )
        made.append(existing)
    return made


# --- numbers ----------------------------------------------------------------------------------


def number_allocate(*, unit: Any, prefix: str, year: int) -> int:
    """The next number for (unit, prefix, year): no gaps, no duplicates, even concurrently.

    Must run inside the transaction that stores the document: the counter row stays locked until
    it commits, and a failure rolls the number back with the document."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_allocate must run inside a transaction")
    NumberCounter.objects.get_or_create(unit=unit, prefix=prefix, year=year)  # scoping: ok
    counter = NumberCounter.objects.select_for_update().get(  # scoping: ok service
        unit=unit, prefix=prefix, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


# --- generation -------------------------------------------------------------------------------


def _safe_asset_name(name: str) -> str:
    base = Path(name).name.replace(" ", "_")
    if not base or base.startswith("."):
        raise DataInvalid(f"bad image file name: {name!r}", code="image_invalid")
    return base[:100]


@transaction.atomic
def document_generate(
    *,
    unit: Any,
    user: Any,
    kind: str,
    data: dict[str, Any],
    template_version: TemplateVersion | None = None,
    prefix: str = "",
    assets: Iterable[tuple[str, bytes]] | None = None,
    regenerated_from: Document | None = None,
    about: dict[str, Any] | None = None,
) -> Document:
    """Store the inputs and make the .docx (booklets: queued for the background). ``assets``
    may be a generator (read one image at a time). A number is
    allocated when ``prefix`` is given and the data has none. Any error rolls everything back,
    the number included, so nothing half-made remains."""
    from django.core.files.storage import default_storage

    data = dict(data)
    if kind != Kind.BOOKLET and data.get("number"):
        data["number"] = normalise_number(data["number"], where="number")
    if kind != Kind.BOOKLET and prefix and not data.get("number"):
        year = int(str(data.get("date", timezone.localdate().isoformat()))[:4])
        seq = number_allocate(unit=unit, prefix=prefix, year=year)
        data["number"] = doc_number(prefix, year, seq)
    title = str(data.get("title") or "").strip()[:300]
    document = Document.objects.create(
        unit=unit,
        kind=kind,
        title=title,
        number=str(data.get("number") or "") if kind != Kind.BOOKLET else "",
        template_version=template_version,
        inputs=data,
        author=person_or_none(user),
        regenerated_from=regenerated_from,
        status=Status.RUNNING,
        **(about or {}),
    )
    names = []
    for name, content in assets or []:
        safe = _safe_asset_name(name)
        default_storage.save(
            f"documents/{unit.pk}/{document.pk}/assets/{safe}", ContentFile(content)
        )
        names.append(safe)
    if names:
        document.assets = names
        document.save(update_fields=["assets"])
    if kind == Kind.BOOKLET:
        document.status = Status.QUEUED
        document.save(update_fields=["status"])
        jobs.booklet_start(document=document, by=user)  # a Run, enqueued on commit
    else:
        docx = render_document(document)  # DocgenError propagates: the transaction rolls back
        store_docx(document, docx)
        document.status = Status.DONE
        document.save(update_fields=["status"])
        if pdf_available():
            jobs.pdf_start(document=document, by=user)
    audit_record(
        actor=user,
        action="documents.generate",
        target=document,
        summary=f"{document.number} {title}".strip()[:300],
    )
    return document


def document_regenerate(*, document: Document, user: Any) -> Document:
    """The same inputs, number and template version again: the .docx comes out identical."""
    from django.core.files.storage import default_storage

    assets = []
    for name in document.assets:
        path = f"documents/{document.unit_id}/{document.pk}/assets/{name}"
        with default_storage.open(path) as fh:
            assets.append((name, fh.read()))
    return document_generate(
        unit=document.unit,
        user=user,
        kind=document.kind,
        data=document.inputs,
        template_version=document.template_version,
        assets=assets,
        regenerated_from=document,
        about={
            "programme": document.programme,
            "cycle": document.cycle,
            "subject_unit": document.subject_unit,
        },
    )
