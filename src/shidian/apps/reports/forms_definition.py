"""Forms of the definition pages: a report form's settings, a field, a rule, a calendar."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.access import VIEW
from shidian.apps.core.formfields import CleanCharField, date_input
from shidian.apps.reports.models import (
    Audience,
    BreakKind,
    FieldType,
    PeriodType,
    RuleOperator,
    SchoolCalendar,
)
from shidian.apps.reports.services.calendars import BreakInput, TermInput
from shidian.apps.reports.services.definitions import FieldInput


class ReportFormForm(forms.Form):
    name = CleanCharField(label=_("报表名称"), max_length=200)
    description = CleanCharField(
        label=_("填报说明"),
        required=False,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    period_type = forms.ChoiceField(label=_("报送周期"), choices=PeriodType.choices)
    starts_on = forms.DateField(label=_("开始日期"), widget=date_input())
    ends_on = forms.DateField(label=_("结束日期"), widget=date_input())
    due_days = forms.IntegerField(
        label=_("截止（期末后天数）"),
        min_value=0,
        max_value=60,
        initial=3,
        help_text=_("每期结束后几天内报送，例如月报在次月 3 日前。"),
    )
    grace_days = forms.IntegerField(
        label=_("宽限天数"),
        min_value=0,
        max_value=60,
        initial=2,
        help_text=_("截止后仍算按时的天数；再晚算迟报，但仍可提交。"),
    )
    audience = forms.ChoiceField(label=_("报送对象"), choices=Audience.choices)
    batch_numbers = forms.TypedMultipleChoiceField(
        label=_("批次"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选即所有批次。"),
    )
    calendar = forms.ModelChoiceField(
        label=_("校历"),
        queryset=SchoolCalendar.objects.none(),
        required=False,
        help_text=_("选了校历，假期和学期外的报送期不需报送。"),
    )
    prefill = forms.BooleanField(label=_("按上期预填"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, programme: Any, frozen: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = SchoolCalendar.objects.restrict(user, VIEW).order_by(
            "-created_at"
        )
        self.fields["batch_numbers"].choices = [
            (c.number, _("第%(n)s批（%(year)s年）") % {"n": c.number, "year": c.year})
            for c in programme.cycles.order_by("number")
        ]
        if frozen:  # published: what schools fill against stays as it is
            for name in ("period_type", "starts_on", "audience", "batch_numbers", "calendar"):
                self.fields[name].disabled = True


def initial_form(form: Any) -> dict[str, Any]:
    names = ReportFormForm.base_fields
    return {n: getattr(form, n) for n in names if n != "calendar"} | {"calendar": form.calendar_id}


class FieldForm(forms.Form):
    code = forms.RegexField(
        label=_("代码"),
        regex=r"^[A-Za-z0-9_]+$",
        max_length=32,
        help_text=_("字母、数字和下划线，规则和导出用它，例如 classrooms。"),
        error_messages={"invalid": _("代码只能由字母、数字和下划线组成（最多 32 个字符）。")},
    )
    label = CleanCharField(label=_("名称"), max_length=200)
    type = forms.ChoiceField(label=_("类型"), choices=FieldType.choices)
    choices = CleanCharField(
        label=_("选项"),
        required=False,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选项字段用：每行一个选项。"),
    )
    unit_label = CleanCharField(label=_("计量单位"), max_length=20, required=False)
    minimum = forms.FloatField(label=_("最小值"), required=False)
    maximum = forms.FloatField(label=_("最大值"), required=False)
    required = forms.BooleanField(label=_("必填"), required=False, initial=True)
    allow_na = forms.BooleanField(label=_("允许“不适用”"), required=False)
    prefill = forms.BooleanField(label=_("按上期预填"), required=False)
    help_text = CleanCharField(label=_("说明"), max_length=300, required=False)

    def to_input(self) -> FieldInput:
        data = dict(self.cleaned_data)
        data["choices"] = [c.strip() for c in (data["choices"] or "").splitlines() if c.strip()]
        return FieldInput(**data)


def initial_field(field: Any) -> dict[str, Any]:
    names = FieldForm.base_fields
    values = {n: getattr(field, n) for n in names}
    values["choices"] = "\n".join(field.choices or [])
    return values


class RuleForm(forms.Form):
    left = CleanCharField(
        label=_("左项"), max_length=32, help_text=_("字段代码"), widget=forms.TextInput()
    )
    operator = forms.ChoiceField(label=_("关系"), choices=RuleOperator.choices)
    right = CleanCharField(label=_("右项"), max_length=32, help_text=_("字段代码或数字"))
    message = CleanCharField(label=_("提示"), max_length=200, required=False)

    def __init__(self, *args: Any, codes: list[str] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("left", "right"):
            self.fields[name].widget.attrs["list"] = "field-codes"
            self.fields[name].widget.attrs["autocomplete"] = "off"


class CalendarForm(forms.Form):
    name = CleanCharField(label=_("校历名称"), max_length=100)


class TermRowForm(forms.Form):
    name = CleanCharField(label=_("学期"), max_length=60, required=False)
    starts_on = forms.DateField(label=_("开始日期"), required=False, widget=date_input())
    ends_on = forms.DateField(label=_("结束日期"), required=False, widget=date_input())


class BreakRowForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=BreakKind.choices, initial=BreakKind.VACATION)
    name = CleanCharField(label=_("名称"), max_length=60, required=False)
    starts_on = forms.DateField(label=_("开始日期"), required=False, widget=date_input())
    ends_on = forms.DateField(label=_("结束日期"), required=False, widget=date_input())


TermFormSet = forms.formset_factory(TermRowForm, extra=2, can_delete=True)
BreakFormSet = forms.formset_factory(BreakRowForm, extra=3, can_delete=True)


def _rows(formset: Any) -> list[dict[str, Any]]:
    """Filled rows: a row with no name and no dates is an unused blank row."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data or {}
        if data.get("DELETE"):
            continue
        if not (data.get("name") or data.get("starts_on") or data.get("ends_on")):
            continue
        rows.append(data)
    return rows


def term_inputs(formset: Any) -> list[TermInput]:
    return [
        TermInput(r.get("name") or "", r.get("starts_on"), r.get("ends_on")) for r in _rows(formset)
    ]


def break_inputs(formset: Any) -> list[BreakInput]:
    return [
        BreakInput(r.get("name") or "", r.get("starts_on"), r.get("ends_on"), r.get("kind"))
        for r in _rows(formset)
    ]


def initial_terms(calendar: Any) -> list[dict[str, Any]]:
    if calendar is None:
        return []
    return [
        {"name": t.name, "starts_on": t.starts_on, "ends_on": t.ends_on}
        for t in calendar.terms.all()
    ]


def initial_breaks(calendar: Any) -> list[dict[str, Any]]:
    if calendar is None:
        return []
    return [
        {"kind": b.kind, "name": b.name, "starts_on": b.starts_on, "ends_on": b.ends_on}
        for b in calendar.breaks.all()
    ]
