"""Accounts in bulk for the programme office: create, list batches, re-issue codes.

The activation codes exist in plain text only in the XLSX a POST answers with; the database
keeps their digests. So creating and re-issuing both answer with the file itself.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.accounts import codesheet, onboarding, selectors
from shidian.apps.accounts.forms import BulkAccountsForm, ReissueForm
from shidian.apps.accounts.models import ACTIVATION_STATUS_LABELS, AccountBatch, Role, User
from shidian.apps.core.access import MANAGE, action_required, get_scoped_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 100


def _code_file(request: HttpRequest, rows: list, *, unit_code: str, batch_id: int) -> HttpResponse:
    login_url = request.build_absolute_uri(reverse("accounts:activate"))
    response = HttpResponse(codesheet.code_workbook(rows, login_url=login_url), content_type=XLSX)
    name = codesheet.filename(unit_code, batch_id)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@action_required(MANAGE)
def bulk_create(request: HttpRequest) -> HttpResponse:
    form = BulkAccountsForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = onboarding.accounts_bulk_create(
                actor=request.user,
                root=data["root"],
                role=data["role"],
                school_types=data["school_types"],
                days=data["days"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if result.batch is None:
                messages.info(
                    request,
                    _("没有新建账号：%(root)s之下的 %(n)d 个单位都已有“%(role)s”账号。")
                    % {
                        "root": data["root"].name,
                        "n": result.skipped,
                        "role": Role(data["role"]).label,
                    },
                )
                return redirect("accounts:batches")
            messages.success(
                request,
                _(
                    "已创建 %(created)d 个账号（跳过已有账号的 %(skipped)d 个单位），"
                    "激活码表格已下载。"
                )
                % {"created": result.created, "skipped": result.skipped},
            )
            return _code_file(
                request, result.rows, unit_code=data["root"].code, batch_id=result.batch.pk
            )
    return render(request, "accounts/bulk_create.html", {"form": form})


@action_required(MANAGE)
def batch_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.batch_list(viewer=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/batch_list.html", {"page": page})


@action_required(MANAGE)
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_scoped_or_404(
        selectors.batch_list(viewer=request.user), request.user, MANAGE, pk=batch_id
    )
    status = request.GET.get("status", "")
    if status not in ACTIVATION_STATUS_LABELS:
        status = ""
    accounts = selectors.batch_accounts(batch=batch, viewer=request.user, status=status)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [("", _("全部")), *ACTIVATION_STATUS_LABELS.items()]
    context = {
        "batch": batch,
        "page": page,
        "status": status,
        "tabs": tabs,
        "form": ReissueForm(),
    }
    return render(request, "accounts/batch_detail.html", context)


def _reissue(request: HttpRequest, batch: AccountBatch, user_ids=None) -> HttpResponse:
    form = ReissueForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("accounts:batch_detail", batch_id=batch.pk)
    try:
        rows = onboarding.activation_codes_reissue(
            actor=request.user,
            batch=batch,
            user_ids=user_ids,
            days=form.cleaned_data["days"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:batch_detail", batch_id=batch.pk)
    messages.success(
        request, _("已为 %(n)d 个未激活账号重新生成激活码，旧激活码已失效。") % {"n": len(rows)}
    )
    return _code_file(request, rows, unit_code=batch.unit.code, batch_id=batch.pk)


@action_required(MANAGE)
@require_POST
def batch_reissue(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_scoped_or_404(
        AccountBatch.objects.select_related("unit"), request.user, MANAGE, pk=batch_id
    )
    return _reissue(request, batch)


@action_required(MANAGE)
@require_POST
def user_reissue(request: HttpRequest, user_id: int) -> HttpResponse:
    """A new code for one account not yet activated (lost the sheet, or the code expired)."""
    account = get_scoped_or_404(
        User.objects.select_related("activation_code__batch__unit"),
        request.user,
        MANAGE,
        pk=user_id,
    )
    record = getattr(account, "activation_code", None)
    if record is None:
        messages.error(request, _("该账号不是批量创建的，没有激活码。"))
        return redirect("accounts:detail", user_id=account.pk)
    return _reissue(request, record.batch, user_ids=[account.pk])
