"""The matching form of the controls step (对照组匹配)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.selection.candidates import ATTRIBUTES
from shidian.apps.selection.services.controls import (
    DEFAULTS,
    MAX_CALIPER,
    MAX_RATIO,
    covariate_choices,
)


class MatchForm(forms.Form):
    method = forms.ChoiceField(
        label=_("匹配方法"),
        choices=[("propensity", _("倾向得分")), ("mahalanobis", _("马氏距离"))],
        help_text=_("按倾向得分的 logit 或按协变量的马氏距离找最近的学校（贪心最近邻）。"),
        initial=DEFAULTS["method"],
        widget=forms.RadioSelect,
    )
    ratio = forms.IntegerField(
        label=_("每所试点学校的对照数"),
        min_value=1,
        max_value=MAX_RATIO,
        initial=DEFAULTS["ratio"],
    )
    caliper = forms.FloatField(
        label=_("卡钳（倾向得分 logit 的标准差倍数）"),
        required=False,
        min_value=0.01,
        max_value=MAX_CALIPER,
        initial=DEFAULTS["caliper"],
        help_text=_("常用 0.2；留空表示不设卡钳。马氏距离匹配时也按倾向得分限制。"),
    )
    exact = forms.MultipleChoiceField(
        label=_("精确匹配（同一类别内挑选对照）"),
        choices=list(ATTRIBUTES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    covariates = forms.MultipleChoiceField(
        label=_("协变量"),
        choices=[],
        initial=DEFAULTS["covariates"],
        widget=forms.CheckboxSelectMultiple,
    )
    replace = forms.BooleanField(
        label=_("允许一所对照学校对应多所试点学校（有放回）"), required=False
    )
    smd_denominator = forms.ChoiceField(
        label=_("标准化均值差的分母"),
        choices=[("treated", _("试点组的标准差（默认）")), ("pooled", _("两组合并的标准差"))],
        initial=DEFAULTS["smd_denominator"],
        help_text=_(
            "默认与 MatchIt、cobalt 估计试点效应（ATT）时相同；合并标准差为 "
            "√((s²试点 + s²对照)/2)。两者都取匹配前的样本，匹配前后可比。"
        ),
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["covariates"].choices = [(k, v) for k, v in covariate_choices()]

    def params(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["exact"] = list(data.get("exact") or [])
        data["covariates"] = list(data.get("covariates") or [])
        return data
