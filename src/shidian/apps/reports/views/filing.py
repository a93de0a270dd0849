"""The school's report pages: my reports, the fill page (autosave per field with HTMX, the
whole form without JavaScript, files, submit); the office returns or accepts from the same page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import FILL, MANAGE, can
from shidian.apps.core.scoping import get_scoped_or_404
from shidian.apps.evidence.models import Evidence
from shidian.apps.reports.completeness import first_submits, status_of
from shidian.apps.reports.kind import KIND, NA, fields_of, period_of
from shidian.apps.reports.models import FieldType
from shidian.apps.reports.services import filing
from shidian.apps.submissions import services as submission_services
from shidian.apps.submissions.models import Submission
from shidian.apps.submissions.states import EDITABLE, SUBMITTED, WAITING, Status


def _submission(request: HttpRequest, submission_id: int) -> Submission:
    sub = get_scoped_or_404(
        Submission.objects.filter(round__kind=KIND).select_related(  # scoping: ok get_scoped
            "round__report_period__form__programme", "unit"
        ),
        request.user,
        pk=submission_id,
    )
    sub.round._report_period = sub.round.report_period
    return sub


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", -1))
    except (TypeError, ValueError):
        return -1


def _display(field, answer) -> str:
    if answer is None:
        return ""
    if answer == NA:
        return NA
    if field.type in (FieldType.NUMBER, FieldType.PERCENT):
        return str(int(answer)) if float(answer).is_integer() else str(answer)
    return str(answer)


def _rows(sub: Submission, previous: dict, problems: dict) -> list[dict]:
    files: dict[str, list] = {}
    for ev in Evidence.objects.filter(submission=sub):  # scoping: ok the submission is held
        files.setdefault(ev.item_code, []).append(ev)
    form = period_of(sub.round).form
    rows = []
    for field in fields_of(sub.round):
        answer = sub.answers.get(field.code)
        prefilled = (
            (field.prefill or form.prefill)
            and answer is not None
            and previous.get(field.code) == answer
        )
        rows.append(
            {
                "field": field,
                "value": _display(field, answer),
                "na": answer == NA,
                "prefilled": prefilled,
                "files": files.get(field.code, []),
                "comment": sub.comments.get(field.code, ""),
                "problem": problems.get(field.code, ""),
            }
        )
    return rows


def _context(request: HttpRequest, sub: Submission, problems=None) -> dict:
    period = period_of(sub.round)
    previous = filing.last_answers(period.form, period, [sub.unit_id]).get(sub.unit_id, {})
    first = first_submits([sub.round_id], [sub.unit_id]).get((sub.round_id, sub.unit_id))
    manager = can(request.user, MANAGE, sub)
    return {
        "sub": sub,
        "period": period,
        "form": period.form,
        "rows": _rows(sub, previous, problems or {}),
        "can_edit": sub.status in EDITABLE and can(request.user, FILL, sub),
        "manager": manager,
        "can_decide": manager and sub.status in WAITING,
        "timeliness": status_of(first, period, timezone.localdate()),
        "first_submitted_at": first,
    }


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    """Per form: reports due now, late, returned, submitted (periods not owed are absent)."""
    today = timezone.localdate()
    subs = (
        Submission.objects.restrict(request.user, FILL)
        .filter(round__kind=KIND, round__opens_on__lte=today)
        .select_related("round__report_period__form", "unit")
        .defer("answers", "scores", "dimension_scores")
        .order_by("-round__report_period__starts_on")[:500]
    )
    forms: dict[int, dict] = {}
    for sub in subs:
        period = sub.round.report_period
        group = forms.setdefault(
            period.form_id,
            {"form": period.form, "due": [], "late": [], "returned": [], "submitted": []},
        )
        if sub.status == Status.RETURNED:
            group["returned"].append((sub, period))
        elif sub.status in SUBMITTED:
            group["submitted"].append((sub, period))
        elif today > period.closes_on:
            group["late"].append((sub, period))
        else:
            group["due"].append((sub, period))
    return render(request, "reports/fill_mine.html", {"groups": list(forms.values())})


def _posted_answers(request: HttpRequest, sub: Submission) -> dict:
    answers = {}
    for field in fields_of(sub.round):
        if field.type == FieldType.FILE:
            if field.code in sub.answers:
                answers[field.code] = sub.answers[field.code]
            continue
        if field.allow_na and request.POST.get(f"na-{field.code}"):
            answers[field.code] = NA
        else:
            answers[field.code] = request.POST.get(f"f-{field.code}", "")
    return answers


@login_required
def fill(request: HttpRequest, submission_id: int) -> HttpResponse:
    sub = _submission(request, submission_id)
    if request.method == "POST":  # the whole form, without JavaScript
        try:
            submission_services.submission_save(
                submission=sub,
                user=request.user,
                answers=_posted_answers(request, sub),
                base_version=_version(request),
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except submission_services.SubmissionConflict:
            messages.error(request, _("保存失败：其他人在您之后修改了这份报表。请核对后再保存。"))
            return redirect("reports:fill", submission_id=sub.pk)
        except ValidationError as exc:
            messages.error(request, _("未保存：%(p)s") % {"p": "；".join(exc.messages)})
            return render(request, "reports/fill_report.html", _context(request, sub), status=400)
        messages.success(request, _("已保存。"))
        return redirect("reports:fill", submission_id=sub.pk)
    return render(request, "reports/fill_report.html", _context(request, sub))


@require_POST
@login_required
def fill_item(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Autosave one field (HTMX): the field's status, the page's version out of band."""
    sub = _submission(request, submission_id)
    code = request.POST.get("code", "")
    field = next((f for f in fields_of(sub.round) if f.code == code), None)
    if field is None:
        raise Http404
    if field.allow_na and request.POST.get(f"na-{code}"):
        answer = NA
    else:
        answer = request.POST.get(f"f-{code}", "")
    expected = request.POST.get(f"expected-{code}") or None
    status, message, saved = 200, _("已自动保存"), True
    try:
        sub = submission_services.submission_save_item(
            submission=sub,
            user=request.user,
            code=code,
            answer=answer,
            base_version=_version(request),
            expected=expected,
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except submission_services.SubmissionConflict as conflict:
        sub = conflict.submission
        current = _display(field, sub.answers.get(code)) or _("（空）")
        status, saved = 409, False
        message = _("其他人已将此项改为“%(v)s”，您的修改未保存。请刷新页面核对。") % {"v": current}
    except ValidationError as exc:
        status, saved, message = 400, False, "；".join(exc.messages)
    context = {
        "sub": sub,
        "code": code,
        "message": message,
        "saved": saved,
        "expected": _display(field, sub.answers.get(code)),
    }
    return render(request, "reports/fill_report.html#autosave", context, status=status)


@require_POST
@login_required
def fill_submit(request: HttpRequest, submission_id: int) -> HttpResponse:
    sub = _submission(request, submission_id)
    try:
        submission_services.submission_submit(submission=sub, user=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        context = _context(request, sub)
        context["submit_problems"] = exc.messages
        messages.error(request, _("还不能报送，请先处理下列问题。"))
        return render(request, "reports/fill_report.html", context, status=400)
    messages.success(request, _("已报送。"))
    return redirect("reports:fill", submission_id=sub.pk)


@require_POST
@login_required
def fill_upload(request: HttpRequest, submission_id: int) -> HttpResponse:
    sub = _submission(request, submission_id)
    code = request.POST.get("code", "")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择文件。"))
    else:
        try:
            filing.report_attach(submission=sub, user=request.user, code=code, upload=upload)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("附件已上传。"))
    return redirect(reverse("reports:fill", kwargs={"submission_id": sub.pk}) + f"#field-{code}")


def _evidence(request: HttpRequest, evidence_id: int) -> Evidence:
    return get_scoped_or_404(
        Evidence.objects.filter(  # scoping: ok get_scoped_or_404 below
            submission__round__kind=KIND
        ).select_related("submission"),
        request.user,
        pk=evidence_id,
    )


@login_required
def fill_evidence(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = _evidence(request, evidence_id)
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name
    )


@require_POST
@login_required
def fill_evidence_remove(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = _evidence(request, evidence_id)
    try:
        filing.report_detach(evidence=evidence, user=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("reports:fill", submission_id=evidence.submission_id)


def _decided(request: HttpRequest, submission_id: int) -> Submission:
    sub = _submission(request, submission_id)
    if not can(request.user, MANAGE, sub):
        raise Http404
    return sub


@require_POST
@login_required
def fill_return(request: HttpRequest, submission_id: int) -> HttpResponse:
    sub = _decided(request, submission_id)
    comments = {k[2:]: v for k, v in request.POST.items() if k.startswith("c-") and v.strip()}
    try:
        submission_services.submission_return(
            submission=sub,
            user=request.user,
            comments=comments,
            note=request.POST.get("note", ""),
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已退回，联络人会收到通知。"))
    return redirect("reports:fill", submission_id=sub.pk)


@require_POST
@login_required
def fill_accept(request: HttpRequest, submission_id: int) -> HttpResponse:
    sub = _decided(request, submission_id)
    try:
        submission_services.submission_accept(submission=sub, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已通过。"))
    return redirect("reports:fill", submission_id=sub.pk)


urlpatterns = [
    path("mine/", my_reports, name="fill_mine"),
    path("fill/<int:submission_id>/", fill, name="fill"),
    path("fill/<int:submission_id>/item/", fill_item, name="fill_item"),
    path("fill/<int:submission_id>/submit/", fill_submit, name="fill_submit"),
    path("fill/<int:submission_id>/upload/", fill_upload, name="fill_upload"),
    path("fill/<int:submission_id>/return/", fill_return, name="fill_return"),
    path("fill/<int:submission_id>/accept/", fill_accept, name="fill_accept"),
    path("evidence/<int:evidence_id>/", fill_evidence, name="fill_evidence"),
    path("evidence/<int:evidence_id>/remove/", fill_evidence_remove, name="fill_evidence_remove"),
]
