"""Forms of the inspections pages. They only parse; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.formfields import date_input
from shidian.apps.documents.forms import MultipleFileField, MultipleFileInput
from shidian.apps.inspections.models import SelectionMethod, Severity
from shidian.apps.inspections.services.visits import STRATA_KEYS

STRATA_CHOICES = [("zone", _("片区")), ("school_type", _("学校类型")), ("locality", _("城乡"))]
assert [c for c, _label in STRATA_CHOICES] == list(STRATA_KEYS)


def inspector_candidates(programme: Any):
    from shidian.apps.accounts.models import User

    return (
        User.objects.within(programme.unit)
        .filter(is_active=True, role__in=["office", "leading_group", "zone", "expert"])
        .order_by("unit__path", "username")
    )


class VisitForm(forms.Form):
    title = forms.CharField(label=_("督查名称"), max_length=200)
    scheduled_on = forms.DateField(label=_("督查日期"), widget=date_input())
    inspectors = forms.ModelMultipleChoiceField(
        label=_("督查人员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    method = forms.ChoiceField(
        label=_("确定学校的方式"), choices=SelectionMethod.choices, widget=forms.RadioSelect
    )
    units = forms.MultipleChoiceField(
        label=_("直接指定：学校"), required=False, widget=forms.CheckboxSelectMultiple
    )
    month = forms.CharField(
        label=_("按末位：通报月份"), required=False, help_text=_("例如 2026-10")
    )
    count = forms.IntegerField(label=_("按末位：学校数"), required=False, min_value=1)
    cycle_number = forms.IntegerField(
        label=_("批次（不填则全部试点学校）"), required=False, min_value=1
    )
    size = forms.IntegerField(label=_("随机抽取：学校数"), required=False, min_value=1)
    strata = forms.MultipleChoiceField(
        label=_("随机抽取：分层依据"),
        choices=STRATA_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("按所选分层、按各层学校数比例分配名额（最大余数法）。"),
    )
    seed = forms.IntegerField(
        label=_("随机种子（不填则自动生成并记录）"), required=False, min_value=0
    )

    def __init__(self, *args: Any, programme: Any, pool: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = inspector_candidates(programme)
        self.fields["inspectors"].label_from_instance = lambda u: (
            f"{u.display_name}（{u.unit.name}）"
        )
        self.fields["units"].choices = [(str(u.pk), f"{u.code} {u.name}") for u in pool]
        self.pool = {u.pk: u for u in pool}
        if not self.is_bound:
            self.initial.setdefault("scheduled_on", timezone.localdate())
            self.initial.setdefault("method", SelectionMethod.DIRECT)

    def chosen_units(self) -> list[Any]:
        return [self.pool[int(v)] for v in self.cleaned_data.get("units") or []]

    def create_visit(self, *, by: Any, programme: Any) -> Any:
        """Schedule the visit the valid form describes (the page's and the API's one call)."""
        from shidian.apps.inspections.services import visits

        data = self.cleaned_data
        return visits.visit_create(
            by=by,
            programme=programme,
            title=data["title"],
            scheduled_on=data["scheduled_on"],
            method=data["method"],
            inspectors=list(data["inspectors"]),
            units=self.chosen_units(),
            month=data["month"] or "",
            count=data["count"],
            cycle_number=data["cycle_number"],
            size=data["size"],
            strata=data["strata"],
            seed=data["seed"],
        )


class FindingForm(forms.Form):
    units = forms.MultipleChoiceField(
        label=_("涉及学校"), widget=forms.CheckboxSelectMultiple, required=False
    )
    indicator_code = forms.CharField(label=_("指标"), required=False, max_length=64)
    text = forms.CharField(
        label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    needs_action = forms.BooleanField(label=_("需要整改"), required=False, initial=True)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices, initial="normal")
    photos = MultipleFileField(
        label=_("现场照片"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
        ),
    )

    def __init__(self, *args: Any, units: list[Any], indicators: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.unit_map = {u.pk: u for u in units}
        self.fields["units"].choices = [(str(u.pk), u.name) for u in units]
        if indicators:
            self.fields["indicator_code"] = forms.ChoiceField(
                label=_("指标"), required=False, choices=[("", "—"), *indicators]
            )

    def chosen_units(self) -> list[Any]:
        return [self.unit_map[int(v)] for v in self.cleaned_data.get("units") or []]


class TurnForm(forms.Form):
    title = forms.CharField(
        label=_("整改事项（不填则用发现的第一行）"), required=False, max_length=200
    )
    due_on = forms.DateField(label=_("整改期限"), widget=date_input())
    evidence_required = forms.CharField(
        label=_("须提交的佐证"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    files = MultipleFileField(
        label=_("佐证材料（照片、PDF 或 Office 文件）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("重新整改的原因"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ItemFilterForm(forms.Form):
    from shidian.apps.inspections.models import ItemStatus

    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *ItemStatus.choices]
    )
    severity = forms.ChoiceField(
        label=_("严重程度"), required=False, choices=[("", _("全部")), *Severity.choices]
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)
