"""The annual self-evaluation report page: choose a year, start the Run, download the .docx and
the PDF of the reports made so far. Viewing needs VIEW on the programme (as the evaluation
page); generating needs MANAGE on it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shidian.apps.core.access import MANAGE, VIEW, can
from shidian.apps.core.scoping import get_scoped_or_404
from shidian.apps.documents import jobs as document_jobs
from shidian.apps.documents.models import Document, Kind
from shidian.apps.evaluation.annual import jobs
from shidian.apps.evaluation.annual.document import MARKER
from shidian.apps.evaluation.annual.forms import AnnualReportForm
from shidian.apps.programmes.selectors import programme_for
from shidian.apps.runs.selectors import latest_run

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _reports(request: HttpRequest, programme) -> list[dict]:
    documents = (
        Document.objects.restrict(request.user, VIEW)
        .filter(programme=programme, kind=Kind.BOOKLET, inputs__has_key=MARKER)
        .order_by("-created_at", "-pk")[:20]
    )
    rows = []
    for document in documents:
        rows.append(
            {
                "document": document,
                "year": (document.inputs.get(MARKER) or {}).get("year"),
                "booklet_run": latest_run(request.user, document, document_jobs.BOOKLET),
                "pdf_run": latest_run(request.user, document, document_jobs.PDF),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def annual_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(user=request.user, programme_id=programme_id)
    may_generate = can(request.user, MANAGE, programme)
    form = AnnualReportForm(request.POST or None, programme=programme)
    if request.method == "POST":
        if not may_generate:
            raise PermissionDenied
        if form.is_valid():
            year = form.cleaned_data["year"]
            jobs.annual_start(programme=programme, year=year, by=request.user)
            messages.success(request, _("已开始生成%(year)s年度自评报告。") % {"year": year})
            return redirect("evaluation:annual", programme_id=programme.pk)
    return render(
        request,
        "evaluation/annual.html",
        {
            "programme": programme,
            "form": form,
            "may_generate": may_generate,
            "run": latest_run(request.user, programme, jobs.ANNUAL),
            "reports": _reports(request, programme),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _report(request: HttpRequest, programme_id: int, document_id: int) -> Document:
    programme = programme_for(user=request.user, programme_id=programme_id)
    document = get_scoped_or_404(
        Document, request.user, pk=document_id, programme=programme, kind=Kind.BOOKLET
    )
    if MARKER not in (document.inputs or {}):
        raise Http404
    return document


def _file(field, filename: str, content_type: str) -> FileResponse:
    if not field:
        raise Http404
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )


@login_required
@require_GET
def annual_docx(request: HttpRequest, programme_id: int, document_id: int) -> FileResponse:
    document = _report(request, programme_id, document_id)
    return _file(document.docx, f"{document.title or document.pk}.docx", DOCX)


@login_required
@require_GET
def annual_pdf(request: HttpRequest, programme_id: int, document_id: int) -> FileResponse:
    document = _report(request, programme_id, document_id)
    return _file(document.pdf, f"{document.title or document.pk}.pdf", "application/pdf")
