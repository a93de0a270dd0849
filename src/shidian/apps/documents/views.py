"""Views of the documents app: thin, scoped, office staff only for writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shidian.apps.core.scoping import get_scoped_or_404
from shidian.apps.documents import jobs, selectors, services
from shidian.apps.documents.about_forms import AboutForm
from shidian.apps.documents.forms import TemplateCreateForm, TemplateUploadForm
from shidian.apps.documents.generate_forms import JsonForm, build_generate_form
from shidian.apps.documents.messages import describe
from shidian.apps.documents.models import (
    Document,
    DocumentTemplate,
    Kind,
    PdfStatus,
    Status,
    TemplateVersion,
)
from shidian.apps.runs.selectors import latest_run
from shidian.docgen.convert import INSTALL_HINT
from shidian.docgen.errors import DocgenError
from shidian.docgen.render import render_docx
from shidian.docgen.samples import SAMPLES_DIR, sample_data

EXAMPLES = SAMPLES_DIR  # sample data and its photos, packaged
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _office(request: HttpRequest) -> None:
    if not getattr(request.user, "is_office", False):
        raise PermissionDenied


def example_data(kind: str) -> dict:
    return sample_data(kind)


@login_required
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    _office(request)
    documents = selectors.documents_for(request.user)
    programmes = selectors.programmes_with_documents(request.user)
    programme_id = request.GET.get("programme", "")
    if programme_id.isdigit():
        documents = documents.filter(programme_id=int(programme_id))
    return render(
        request,
        "documents/list.html",
        {
            "documents": documents[:200],
            "programmes": programmes,
            "programme_filter": programme_id,
            "templates": selectors.templates_for(request.user),
            "pdf_available": services.pdf_available(),
            "install_hint": INSTALL_HINT,
            "kinds": Kind.choices,
        },
    )


@login_required
def document_generate(request: HttpRequest) -> HttpResponse:
    """A new document from the fields of its type (or, in advanced mode, from JSON/YAML)."""
    _office(request)
    params = request.POST if request.method == "POST" else request.GET
    kind = params.get("kind") or Kind.NOTICE
    if kind not in Kind.values:
        kind = Kind.NOTICE
    mode = "json" if params.get("mode") == "json" else "form"
    templates = selectors.templates_for(request.user, kind=kind)
    unit = request.user.unit
    programme_id = params.get("programme", "")
    about = AboutForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial={"programme": int(programme_id)} if programme_id.isdigit() else None,
    )
    if request.method == "POST":
        form = build_generate_form(
            kind, unit=unit, templates=templates, mode=mode, data=request.POST, files=request.FILES
        )
        if form.is_valid() and mode == "form" and "as_json" in request.POST:
            # Go on in the JSON editor with what the fields say.
            form = build_generate_form(
                kind, unit=unit, templates=templates, mode="json", initial_data=form.document_data()
            )
            mode = "json"
        elif form.is_valid() and about.is_valid():
            document = _generate(request, form, kind=kind, about=about.about())
            if document is not None:
                messages.success(request, _("公文已生成。"))
                return redirect("documents:detail", document_id=document.pk)
    else:
        # The advanced editor starts from the example; the form from the unit's defaults, or
        # from the example on request ("填入示例").
        example = mode == "json" or params.get("example") == "1"
        form = build_generate_form(
            kind,
            unit=unit,
            templates=templates,
            mode=mode,
            initial_data=example_data(kind) if example else None,
        )
        mode = "json" if isinstance(form, JsonForm) else "form"
    return render(
        request,
        "documents/generate.html",
        {"form": form, "about": about, "kind": kind, "kinds": Kind.choices, "mode": mode},
    )


def _generate(
    request: HttpRequest, form: Any, *, kind: str, about: dict[str, Any] | None = None
) -> Document | None:
    template = form.cleaned_data["template"]
    prefix = "" if form.cleaned_data.get("number") else form.cleaned_data.get("prefix", "")
    try:
        return services.document_generate(
            unit=request.user.unit,
            user=request.user,
            kind=kind,
            data=form.document_data(),
            template_version=template.current if template else None,
            prefix=prefix.strip(),
            assets=[(f.name, f.read()) for f in form.cleaned_data["images"]],
            about=about,
        )
    except DocgenError as exc:
        field = exc.params.get("field")
        form.add_error(field if field in form.fields else None, describe(exc))
        return None


def _document(request: HttpRequest, document_id: int) -> Document:
    document = get_scoped_or_404(Document, request.user, pk=document_id)
    _office(request)
    return document


@login_required
@require_GET
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document(request, document_id)
    template = "documents/detail.html#status" if request.htmx else "documents/detail.html"
    pdf_run = latest_run(request.user, document, jobs.PDF)
    return render(
        request,
        template,
        {
            "document": document,
            "pdf_available": services.pdf_available(),
            "install_hint": INSTALL_HINT,
            # Long work shows as run cards (apps/runs): the booklet's compilation, the PDF.
            "booklet_run": latest_run(request.user, document, jobs.BOOKLET),
            "pdf_run": pdf_run,
            "can_request_pdf": document.status == Status.DONE
            and (pdf_run is None or not pdf_run.is_active)
            and document.pdf_status in {PdfStatus.FAILED, PdfStatus.NONE},
            "Status": Status,
            "PdfStatus": PdfStatus,
        },
    )


def _file_response(field, filename: str, content_type: str) -> FileResponse:
    if not field:
        raise Http404
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )


@login_required
@require_GET
def document_docx(request: HttpRequest, document_id: int) -> FileResponse:
    document = _document(request, document_id)
    return _file_response(document.docx, f"{document.title or document.pk}.docx", DOCX)


@login_required
@require_GET
def document_pdf(request: HttpRequest, document_id: int) -> FileResponse:
    document = _document(request, document_id)
    return _file_response(document.pdf, f"{document.title or document.pk}.pdf", "application/pdf")


@login_required
@require_POST
def document_retry_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document(request, document_id)
    pdf_run = latest_run(request.user, document, jobs.PDF)
    if (
        document.status == Status.DONE
        and document.pdf_status in {PdfStatus.FAILED, PdfStatus.NONE}
        and (pdf_run is None or not pdf_run.is_active)
    ):
        jobs.document_request_pdf(document=document, user=request.user)
        messages.info(request, _("已重新排队转换 PDF。"))
    return redirect("documents:detail", document_id=document.pk)


@login_required
@require_POST
def document_cancel(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document(request, document_id)
    if jobs.document_cancel(document=document, user=request.user) is not None:
        messages.info(request, _("已请求取消。"))
    return redirect("documents:detail", document_id=document.pk)


@login_required
@require_POST
def document_regenerate(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document(request, document_id)
    try:
        again = services.document_regenerate(document=document, user=request.user)
    except DocgenError as exc:
        messages.error(request, describe(exc))
        return redirect("documents:detail", document_id=document.pk)
    messages.success(request, _("已按原输入和模板版本重新生成。"))
    return redirect("documents:detail", document_id=again.pk)


# --- templates --------------------------------------------------------------------------------


@login_required
def template_create(request: HttpRequest) -> HttpResponse:
    _office(request)
    form = TemplateCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            template = services.template_create(
                unit=request.user.unit,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                data=upload.read() if upload else None,
                filename=upload.name if upload else "shipped.docx",
                user=request.user,
            )
        except DocgenError as exc:
            form.add_error("file", describe(exc))
        except Exception as exc:  # noqa: BLE001 - unique name per unit and type
            from django.db import IntegrityError

            if not isinstance(exc, IntegrityError):
                raise
            form.add_error("name", _("同一文种已有同名模板。"))
        else:
            return redirect("documents:template_detail", template_id=template.pk)
    return render(request, "documents/template_new.html", {"form": form})


def _template(request: HttpRequest, template_id: int) -> DocumentTemplate:
    template = get_scoped_or_404(DocumentTemplate, request.user, pk=template_id)
    _office(request)
    return template


@login_required
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _template(request, template_id)
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = services.template_upload(
                template=template,
                data=upload.read(),
                filename=upload.name,
                user=request.user,
                note=form.cleaned_data["note"],
            )
        except DocgenError as exc:
            form.add_error("file", describe(exc))
        else:
            messages.success(request, _("已上传新版本 v%(n)s。") % {"n": version.number})
            return redirect("documents:template_detail", template_id=template.pk)
    return render(
        request,
        "documents/template_detail.html",
        {"template": template, "versions": selectors.versions_of(template), "form": form},
    )


@login_required
@require_POST
def template_rollback(request: HttpRequest, template_id: int, version_id: int) -> HttpResponse:
    template = _template(request, template_id)
    version = get_scoped_or_404(TemplateVersion, request.user, pk=version_id, template=template)
    services.template_rollback(template=template, version=version, user=request.user)
    messages.success(request, _("已回退到 v%(n)s。") % {"n": version.number})
    return redirect("documents:template_detail", template_id=template.pk)


@login_required
@require_GET
def template_preview(request: HttpRequest, template_id: int) -> HttpResponse:
    """The current version filled with sample data, as a .docx download."""
    template = _template(request, template_id)
    version = template.current
    if version is None:
        raise Http404
    with version.file.open("rb") as fh:
        data = fh.read()
    try:
        docx = render_docx(
            template.kind, example_data(template.kind), template=data, base_dir=EXAMPLES
        )
    except DocgenError as exc:
        messages.error(request, describe(exc))
        return redirect("documents:template_detail", template_id=template.pk)
    response = HttpResponse(docx, content_type=DOCX)
    response["Content-Disposition"] = (
        f'attachment; filename="preview-{template.kind}-v{version.number}.docx"'
    )
    return response


@login_required
@require_GET
def version_download(request: HttpRequest, version_id: int) -> FileResponse:
    version = get_scoped_or_404(TemplateVersion, request.user, pk=version_id)
    _office(request)
    return _file_response(version.file, f"{version.template.kind}-v{version.number}.docx", DOCX)


def status_url(document: Document) -> str:
    return reverse("documents:detail", kwargs={"document_id": document.pk})
