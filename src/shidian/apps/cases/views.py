"""Pages of the case library: the library and its search, a case, the office's calls, a case
submission (the pilot fills, experts give opinions, the office returns, sends to experts or
accepts). Thin: look up through the access mechanism (404 when invisible), call a service or
selector, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.cases import selectors, services, text
from shidian.apps.cases.kinds import ATTACHMENTS, IMAGES, ITEMS, KIND, SUBJECTS, THEMES, label_of
from shidian.apps.cases.models import Case, CaseOpinion, Verdict
from shidian.apps.core.access import FILL, MANAGE, REVIEW, VIEW, can, get_scoped_or_404
from shidian.apps.evidence.models import Evidence
from shidian.apps.orgs.models import SchoolType
from shidian.apps.programmes.models import Programme
from shidian.apps.submissions.models import Round, Submission
from shidian.apps.submissions.services import SubmissionConflict
from shidian.apps.submissions.states import WAITING


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _int(value: str, default: int = 1) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


@login_required
def library(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    filters = {
        "subject": request.GET.get("subject", "") if request.GET.get("subject") in dict(SUBJECTS)
        else "",
        "theme": request.GET.get("theme", "") if request.GET.get("theme") in dict(THEMES) else "",
        "school_type": request.GET.get("school_type", "")
        if request.GET.get("school_type") in SchoolType.values else "",
    }  # fmt: skip
    programme_id = request.GET.get("programme", "")
    programme_id = int(programme_id) if programme_id.isdigit() else None
    result = selectors.search(
        request.user, q, page=_int(request.GET.get("page", "1")), programme_id=programme_id,
        **filters,
    )  # fmt: skip
    rows = [
        {
            "case": case,
            "title": text.highlight(case.title, result.terms),
            "snippet": text.snippet(case.summary + "\n" + case.body, result.terms),
            "subject": label_of("subject", case.subject),
            "theme": label_of("theme", case.theme),
            "school_type": SchoolType(case.school_type).label if case.school_type else "",
        }
        for case in result.cases
    ]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "q": q,
        "result": result,
        "rows": rows,
        "filters": filters,
        "programme_id": programme_id,
        "subjects": SUBJECTS,
        "themes": THEMES,
        "school_types": SchoolType.choices,
        "query_string": params.urlencode(),
        "mine": list(selectors.my_case_submissions(request.user)[:20]),
        "reviewing": list(selectors.reviewing(request.user)[:20]),
    }
    template = "cases/library.html#results" if request.htmx else "cases/library.html"
    return render(request, template, context)


def _case(request: HttpRequest, case_id: int) -> Case:
    return get_scoped_or_404(
        Case.objects.select_related("unit", "programme"), request.user, VIEW, pk=case_id
    )


def _files(submission_id: int | None):
    return Evidence.objects.filter(  # scoping: ok the holder was looked up scoped
        submission_id=submission_id
    ).order_by("pk")


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    files = list(_files(case.submission_id))
    images = {f.pk for f in files if f.item_code == IMAGES and f.kind == "image"}
    terms = text.query_terms(request.GET.get("q", "")[:100])

    def image_url(pk: int) -> str | None:
        if pk not in images:
            return None
        return reverse("cases:case_file", kwargs={"case_id": case.pk, "case_file_id": pk})

    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "title": text.highlight(case.title, terms),
            "summary": text.highlight(case.summary, terms),
            "body": text.render_body(case.body, image_url),
            "attachments": [f for f in files if f.item_code == ATTACHMENTS],
            "subject": label_of("subject", case.subject),
            "theme": label_of("theme", case.theme),
            "school_type": SchoolType(case.school_type).label if case.school_type else "",
        },
    )


def _file_response(evidence: Evidence) -> FileResponse:
    inline = evidence.kind in ("image", "pdf")
    return FileResponse(
        evidence.file.open("rb"), as_attachment=not inline, filename=evidence.original_name
    )


@login_required
def case_file(request: HttpRequest, case_id: int, case_file_id: int) -> FileResponse:
    case = _case(request, case_id)
    evidence = _files(case.submission_id).filter(pk=case_file_id).first()
    if evidence is None or case.submission_id is None:
        raise Http404
    return _file_response(evidence)


@login_required
def programme_cases(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The office's page: the programme's case calls and a form to open one."""
    programme = get_scoped_or_404(Programme, request.user, VIEW, pk=programme_id)
    manage = can(request.user, MANAGE, programme)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        try:
            due = request.POST.get("due", "")
            round_obj = services.case_call_open(
                by=request.user,
                programme=programme,
                name=request.POST.get("name", ""),
                due=dt.date.fromisoformat(due) if due else None,
            )
        except ValueError:
            messages.error(request, _("日期格式不正确。"))
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已发起典型案例征集。"))
            return redirect("cases:call", case_round_id=round_obj.pk)
    calls = []
    for round_obj in selectors.case_calls(request.user, programme):
        sheets = list(round_obj.sheets.values_list("status", flat=True))
        calls.append(
            {
                "round": round_obj,
                "total": len(sheets),
                "waiting": sum(s in WAITING for s in sheets),
                "accepted": sum(s == "accepted" for s in sheets),
            }
        )
    return render(
        request,
        "cases/programme.html",
        {
            "programme": programme,
            "manage": manage,
            "calls": calls,
            "published": Case.objects.restrict(request.user, VIEW)
            .filter(programme=programme)
            .count(),
        },
    )


