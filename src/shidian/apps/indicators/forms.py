"""The indicator definition form: choices limited to what the person may manage."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.access import MANAGE
from shidian.apps.core.formfields import CleanCharField
from shidian.apps.indicators.attributes import Attribute
from shidian.apps.indicators.models import Measure, Source


class FieldChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.form.name} · {obj.label}"


class IndicatorForm(forms.Form):
    name = CleanCharField(label=_("名称"), max_length=200)
    source = forms.ChoiceField(label=_("数据来源"), choices=Source.choices)
    attribute = forms.ChoiceField(
        label=_("基础信息指标"),
        choices=[("", "—"), *Attribute.choices],
        required=False,
        help_text=_("来源为单位基础信息时选择。"),
    )
    programme = forms.ModelChoiceField(
        label=_("试点项目"), queryset=None, required=False, help_text=_("可不选：本单位的指标。")
    )
    report_field = FieldChoice(
        label=_("报表字段"), queryset=None, required=False, help_text=_("来源为报表字段时选择。")
    )
    measure = forms.ChoiceField(
        label=_("统计方式"), choices=[("", "—"), *Measure.choices], required=False
    )
    denominator_field = FieldChoice(
        label=_("分母字段"),
        queryset=None,
        required=False,
        help_text=_("可不选；选择时按“字段合计 ÷ 分母字段合计”计算比率。"),
    )
    unit_label = CleanCharField(label=_("计量单位"), max_length=20, required=False)
    description = CleanCharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shidian.apps.programmes.models import Programme
        from shidian.apps.reports.models import ReportField

        self.fields["programme"].queryset = Programme.objects.restrict(user, MANAGE).order_by(
            "name"
        )
        fields = (
            ReportField.objects.restrict(user, MANAGE)
            .filter(type__in=["number", "percent", "yes_no"])
            .exclude(form__status="draft")
            .select_related("form")
            .order_by("form__name", "order", "pk")
        )
        self.fields["report_field"].queryset = fields
        self.fields["denominator_field"].queryset = fields.exclude(type="yes_no")
