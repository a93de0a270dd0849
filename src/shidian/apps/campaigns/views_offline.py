"""The offline workbook: download the unit's own XLSX; upload it back, see the diff, apply.
(The reviewer's page lives in views_review.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shidian.apps.campaigns import ingest, sheets
from shidian.apps.campaigns.presenters import answer_text
from shidian.apps.campaigns.views_sheet import _sheet
from shidian.apps.campaigns.workbook import MAX_UPLOAD_BYTES, WorkbookError, build_workbook
from shidian.apps.core.access import FILL, can

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONFIRM_SALT = "shidian.campaigns.upload-confirm"


@login_required
def sheet_workbook(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = _sheet(request, sheet_id)
    title = f"{sheet.campaign.name} · {sheet.unit.name}"
    data = build_workbook(sheet=sheet, standard=sheet.campaign.version.as_standard(), title=title)
    response = HttpResponse(data, content_type=XLSX)
    filename = f"{sheet.unit.code}-{sheet.campaign_id}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _rows(changes: list[ingest.Change]) -> list[dict]:
    return [
        {
            "code": c.code,
            "text": c.text,
            "before": answer_text(c.before),
            "after": answer_text(c.after),
        }
        for c in changes
    ]


def _preview(context: dict, checked: ingest.CheckedUpload) -> None:
    """The diff, the items the upload would revert, and the signed answers to confirm."""
    context["changes"] = _rows(checked.changes)
    context["reverts"] = _rows(checked.reverts)
    context["workbook_version"] = checked.workbook_version
    context["confirm"] = signing.dumps(
        {
            "s": checked.sheet.pk,
            "a": checked.answers,
            "v": checked.base_version,
            "w": checked.workbook_version,
        },
        salt=CONFIRM_SALT,
        compress=True,
    )


def _confirm(request: HttpRequest, sheet, context: dict) -> HttpResponse:
    try:
        payload = signing.loads(request.POST["confirm"], salt=CONFIRM_SALT, max_age=3600)
        if payload["s"] != sheet.pk:
            raise signing.BadSignature
    except signing.BadSignature as exc:
        raise Http404 from exc
    checked = ingest.CheckedUpload(sheet=sheet, answers=payload["a"], base_version=payload["v"])
    if sheet.version == checked.base_version:
        checked.changes, checked.reverts = ingest.compare(
            sheet=sheet,
            standard=sheet.campaign.version.as_standard(),
            answers=checked.answers,
            workbook_version=payload.get("w"),
        )
        checked.workbook_version = payload.get("w")
    # Older values over newer online edits only when the person said so, item by item shown.
    if checked.reverts and request.POST.get("overwrite") != "1":
        _preview(context, checked)
        context["error"] = _("请先勾选确认：用表格中的旧内容覆盖上面列出的在线修改。")
        return render(request, "campaigns/upload.html", context, status=400)
    try:
        ingest.workbook_apply(checked=checked, user=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except sheets.SheetConflict:
        messages.error(request, _("自查表在您预览之后被修改过，请重新上传以查看最新差异。"))
        return redirect("campaigns:upload", sheet_id=sheet.pk)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("campaigns:upload", sheet_id=sheet.pk)
    messages.success(request, _("表格内容已保存。"))
    return redirect("campaigns:sheet", sheet_id=sheet.pk)


@login_required
def sheet_upload(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = _sheet(request, sheet_id)
    if not can(request.user, FILL, sheet):
        raise Http404
    context = {"sheet": sheet, "campaign": sheet.campaign}
    if request.method == "POST" and request.POST.get("confirm"):
        return _confirm(request, sheet, context)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("请选择文件。")
        elif upload.size > MAX_UPLOAD_BYTES:  # before the file is read into memory
            context["error"] = _("文件超过 5 MB，不是本系统导出的自查表。")
        else:
            try:
                checked = ingest.workbook_check(data=upload.read(), sheet=sheet)
            except WorkbookError as exc:
                context["error"] = exc.message
            else:
                if not sheet.is_editable:
                    context["error"] = _("自查表已提交，不能修改。")
                else:
                    _preview(context, checked)
        status = 400 if context.get("error") else 200
        return render(request, "campaigns/upload.html", context, status=status)
    return render(request, "campaigns/upload.html", context)