@login_required
def call_detail(request: HttpRequest, case_round_id: int) -> HttpResponse:
    round_obj = get_scoped_or_404(
        Round.objects.select_related("programme"), request.user, MANAGE, pk=case_round_id,
        kind=KIND,
    )  # fmt: skip
    sheets = (
        Submission.objects.restrict(request.user, VIEW)
        .filter(round=round_obj)
        .select_related("unit", "case_review")
        .order_by("unit__code")
    )
    return render(request, "cases/call.html", {"round": round_obj, "sheets": sheets})


def _submission(request: HttpRequest, submission_id: int) -> Submission:
    return get_scoped_or_404(
        Submission.objects.select_related("round__programme", "unit"),
        request.user,
        VIEW,
        pk=submission_id,
        round__kind=KIND,
    )


def _submission_context(request: HttpRequest, submission: Submission, posted=None) -> dict:
    user = request.user
    fill = submission.is_editable and can(user, FILL, submission)
    manage = can(user, MANAGE, submission)
    review = can(user, REVIEW, submission) and hasattr(submission, "case_review")
    answers = posted if posted is not None else dict(submission.answers)
    files = list(_files(submission.pk))
    images = {f.pk for f in files if f.item_code == IMAGES and f.kind == "image"}

    def image_url(pk: int) -> str | None:
        if pk not in images:
            return None
        return reverse(
            "cases:submission_file",
            kwargs={"case_submission_id": submission.pk, "case_evidence_id": pk},
        )

    items = [
        {"code": code, "label": label, "help": help_text, "required": required, "max": n,
         "value": answers.get(code, "") or "",
         "choices": SUBJECTS if code == "subject" else THEMES if code == "theme" else None,
         "shown": label_of(code, answers.get(code, "")) if code in ("subject", "theme")
         else answers.get(code, "")}
        for code, label, help_text, required, n in ITEMS
    ]  # fmt: skip
    opinions = CaseOpinion.objects.restrict(user, VIEW).filter(submission=submission)
    experts = []
    if manage and submission.status in WAITING:
        experts = services.case_experts(user)
    mine = opinions.filter(expert=user).first() if review else None
    published = Case.objects.filter(submission=submission).first()  # scoping: ok held
    return {
        "submission": submission,
        "items": items,
        "fill": fill,
        "decide": manage and submission.status in WAITING,
        "review": review,
        "in_review": hasattr(submission, "case_review"),
        "opinions": opinions.select_related("expert"),
        "mine": mine,
        "verdicts": Verdict.choices,
        "experts": experts,
        "images": [f for f in files if f.item_code == IMAGES],
        "attachments": [f for f in files if f.item_code == ATTACHMENTS],
        "body": text.render_body(answers.get("body", "") or "", image_url),
        "published": published,
    }


