"""The documents' Run kinds (discovered by apps/runs at start-up); bodies in jobs.py."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shidian.apps.documents import jobs
from shidian.apps.documents.messages import describe_code
from shidian.apps.runs.registry import run_kind


def _document_link(run):
    document_id = run.params.get("document_id")
    if not document_id:
        return None
    return reverse("documents:detail", kwargs={"document_id": document_id}), _("查看公文")


run_kind(
    jobs.PDF,
    label=_("转换 PDF"),
    describe_error=describe_code,
    result_link=_document_link,
    on_end=jobs.pdf_ended,
)(jobs.convert_pdf)

run_kind(
    jobs.BOOKLET,
    label=_("编排汇编"),
    describe_error=describe_code,
    result_link=_document_link,
    on_end=jobs.booklet_ended,
)(jobs.build_booklet)
