"""Forms of roll-out plans."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class PlanForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    year = forms.IntegerField(label=_("推广年度"), min_value=2000, max_value=2100)
    max_km = forms.FloatField(
        label=_("距离上限（公里）"), min_value=0.1, max_value=1000, initial=30
    )
    max_load = forms.IntegerField(
        label=_("每所试点最多带动"), min_value=1, max_value=1000, initial=3
    )


class PairForm(forms.Form):
    max_km = forms.FloatField(label=_("距离上限（公里）"), min_value=0.1, max_value=1000)
    max_load = forms.IntegerField(label=_("每所试点最多带动"), min_value=1, max_value=1000)


class LeadForm(forms.Form):
    school = forms.ModelChoiceField(label=_("学校"), queryset=None)
    lead = forms.ModelChoiceField(label=_("带动试点"), queryset=None)

    def __init__(self, *args: Any, schools: Any, leads: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["school"].label_from_instance = lambda s: f"{s.unit.name}（{s.unit.code}）"
        self.fields["lead"].queryset = leads
        self.fields["lead"].label_from_instance = lambda u: f"{u.name}（{u.code}）"


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("意见"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填。"),
    )