@login_required
def submission_page(request: HttpRequest, case_submission_id: int) -> HttpResponse:
    submission = _submission(request, case_submission_id)
    if request.method != "POST":
        return render(request, "cases/submission.html", _submission_context(request, submission))
    posted = {code: request.POST.get(code, "") for code, *_rest in ITEMS}
    try:
        submission = services.case_save(
            submission=submission,
            user=request.user,
            answers=posted,
            base_version=int(request.POST.get("base_version") or -1),
        )
        if request.POST.get("action") == "submit":
            services.case_submit(submission=submission, user=request.user)
            messages.success(request, _("已提交，等待项目办审核。"))
        else:
            messages.success(request, _("已保存。"))
        return redirect("cases:submission", case_submission_id=submission.pk)
    except SubmissionConflict:
        messages.error(request, _("内容已被他人修改，请刷新页面后重试。"))
    except ValidationError as exc:
        _errors(request, exc)
    submission.refresh_from_db()
    context = _submission_context(request, submission, posted)
    return render(request, "cases/submission.html", context, status=400)


@require_POST
@login_required
def submission_attach(request: HttpRequest, case_submission_id: int) -> HttpResponse:
    submission = _submission(request, case_submission_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            evidence = services.case_attach(
                submission=submission,
                user=request.user,
                item_code=request.POST.get("item_code", ""),
                upload=upload,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            if evidence.item_code == IMAGES:
                messages.success(
                    request,
                    _("图片已上传：在正文中单独写一行 [图片:%(id)s] 即可显示。")
                    % {"id": evidence.pk},
                )
            else:
                messages.success(request, _("附件已上传。"))
    return redirect("cases:submission", case_submission_id=submission.pk)


@require_POST
@login_required
def submission_decide(request: HttpRequest, case_submission_id: int) -> HttpResponse:
    submission = _submission(request, case_submission_id)
    action = request.POST.get("action", "")
    try:
        if action == "accept":
            case = services.case_accept(submission=submission, user=request.user)
            messages.success(request, _("已通过，案例已入库。"))
            return redirect("cases:case", case_id=case.pk)
        if action == "review":
            ids = [int(x) for x in request.POST.getlist("experts") if x.isdigit()]
            experts = list(services.case_experts(request.user, ids))
            services.case_send_review(submission=submission, user=request.user, experts=experts)
            messages.success(request, _("已送专家评审。"))
        elif action == "return":
            services.case_return(
                submission=submission,
                user=request.user,
                note=request.POST.get("note", ""),
                base_url=request.build_absolute_uri("/"),
            )
            messages.success(request, _("已退回学校修改。"))
        else:
            raise Http404
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("cases:submission", case_submission_id=submission.pk)


@require_POST
@login_required
def submission_opinion(request: HttpRequest, case_submission_id: int) -> HttpResponse:
    submission = _submission(request, case_submission_id)
    try:
        services.case_opinion(
            submission=submission,
            user=request.user,
            verdict=request.POST.get("verdict", ""),
            comment=request.POST.get("comment", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("评审意见已保存。"))
    return redirect("cases:submission", case_submission_id=submission.pk)


@login_required
def submission_file(
    request: HttpRequest, case_submission_id: int, case_evidence_id: int
) -> FileResponse:
    submission = _submission(request, case_submission_id)
    evidence = _files(submission.pk).filter(pk=case_evidence_id).first()
    if evidence is None:
        raise Http404
    return _file_response(evidence)
