"""The office's pages for defining report forms: list, create and edit, fields, rules,
periods preview, publish and close, and a read-only preview as the school sees it.

Every page needs MANAGE on the programme: a form is looked up through ``get_scoped_or_404``
(404 outside the subtree, 403 when seen but not managed). Writes go through
``services.definitions``; their refusals are shown on the page, nothing saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import MANAGE, get_scoped_or_404
from shidian.apps.programmes.models import Programme
from shidian.apps.reports.forms_definition import (
    FieldForm,
    ReportFormForm,
    RuleForm,
    initial_field,
    initial_form,
)
from shidian.apps.reports.models import (
    FieldType,
    FormStatus,
    ReportField,
    ReportForm,
    ReportRule,
)
from shidian.apps.reports.periods import period_label, reason_label
from shidian.apps.reports.rules import rule_text
from shidian.apps.reports.services import definitions as services

FIELDS_TEMPLATE = "reports/def_fields.html"


def _programme(request: HttpRequest, programme_id: int) -> Programme:
    return get_scoped_or_404(Programme, request.user, MANAGE, pk=programme_id)


def _form(request: HttpRequest, form_id: int) -> ReportForm:
    qs = ReportForm.objects.select_related("programme__unit", "calendar")
    return get_scoped_or_404(qs, request.user, MANAGE, pk=form_id)


def _field(request: HttpRequest, field_id: int) -> ReportField:
    qs = ReportField.objects.select_related("form__programme__unit")
    return get_scoped_or_404(qs, request.user, MANAGE, pk=field_id)


def _rule(request: HttpRequest, rule_id: int) -> ReportRule:
    qs = ReportRule.objects.select_related("form__programme__unit")
    return get_scoped_or_404(qs, request.user, MANAGE, pk=rule_id)


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _base(report: ReportForm, tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "report": report,
        "programme": report.programme,
        "tab": tab,
        "draft": report.status == FormStatus.DRAFT,
        "closed": report.status == FormStatus.CLOSED,
        **extra,
    }


@login_required
def form_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _programme(request, programme_id)
    forms = (
        ReportForm.objects.restrict(request.user, MANAGE)
        .filter(programme=programme)
        .select_related("calendar")
        .order_by("status", "-created_at")
    )
    return render(request, "reports/def_list.html", {"programme": programme, "forms": forms})


def _settings_form(request: HttpRequest, programme: Programme, report: ReportForm | None):
    data = request.POST if request.method == "POST" else None
    frozen = report is not None and report.status != FormStatus.DRAFT
    return ReportFormForm(
        data,
        user=request.user,
        programme=programme,
        frozen=frozen,
        initial=initial_form(report) if report else None,
    )


@login_required
def form_create(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _programme(request, programme_id)
    form = _settings_form(request, programme, None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.form_create(by=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("报表已创建，请添加字段。"))
            return redirect("reports:def_fields", form_id=report.pk)
    status = 400 if request.method == "POST" else 200
    context = {"programme": programme, "form": form, "report": None}
    return render(request, "reports/def_form.html", context, status=status)


@login_required
def form_edit(request: HttpRequest, form_id: int) -> HttpResponse:
    report = _form(request, form_id)
    form = _settings_form(request, report.programme, report)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if not form.fields[k].disabled}
        try:
            services.form_update(by=request.user, form=report, **changes)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("reports:def_detail", form_id=report.pk)
    status = 400 if request.method == "POST" else 200
    context = _base(report, "settings", form=form)
    return render(request, "reports/def_form.html", context, status=status)


@login_required
def form_detail(request: HttpRequest, form_id: int) -> HttpResponse:
    report = _form(request, form_id)
    periods = report.periods.all()
    context = _base(
        report,
        "detail",
        n_fields=report.fields.count(),
        n_rules=report.rules.count(),
        n_periods=periods.count(),
        n_expected=periods.filter(expected=True).count(),
    )
    return render(request, "reports/def_detail.html", context)


# ----- fields -------------------------------------------------------------------------------


def _fields_context(report: ReportForm, **extra: Any) -> dict[str, Any]:
    fields = list(report.fields.all())
    return _base(report, "fields", fields=fields, last=len(fields), **extra)


def _fields_response(request: HttpRequest, report: ReportForm, **extra: Any) -> HttpResponse:
    if request.htmx:
        return render(request, f"{FIELDS_TEMPLATE}#field_table", _fields_context(report, **extra))
    for error in extra.get("table_errors", []):
        messages.error(request, error)
    return redirect("reports:def_fields", form_id=report.pk)


@login_required
def fields_page(request: HttpRequest, form_id: int) -> HttpResponse:
    report = _form(request, form_id)
    # A published form only takes optional new fields: offer them unticked.
    initial = None if report.status == FormStatus.DRAFT else {"required": False}
    add = FieldForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and add.is_valid():
        try:
            services.field_add(by=request.user, form=report, data=add.to_input())
        except ValidationError as exc:
            add.add_error(None, _errors(exc))
        else:
            messages.success(request, _("已添加字段。"))
            return redirect("reports:def_fields", form_id=report.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, FIELDS_TEMPLATE, _fields_context(report, add=add), status=status)


@login_required
def field_edit(request: HttpRequest, field_id: int) -> HttpResponse:
    field = _field(request, field_id)
    report = field.form
    form = FieldForm(
        request.POST if request.method == "POST" else None, initial=initial_field(field)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.field_update(by=request.user, field=field, data=form.to_input())
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("reports:def_fields", form_id=report.pk)
    status = 400 if request.method == "POST" else 200
    context = _base(report, "fields", form=form, field=field)
    return render(request, "reports/def_field_edit.html", context, status=status)


@login_required
@require_POST
def field_remove(request: HttpRequest, field_id: int) -> HttpResponse:
    field = _field(request, field_id)
    report = field.form
    errors = []
    try:
        services.field_remove(by=request.user, field=field)
    except ValidationError as exc:
        errors = _errors(exc)
    else:
        if not request.htmx:
            messages.success(request, _("已删除字段。"))
    return _fields_response(request, report, table_errors=errors)


@login_required
@require_POST
def field_move(request: HttpRequest, field_id: int) -> HttpResponse:
    field = _field(request, field_id)
    errors = []
    try:
        services.field_move(
            by=request.user, field=field, direction=request.POST.get("direction", "")
        )
    except ValidationError as exc:
        errors = _errors(exc)
    return _fields_response(request, field.form, table_errors=errors)


# ----- rules --------------------------------------------------------------------------------


@login_required
def rules_page(request: HttpRequest, form_id: int) -> HttpResponse:
    report = _form(request, form_id)
    fields = list(report.fields.all())
    numeric = [f for f in fields if f.type in services.NUMERIC_TYPES]
    add = RuleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and add.is_valid():
        try:
            services.rule_add(by=request.user, form=report, **add.cleaned_data)
        except ValidationError as exc:
            add.add_error(None, _errors(exc))
        else:
            messages.success(request, _("已添加校验规则。"))
            return redirect("reports:def_rules", form_id=report.pk)
    labels = {f.code: f.label for f in fields}
    rules = [(r, rule_text(r, labels)) for r in report.rules.all()]
    status = 400 if request.method == "POST" else 200
    context = _base(report, "rules", add=add, rules=rules, numeric=numeric)
    return render(request, "reports/def_rules.html", context, status=status)


@login_required
@require_POST
def rule_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule(request, rule_id)
    report = rule.form
    try:
        services.rule_remove(by=request.user, rule=rule)
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, error)
    else:
        messages.success(request, _("已删除校验规则。"))
    return redirect("reports:def_rules", form_id=report.pk)


# ----- periods, publish, close, preview -----------------------------------------------------


@login_required
def periods_page(request: HttpRequest, form_id: int) -> HttpResponse:
    report = _form(request, form_id)
    if request.method == "POST":
        try:
            done = services.periods_materialize(by=request.user, form=report)
        except ValidationError as exc:
            for error in _errors(exc):
                messages.error(request, error)
        else:
            messages.success(
                request,
                _("报送期已生成：新增 %(created)s，更新 %(updated)s，删除 %(deleted)s。")
                % {"created": done.created, "updated": done.updated, "deleted": done.deleted},
            )
        return redirect("reports:def_periods", form_id=report.pk)
    problems, computed = [], []
    try:
        computed = services.periods_preview(report)
    except ValidationError as exc:
        problems = _errors(exc)
    saved = {p.key: p for p in report.periods.all()}
    rows = [
        {
            "key": p.key,
            "label": period_label(p),
            "period": p,
            "reason": reason_label(p.reason) if not p.expected else "",
            "saved": p.key in saved,
            "round": p.key in saved and saved[p.key].round_id is not None,
        }
        for p in computed
    ]
    stale = {p.key for p in computed} != set(saved) or any(
        (s.starts_on, s.ends_on, s.due_on, s.closes_on, s.expected)
        != (p.starts_on, p.ends_on, p.due_on, p.closes_on, p.expected)
        for p in computed
        if (s := saved.get(p.key)) is not None and s.round_id is None
    )
    extra = [s for k, s in saved.items() if k not in {p.key for p in computed}]
    context = _base(
        report,
        "periods",
        rows=rows,
        problems=problems,
        stale=stale,
        extra=extra,
        n_expected=sum(1 for p in computed if p.expected),
    )
    return render(request, "reports/def_periods.html", context)


@login_required
@require_POST
def form_publish(request: HttpRequest, form_id: int) -> HttpResponse:
    report = _form(request, form_id)
    try:
        services.form_publish(by=request.user, form=report)
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, error)
    else:
        messages.success(request, _("报表已发布。"))
    return redirect("reports:def_detail", form_id=report.pk)


@login_required
@require_POST
def form_close(request: HttpRequest, form_id: int) -> HttpResponse:
    report = _form(request, form_id)
    try:
        services.form_close(by=request.user, form=report)
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, error)
    else:
        messages.success(request, _("报表已停用。"))
    return redirect("reports:def_detail", form_id=report.pk)


@login_required
def form_preview(request: HttpRequest, form_id: int) -> HttpResponse:
    """The form as a school sees it, read-only (nothing can be typed or sent)."""
    report = _form(request, form_id)
    fields = list(report.fields.all())
    labels = {f.code: f.label for f in fields}
    rules = [rule_text(r, labels) for r in report.rules.all()]
    context = _base(report, "preview", fields=fields, rules=rules, types=FieldType)
    return render(request, "reports/def_preview.html", context)


urlpatterns = [
    path("programmes/<int:programme_id>/forms/", form_list, name="def_list"),
    path("programmes/<int:programme_id>/forms/new/", form_create, name="def_create"),
    path("forms/<int:form_id>/", form_detail, name="def_detail"),
    path("forms/<int:form_id>/edit/", form_edit, name="def_edit"),
    path("forms/<int:form_id>/fields/", fields_page, name="def_fields"),
    path("forms/<int:form_id>/rules/", rules_page, name="def_rules"),
    path("forms/<int:form_id>/periods/", periods_page, name="def_periods"),
    path("forms/<int:form_id>/publish/", form_publish, name="def_publish"),
    path("forms/<int:form_id>/close/", form_close, name="def_close"),
    path("forms/<int:form_id>/preview/", form_preview, name="def_preview"),
    path("fields/<int:field_id>/edit/", field_edit, name="def_field_edit"),
    path("fields/<int:field_id>/remove/", field_remove, name="def_field_remove"),
    path("fields/<int:field_id>/move/", field_move, name="def_field_move"),
    path("rules/<int:rule_id>/remove/", rule_remove, name="def_rule_remove"),
]
