"""A community's semester plan and summary pages: the lead fills and submits, the office returns
or accepts, members read the accepted one. Thin: look up through the access mechanism (404 when
invisible), call ``activities.filings``, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.activities import filings
from shidian.apps.activities.kinds import ATTACHMENTS, items_for
from shidian.apps.activities.models import CommunityFiling, FilingKind, Semester
from shidian.apps.core.access import FILL, MANAGE, VIEW, can, get_scoped_or_404
from shidian.apps.evidence.models import Evidence
from shidian.apps.submissions.services import SubmissionConflict
from shidian.apps.submissions.states import WAITING


def _filing(request: HttpRequest, filing_id: int) -> CommunityFiling:
    return get_scoped_or_404(
        CommunityFiling.objects.select_related(
            "semester", "community__lead_unit", "submission__round", "submission__unit"
        ),
        request.user,
        VIEW,
        pk=filing_id,
    )


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _context(request: HttpRequest, filing: CommunityFiling, posted=None) -> dict:
    submission = filing.submission
    fill = submission.is_editable and can(request.user, FILL, submission)
    decide = submission.status in WAITING and can(request.user, MANAGE, submission)
    answers = posted if posted is not None else dict(submission.answers)
    if fill and posted is None:
        for code, text in filings.prefill(filing).items():
            answers.setdefault(code, text)
    items = [
        {"code": code, "label": label, "help": help_text, "required": required,
         "value": answers.get(code, "")}
        for code, label, help_text, required in items_for(filing.kind)
    ]  # fmt: skip
    return {
        "filing": filing,
        "submission": submission,
        "items": items,
        "fill": fill,
        "decide": decide,
        "record": filings.record_rows(filing),
        "attachments": Evidence.objects.filter(  # scoping: ok the filing is visible
            submission=submission, item_code=ATTACHMENTS
        ).order_by("pk"),
        "is_plan": filing.kind == FilingKind.PLAN,
    }


@login_required
def filing_page(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = _filing(request, filing_id)
    if request.method != "POST":
        return render(request, "activities/filing.html", _context(request, filing))
    posted = {code: request.POST.get(code, "") for code, *_rest in items_for(filing.kind)}
    try:
        filings.filing_save(
            filing=filing,
            user=request.user,
            answers=posted,
            base_version=int(request.POST.get("base_version") or -1),
        )
        if request.POST.get("action") == "submit":
            filing.submission.refresh_from_db()
            filings.filing_submit(filing=filing, user=request.user)
            messages.success(request, _("已提交，等待主管部门审核。"))
        else:
            messages.success(request, _("已保存。"))
        return redirect("activities:filing", filing_id=filing.pk)
    except SubmissionConflict:
        messages.error(request, _("内容已被他人修改，请刷新页面后重试。"))
    except ValidationError as exc:
        _errors(request, exc)
    filing.submission.refresh_from_db()
    return render(request, "activities/filing.html", _context(request, filing, posted), status=400)


@require_POST
@login_required
def filing_decide(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = _filing(request, filing_id)
    try:
        if request.POST.get("action") == "accept":
            filings.filing_accept(filing=filing, user=request.user)
            messages.success(request, _("已审核通过。"))
        else:
            filings.filing_return(
                filing=filing,
                user=request.user,
                note=request.POST.get("note", ""),
                base_url=request.build_absolute_uri("/"),
            )
            messages.success(request, _("已退回牵头校修改。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("activities:filing", filing_id=filing.pk)


@require_POST
@login_required
def filing_attach(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = _filing(request, filing_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            filings.filing_attach(filing=filing, user=request.user, upload=upload)
            messages.success(request, _("附件已上传。"))
        except ValidationError as exc:
            _errors(request, exc)
    return redirect("activities:filing", filing_id=filing.pk)


@login_required
def filing_file(request: HttpRequest, filing_id: int, evidence_id: int) -> FileResponse:
    """An attachment, for whoever may read the filing (members included, once accepted)."""
    filing = _filing(request, filing_id)
    evidence = Evidence.objects.filter(  # scoping: ok the filing is visible
        submission=filing.submission, pk=evidence_id
    ).first()
    if evidence is None:
        raise Http404
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name
    )


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise ValidationError(_("日期格式不正确。")) from exc


@require_POST
@login_required
def semester_open_filings(request: HttpRequest, semester_id: int) -> HttpResponse:
    """The office opens (or re-dates) a semester's plan and summary rounds."""
    semester = get_scoped_or_404(Semester, request.user, MANAGE, pk=semester_id)
    try:
        made = filings.filings_open(
            by=request.user,
            semester=semester,
            plan_due=_date(request.POST.get("plan_due", "")),
            summary_due=_date(request.POST.get("summary_due", "")),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("已发起实施方案与阶段小结报送，新增 %(n)s 份。") % {"n": made},
        )
    return redirect("activities:dashboard")
