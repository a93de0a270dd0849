"""The seating sheet as a PDF: python-docx, then LibreOffice (shidian.docgen.convert), as a Run.

The PDF is stored on the class list (not as a run file), so only the school's accounts can
download it; the run's result carries no pupil names.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shidian.apps.classgroups.models import ClassList
from shidian.apps.core.services import audit_record
from shidian.apps.runs.errors import RunError
from shidian.apps.runs.selectors import latest_run
from shidian.apps.runs.services import run_start
from shidian.docgen import convert
from shidian.docgen.errors import ConversionError

SHEET = "classgroups.sheet"


def sheet_start(*, class_list: ClassList, by: Any):
    return run_start(
        SHEET,
        by=by,
        unit=class_list.unit,
        params={"class_list_id": class_list.pk},
        subject=class_list,
    )


def sheet_run(user: Any, class_list: ClassList):
    return latest_run(user, class_list, SHEET)


def make_sheet(run: Any, progress: Any) -> dict[str, Any]:
    from shidian.apps.classgroups import services
    from shidian.apps.documents.rendering import convert_timeout, soffice_binary

    class_list = ClassList.objects.filter(pk=run.params.get("class_list_id")).first()  # scoping: ok
    if class_list is None:
        raise RunError("not_found")
    from shidian.apps.classgroups.sheet import groups_fingerprint

    progress(0, 1, _("正在生成座位表"), force=True)
    # Taken with the document in one transaction: a move during the conversion makes the sheet
    # stale at once instead of passing it off as current.
    with transaction.atomic():
        fingerprint = groups_fingerprint(class_list)
        docx = services.seating_docx(class_list)
    with tempfile.TemporaryDirectory(prefix="shidian-seating-") as tmp:
        src = Path(tmp) / "in.docx"
        src.write_bytes(docx)
        out = Path(tmp) / "out.pdf"
        try:
            convert.docx_to_pdf(src, out, soffice=soffice_binary(), timeout=convert_timeout())
        except ConversionError as exc:
            raise RunError(exc.code, detail=exc.message) from exc
        pdf = out.read_bytes()
    progress(1, 1, _("正在保存座位表"))
    with transaction.atomic():
        locked = ClassList.objects.select_for_update()  # scoping: ok run by id
        class_list = locked.filter(pk=class_list.pk).first()
        if class_list is None:
            raise RunError("not_found")
        old = class_list.sheet_pdf.name
        storage = class_list.sheet_pdf.storage
        class_list.sheet_pdf.save(f"seating-{class_list.pk}.pdf", ContentFile(pdf), save=False)
        class_list.sheet_groups = fingerprint
        class_list.save(update_fields=["sheet_pdf", "sheet_groups"])
        if old and old != class_list.sheet_pdf.name:
            transaction.on_commit(lambda: storage.delete(old), robust=True)
        audit_record(
            actor=None, action="classgroups.sheet", target=class_list, unit=class_list.unit
        )
    return {"class_list_id": class_list.pk, "pdf_bytes": len(pdf)}
