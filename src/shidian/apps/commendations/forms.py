"""Forms of commendations: a new list, a nomination, a decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.commendations.models import Category
from shidian.apps.orgs.picker import UnitPickerField


class CommendationForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)


class NominationForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    unit = UnitPickerField(
        label=_("单位"),
        help_text=_("先进单位须已通过验收；团队和个人填写所在单位。输入名称或代码搜索。"),
    )
    name = forms.CharField(label=_("团队名称或个人姓名"), max_length=100, required=False)
    role = forms.CharField(label=_("职务（先进个人）"), max_length=100, required=False)
    reason = forms.CharField(
        label=_("推荐理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("意见"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填。"),
    )


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("未采纳原因"), max_length=500, required=False)
