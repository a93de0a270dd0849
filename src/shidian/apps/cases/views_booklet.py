"""Pages of the booklet draft (汇编成册): the programme's drafts, a draft (its chapters in order
with up/down/remove, title and foreword, the case chooser, compile, the compilation's run cards
and downloads). Every button is a plain POST form; with HTMX, moving and removing swap the
chapter list alone (``cases/booklet.html#items``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.cases import booklets, selectors, text
from shidian.apps.cases.kinds import label_of
from shidian.apps.cases.models import CaseBooklet
from shidian.apps.core.access import MANAGE, VIEW, can, get_scoped_or_404
from shidian.apps.programmes.models import Programme


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _booklet(request: HttpRequest, booklet_id: int, action: str = VIEW) -> CaseBooklet:
    return get_scoped_or_404(
        CaseBooklet.objects.select_related("programme", "document"),
        request.user,
        action,
        pk=booklet_id,
    )


def _item_id(request: HttpRequest) -> int:
    value = request.POST.get("item", "")
    if not value.isdigit():
        raise Http404
    return int(value)


@login_required
def booklet_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The programme's booklet drafts; the office starts one (the title defaults to
    "<programme>典型案例汇编")."""
    programme = get_scoped_or_404(Programme, request.user, VIEW, pk=programme_id)
    manage = can(request.user, MANAGE, programme)
    if request.method == "POST":
        programme = get_scoped_or_404(Programme, request.user, MANAGE, pk=programme_id)
        try:
            booklet = booklets.booklet_create(
                by=request.user,
                programme=programme,
                title=request.POST.get("title", ""),
                foreword=request.POST.get("foreword", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已新建汇编，请选择案例。"))
            return redirect("cases:booklet", case_booklet_id=booklet.pk)
    drafts = (
        CaseBooklet.objects.restrict(request.user, VIEW)
        .filter(programme=programme)
        .select_related("document")
    )
    return render(
        request,
        "cases/booklets.html",
        {
            "programme": programme,
            "manage": manage,
            "drafts": drafts,
            "default_title": booklets.default_title(programme),
        },
    )


def _items(booklet: CaseBooklet) -> list[dict]:
    rows = []
    items = list(
        booklet.items.select_related("case__unit", "submission__unit", "submission__round")
    )
    for n, item in enumerate(items, 1):
        if item.case_id:
            title, school = item.case.title, item.case.unit.name
            kind = _("案例")
        else:
            title = _("%(school)s试点工作总结报告") % {"school": item.submission.unit.name}
            school, kind = item.submission.unit.name, _("总结报告")
        rows.append(
            {"item": item, "n": n, "title": title, "school": school, "kind": kind,
             "first": n == 1, "last": n == len(items)}
        )  # fmt: skip
    return rows


def _context(request: HttpRequest, booklet: CaseBooklet) -> dict:
    from shidian.apps.documents import jobs
    from shidian.apps.documents.rendering import pdf_available
    from shidian.apps.runs.selectors import latest_run

    user = request.user
    manage = can(user, MANAGE, booklet)
    items = _items(booklet)
    chosen_cases = {r["item"].case_id for r in items if r["item"].case_id}
    chosen_reports = {r["item"].submission_id for r in items if r["item"].submission_id}
    q = request.GET.get("q", "").strip()[:100]
    page = request.GET.get("page", "1")
    result = selectors.search(
        user, q, page=int(page) if page.isdigit() else 1, programme_id=booklet.programme_id
    )
    choices = [
        {
            "case": case,
            "title": text.highlight(case.title, result.terms),
            "chosen": case.pk in chosen_cases,
            "subject": label_of("subject", case.subject),
            "theme": label_of("theme", case.theme),
        }
        for case in result.cases
    ]
    reports = [
        s
        for s in booklets.addable_summaries(user, booklet)
        .select_related("unit", "round")
        .order_by("round__created_at", "unit__code")[:200]
        if s.pk not in chosen_reports
    ]
    document = booklet.document
    return {
        "booklet": booklet,
        "manage": manage,
        "items": items,
        "q": q,
        "result": result,
        "choices": choices,
        "reports": reports,
        "document": document,
        "booklet_run": latest_run(user, document, jobs.BOOKLET) if document else None,
        "pdf_run": latest_run(user, document, jobs.PDF) if document else None,
        "pdf_available": pdf_available(),
    }


@login_required
def booklet_detail(request: HttpRequest, case_booklet_id: int) -> HttpResponse:
    booklet = _booklet(request, case_booklet_id)
    status = 200
    if request.method == "POST":
        booklet = _booklet(request, case_booklet_id, MANAGE)
        try:
            booklet = booklets.booklet_update(
                booklet=booklet,
                by=request.user,
                title=request.POST.get("title", ""),
                foreword=request.POST.get("foreword", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
            status = 400
        else:
            messages.success(request, _("已保存。"))
            return redirect("cases:booklet", case_booklet_id=booklet.pk)
    template = "cases/booklet.html#chooser" if request.htmx else "cases/booklet.html"
    return render(request, template, _context(request, booklet), status=status)


@require_POST
@login_required
def booklet_add(request: HttpRequest, case_booklet_id: int) -> HttpResponse:
    booklet = _booklet(request, case_booklet_id, MANAGE)
    try:
        made = booklets.booklet_add(
            booklet=booklet,
            by=request.user,
            case_ids=request.POST.getlist("case"),
            summary_ids=request.POST.getlist("report"),
        )
    except booklets.ItemNotFound as exc:
        raise Http404 from exc
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已加入 %(n)s 篇。") % {"n": len(made)})
    return redirect("cases:booklet", case_booklet_id=booklet.pk)


def _after_item_change(request: HttpRequest, booklet: CaseBooklet) -> HttpResponse:
    if request.htmx:
        booklet.refresh_from_db()
        return render(request, "cases/booklet.html#items", _context(request, booklet))
    return redirect(f"{_url(booklet)}#items")


def _url(booklet: CaseBooklet) -> str:
    from django.urls import reverse

    return reverse("cases:booklet", kwargs={"case_booklet_id": booklet.pk})


@require_POST
@login_required
def booklet_move(request: HttpRequest, case_booklet_id: int) -> HttpResponse:
    booklet = _booklet(request, case_booklet_id, MANAGE)
    try:
        booklets.booklet_move(
            booklet=booklet,
            by=request.user,
            item_id=_item_id(request),
            direction=request.POST.get("direction", ""),
        )
    except booklets.ItemNotFound as exc:
        raise Http404 from exc
    except ValidationError as exc:
        _errors(request, exc)
    return _after_item_change(request, booklet)


@require_POST
@login_required
def booklet_remove(request: HttpRequest, case_booklet_id: int) -> HttpResponse:
    booklet = _booklet(request, case_booklet_id, MANAGE)
    try:
        booklets.booklet_remove(booklet=booklet, by=request.user, item_id=_item_id(request))
    except booklets.ItemNotFound as exc:
        raise Http404 from exc
    return _after_item_change(request, booklet)


@require_POST
@login_required
def booklet_compile(request: HttpRequest, case_booklet_id: int) -> HttpResponse:
    from shidian.docgen.errors import DocgenError

    booklet = _booklet(request, case_booklet_id, MANAGE)
    try:
        booklets.booklet_compile(booklet=booklet, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    except DocgenError as exc:
        from shidian.apps.documents.messages import describe

        messages.error(request, describe(exc))
    else:
        messages.success(request, _("已开始汇编，完成后可下载 Word 和 PDF。"))
    return redirect(f"{_url(booklet)}#compiled")
