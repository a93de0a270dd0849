"""The pilot's own acceptance page (summary report and archive checklist) and the expert's
scoring page (phone first). Thin: look up through the access mechanism (404 when invisible),
call the services, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.acceptance import selectors, services
from shidian.apps.acceptance.kinds import SUMMARY, SUMMARY_FILE, documents_of
from shidian.apps.acceptance.models import Status
from shidian.apps.acceptance.services.scoring import NO, YES, scored_items
from shidian.apps.core.access import FILL, MANAGE, REVIEW, VIEW, can
from shidian.apps.evidence.models import Evidence
from shidian.apps.inspections.models import RectificationItem
from shidian.apps.reviews.models import Review
from shidian.apps.submissions.services import SubmissionConflict
from shidian.apps.submissions.states import WAITING


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _files(submission) -> dict[str, list]:
    found: dict[str, list] = {}
    evidence = Evidence.objects.filter(submission=submission)  # scoping: ok the page is visible
    for e in evidence.order_by("pk"):
        found.setdefault(e.item_code, []).append(e)
    return found


def _report_context(request: HttpRequest, submission, posted=None) -> dict:
    acceptance = submission.round.acceptance
    open_ = acceptance.status == Status.OPEN and submission.round.is_open
    fill = open_ and submission.is_editable and can(request.user, FILL, submission)
    answers = posted if posted is not None else dict(submission.answers)
    files = _files(submission)
    docs = []
    for code, name in documents_of(submission.round):
        value = answers.get(code) or {}
        docs.append({
            "code": code, "name": name, "files": files.get(code, []),
            "missing": bool(value.get("missing")), "note": value.get("note", ""),
        })  # fmt: skip
    verdict = selectors.verdict_for_report(submission)
    items = []
    if verdict is not None:
        items = list(
            RectificationItem.objects.restrict(request.user, VIEW).filter(
                source_type="acceptance.verdict", source_id=verdict.pk
            )
        )
    reviews = []
    if acceptance.status == Status.CONFIRMED:
        found = Review.objects.restrict(request.user, VIEW).filter(submission=submission)
        reviews = list(found.filter(draft=False))
    return {
        "acceptance": acceptance,
        "submission": submission,
        "summary": answers.get(SUMMARY, ""),
        "summary_files": files.get(SUMMARY_FILE, []),
        "docs": docs,
        "fill": fill,
        "decide": open_ and submission.status in WAITING and can(request.user, MANAGE, submission),
        "verdict": verdict,
        "verdict_reasons": [
            selectors.reason_text(acceptance, r["code"], r.get("params", {}))
            for r in (verdict.reasons if verdict else [])
        ],
        "items": items,
        "reviews": reviews,
        "can_score": acceptance.status == Status.OPEN and can(request.user, REVIEW, submission),
    }


def _posted_answers(request: HttpRequest, submission) -> dict:
    answers = {SUMMARY: request.POST.get(SUMMARY, "")}
    for code, _name in documents_of(submission.round):
        if request.POST.get(f"{code}-missing"):
            answers[code] = {"missing": True, "note": request.POST.get(f"{code}-note", "")}
    return answers


@login_required
def report_page(request: HttpRequest, report_id: int) -> HttpResponse:
    submission = selectors.report_for(user=request.user, report_id=report_id)
    if request.method != "POST":
        return render(request, "acceptance/report.html", _report_context(request, submission))
    answers = _posted_answers(request, submission)
    try:
        services.report_save(
            submission=submission,
            user=request.user,
            answers=answers,
            base_version=int(request.POST.get("base_version") or -1),
        )
        if request.POST.get("action") == "submit":
            submission.refresh_from_db()
            services.report_submit(submission=submission, user=request.user)
            messages.success(request, _("已提交，等待验收。"))
        else:
            messages.success(request, _("已保存。"))
        return redirect("acceptance:report", report_id=submission.pk)
    except SubmissionConflict:
        messages.error(request, _("内容已被他人修改，请刷新页面后重试。"))
    except ValidationError as exc:
        _errors(request, exc)
    except ValueError:
        messages.error(request, _("页面已过期，请刷新后重试。"))
    submission.refresh_from_db()
    context = _report_context(request, submission, posted=answers)
    return render(request, "acceptance/report.html", context, status=400)


@require_POST
@login_required
def report_attach(request: HttpRequest, report_id: int) -> HttpResponse:
    submission = selectors.report_for(user=request.user, report_id=report_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            services.report_attach(
                submission=submission,
                user=request.user,
                item_code=request.POST.get("item_code", ""),
                upload=upload,
            )
            messages.success(request, _("文件已上传。"))
        except ValidationError as exc:
            _errors(request, exc)
    return redirect("acceptance:report", report_id=submission.pk)


def _evidence(submission, acceptance_file_id: int):
    found = Evidence.objects.filter(  # scoping: ok the submission is visible
        submission=submission, pk=acceptance_file_id
    ).first()
    if found is None:
        raise Http404
    return found


@require_POST
@login_required
def report_detach(request: HttpRequest, report_id: int, acceptance_file_id: int) -> HttpResponse:
    submission = selectors.report_for(user=request.user, report_id=report_id)
    evidence = _evidence(submission, acceptance_file_id)
    try:
        services.report_detach(evidence=evidence, user=request.user)
        messages.success(request, _("文件已删除。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("acceptance:report", report_id=submission.pk)


@login_required
def report_file(request: HttpRequest, report_id: int, acceptance_file_id: int) -> FileResponse:
    submission = selectors.report_for(user=request.user, report_id=report_id)
    evidence = _evidence(submission, acceptance_file_id)
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name
    )


@require_POST
@login_required
def report_return(request: HttpRequest, report_id: int) -> HttpResponse:
    submission = selectors.report_for(user=request.user, report_id=report_id, action=MANAGE)
    try:
        services.report_return(
            submission=submission,
            user=request.user,
            note=request.POST.get("note", ""),
            base_url=request.build_absolute_uri("/"),
        )
        messages.success(request, _("已退回学校修改。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("acceptance:report", report_id=submission.pk)


def _score_context(request, submission, acceptance, posted=None) -> dict:
    review = Review.objects.filter(  # scoping: ok the expert's own review
        submission=submission, reviewer=request.user
    ).first()
    scores = posted["scores"] if posted else (review.item_scores if review else {})
    vetoes = posted["vetoes"] if posted else (review.veto_answers if review else {})
    remarks = posted["remarks"] if posted else {
        "strengths": review.strengths if review else "",
        "weaknesses": review.weaknesses if review else "",
        "suggestions": review.suggestions if review else "",
    }  # fmt: skip
    groups: list[dict] = []
    standard = acceptance.version.as_standard()
    scored = {i.code for i in scored_items(acceptance)}
    for dim in standard.dimensions:
        rows = [
            {"item": item, "value": scores.get(item.code, "")}
            for ind in dim.indicators
            for item in ind.items
            if item.code in scored
        ]
        if rows:
            groups.append({"dimension": dim, "rows": rows})
    return {
        "acceptance": acceptance,
        "submission": submission,
        "groups": groups,
        "vetoes": [{**v, "answer": vetoes.get(v["code"], "")} for v in acceptance.veto_items],
        "remarks": remarks,
        "review": review,
        "open": acceptance.status == Status.OPEN,
        "yes": YES,
        "no": NO,
        "summary": submission.answers.get(SUMMARY, ""),
        "summary_files": _files(submission).get(SUMMARY_FILE, []),
        "max_total": standard.max_total(),
    }


@login_required
def score_page(request: HttpRequest, report_id: int) -> HttpResponse:
    """The expert's scoring form for one pilot: on site on a phone or remotely."""
    submission = selectors.report_for(user=request.user, report_id=report_id, action=REVIEW)
    acceptance = submission.round.acceptance
    if not selectors.may_score(acceptance, submission, request.user):
        raise Http404
    if request.method != "POST":
        return render(
            request, "acceptance/score.html", _score_context(request, submission, acceptance)
        )
    posted = {
        "scores": {i.code: request.POST.get(f"s-{i.code}", "") for i in scored_items(acceptance)},
        "vetoes": {
            v["code"]: request.POST.get(f"v-{v['code']}", "") for v in acceptance.veto_items
        },
        "remarks": {k: request.POST.get(k, "") for k in ("strengths", "weaknesses", "suggestions")},
    }
    draft = request.POST.get("action") == "draft"
    try:
        services.score_put(
            by=request.user,
            submission=submission,
            scores=posted["scores"],
            vetoes=posted["vetoes"],
            draft=draft,
            **posted["remarks"],
        )
    except ValidationError as exc:
        _errors(request, exc)
        context = _score_context(request, submission, acceptance, posted=posted)
        return render(request, "acceptance/score.html", context, status=400)
    if draft:
        messages.success(request, _("草稿已保存（尚未提交，不计入汇总）；评完后请提交。"))
        return redirect("acceptance:score", report_id=submission.pk)
    messages.success(request, _("评分已提交。"))
    return redirect("acceptance:detail", acceptance_id=acceptance.pk)
