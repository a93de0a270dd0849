"""A unit's sheet: fill (autosave per item, or the whole form without JavaScript), evidence,
submit; the office returns or accepts; history and comparison of any two saved versions."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.campaigns import evidence as evidence_services
from shidian.apps.campaigns import sheets
from shidian.apps.campaigns.models import Evidence, Sheet, SheetRevision, SheetStatus
from shidian.apps.campaigns.notices import request_base_url
from shidian.apps.campaigns.presenters import answer_text, answers_from_post, sheet_groups
from shidian.apps.core.access import FILL, MANAGE, REVIEW, can
from shidian.apps.core.scoping import get_scoped_or_404


def _posted_version(request: HttpRequest) -> int:
    """The sheet version the page was built from; a missing or malformed one is stale (-1), so
    the save is refused as a conflict instead of failing."""
    try:
        return int(request.POST.get("version", -1))
    except (TypeError, ValueError):
        return -1


class BadExpected(ValueError):
    """The page sent an ``expected`` answer that no page of ours produces."""


def _posted_expected(request: HttpRequest) -> dict | None:
    """The answer the page started from: JSON null or an object of plain values (what
    campaigns.js sends from data-saved); anything else is refused, never guessed at."""
    text = request.POST.get("expected")
    if text in (None, "", "null"):
        return None
    try:
        expected = json.loads(text)
    except ValueError as exc:
        raise BadExpected from exc
    if expected is None:
        return None
    if not isinstance(expected, dict) or not all(
        isinstance(v, sheets.SCALARS) for v in expected.values()
    ):
        raise BadExpected
    return expected or None


def _sheet(request: HttpRequest, sheet_id: int) -> Sheet:
    return get_scoped_or_404(
        Sheet.objects.select_related("round__version__standard", "unit").defer(
            "round__version__data"
        ),
        request.user,
        pk=sheet_id,
    )


def _context(request, sheet: Sheet, **extra) -> dict:
    standard = sheet.campaign.version.as_standard()
    manager = can(request.user, MANAGE, sheet.campaign)
    can_edit = can(request.user, FILL, sheet) and sheet.is_editable
    return {
        "sheet": sheet,
        "campaign": sheet.campaign,
        "standard": standard,
        "groups": sheet_groups(
            sheet=sheet,
            standard=standard,
            evidence=sheet.evidence.all(),
            comments=extra.pop("comments", None),
        ),
        "can_edit": can_edit,
        "manager": manager,
        "can_return": manager and sheet.status in (SheetStatus.SUBMITTED, SheetStatus.RESUBMITTED),
        "is_reviewer": can(request.user, REVIEW, sheet),
        "max_total": standard.max_total(),
        **extra,
    }


@login_required
def sheet_detail(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = _sheet(request, sheet_id)
    if request.method == "POST":
        standard = sheet.campaign.version.as_standard()
        try:
            sheets.sheet_save_all(
                sheet=sheet,
                user=request.user,
                answers=answers_from_post(standard, request.POST),
                base_version=_posted_version(request),
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except sheets.SheetConflict:
            messages.error(
                request,
                _("保存失败：其他人在您之后修改了这份自查表。下面是最新内容，请核对后再保存。"),
            )
            return redirect("campaigns:sheet", sheet_id=sheet.pk)
        except ValidationError as exc:
            messages.error(
                request, _("未保存：%(problems)s") % {"problems": "；".join(exc.messages)}
            )
            return render(request, "campaigns/sheet.html", _context(request, sheet), status=400)
        messages.success(request, _("已保存。"))
        return redirect("campaigns:sheet", sheet_id=sheet.pk)
    return render(request, "campaigns/sheet.html", _context(request, sheet))


@require_POST
@login_required
def sheet_item(request: HttpRequest, sheet_id: int) -> JsonResponse:
    """Autosave one item (campaigns.js); answers JSON, 409 on a conflicting edit."""
    sheet = _sheet(request, sheet_id)
    code = request.POST.get("code", "")
    answer = {
        "value": request.POST.get("value"),
        "numerator": request.POST.get("numerator"),
        "denominator": request.POST.get("denominator"),
    }
    answer = {k: v for k, v in answer.items() if v is not None}
    try:
        expected = _posted_expected(request)
    except BadExpected:
        message = _("未保存：页面数据不完整，请刷新页面后再填写此项。")
        return JsonResponse({"ok": False, "message": message}, status=400)
    try:
        sheet = sheets.sheet_save_item(
            sheet=sheet,
            user=request.user,
            code=code,
            answer=answer,
            base_version=_posted_version(request),
            expected=expected,
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except sheets.SheetConflict as conflict:
        current = conflict.sheet.answers.get(code)
        return JsonResponse(
            {
                "ok": False,
                "conflict": True,
                "message": _("其他人已修改此项为“%(value)s”，您的修改未保存。请刷新页面核对。")
                % {"value": answer_text(current)},
                "current": current,
                "version": conflict.sheet.version,
            },
            status=409,
        )
    except (ValidationError, ValueError) as exc:
        messages_ = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return JsonResponse({"ok": False, "message": "；".join(messages_)}, status=400)
    return JsonResponse(
        {
            "ok": True,
            "version": sheet.version,
            "saved": sheet.answers.get(code),
            "score": sheet.scores.get(code),
            "dimensions": sheet.dimension_scores,
            "total": sheet.total,
            "answered": sheet.answered,
            "status": sheet.get_status_display(),
        }
    )


@require_POST
@login_required
def sheet_submit(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = _sheet(request, sheet_id)
    try:
        sheets.sheet_submit(sheet=sheet, user=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        problems = exc.messages
        shown = "；".join(problems[:12]) + ("……" if len(problems) > 12 else "")
        messages.error(request, _("还不能提交：%(problems)s") % {"problems": shown})
        return redirect("campaigns:sheet", sheet_id=sheet.pk)
    messages.success(request, _("已提交，等待项目办审核。"))
    return redirect("campaigns:sheet", sheet_id=sheet.pk)


def _manager_sheet(request, sheet_id) -> Sheet:
    sheet = _sheet(request, sheet_id)
    if not can(request.user, MANAGE, sheet.campaign):
        raise Http404
    return sheet


@require_POST
@login_required
def sheet_return(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = _manager_sheet(request, sheet_id)
    comments = {
        key[2:]: value for key, value in request.POST.items() if key.startswith("c-") and value
    }
    try:
        sheets.sheet_return(
            sheet=sheet,
            user=request.user,
            comments=comments,
            note=request.POST.get("note", ""),
            base_url=request_base_url(request),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已退回，联络人会收到通知。"))
    return redirect("campaigns:sheet", sheet_id=sheet.pk)


@require_POST
@login_required
def sheet_accept(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = _manager_sheet(request, sheet_id)
    try:
        sheets.sheet_accept(sheet=sheet, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已通过。"))
    return redirect("campaigns:sheet", sheet_id=sheet.pk)


@login_required
def sheet_history(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = _sheet(request, sheet_id)
    revisions = list(
        SheetRevision.objects.restrict(request.user)
        .filter(submission=sheet)
        .select_related("created_by")
        .order_by("-number")
    )
    by_number = {r.number: r for r in revisions}
    diff = None
    a, b = request.GET.get("a"), request.GET.get("b")
    if a and b and a.isdigit() and b.isdigit():
        old, new = by_number.get(int(a)), by_number.get(int(b))
        if old is None or new is None:
            raise Http404
        standard = sheet.campaign.version.as_standard()
        diff = {
            "old": old,
            "new": new,
            "rows": [
                {
                    "code": item.code,
                    "text": item.text,
                    "before": answer_text(old.answers.get(item.code)),
                    "after": answer_text(new.answers.get(item.code)),
                }
                for item in standard.items()
                if old.answers.get(item.code) != new.answers.get(item.code)
            ],
        }
    return render(
        request, "campaigns/history.html", {"sheet": sheet, "revisions": revisions, "diff": diff}
    )


@require_POST
@login_required
def evidence_upload(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = _sheet(request, sheet_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择文件。"))
        return redirect("campaigns:sheet", sheet_id=sheet.pk)
    try:
        evidence_services.evidence_add(
            sheet=sheet, user=request.user, item_code=request.POST.get("code", ""), upload=upload
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("佐证材料已上传。"))
    return redirect(f"{_sheet_url(sheet)}#item-{request.POST.get('code', '')}")


def _sheet_url(sheet) -> str:
    from django.urls import reverse

    return reverse("campaigns:sheet", kwargs={"sheet_id": sheet.pk})


@login_required
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = get_scoped_or_404(
        Evidence.objects.select_related("submission"), request.user, pk=evidence_id
    )
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name
    )


@require_POST
@login_required
def evidence_remove(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = get_scoped_or_404(
        Evidence.objects.select_related("submission__round__version"),
        request.user,
        pk=evidence_id,
    )
    try:
        evidence_services.evidence_delete(evidence=evidence, user=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("campaigns:sheet", sheet_id=evidence.submission_id)
