"""The set-up form of a formation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.communities.models import CommunityType
from shidian.apps.formations.inputs import CATEGORIES, FEATURES, LEAD_RULES
from shidian.apps.orgs.models import Locality, SchoolType


def _codes(text: str) -> list[str]:
    return [c for c in text.replace("，", ",").replace("\n", ",").split(",") if c.strip()]


def _pairs(text: str) -> list[list[str]]:
    out = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("，", ",").split(",") if p.strip()]
        if parts:
            if len(parts) != 2:
                raise forms.ValidationError(_("每行填写两所学校的代码，用逗号分开。"))
            out.append(parts)
    return out


class FormationForm(forms.Form):
    name = forms.CharField(label=_("组建方案名称"), max_length=120)
    kind = forms.ChoiceField(label=_("共同体类型"), choices=CommunityType.choices)
    n_groups = forms.IntegerField(label=_("共同体数量"), min_value=1)
    size_min = forms.IntegerField(label=_("每个共同体最少学校数"), min_value=1, required=False)
    size_max = forms.IntegerField(label=_("每个共同体最多学校数"), min_value=1, required=False)
    school_types = forms.MultipleChoiceField(
        label=_("学校类型（不选为全部）"),
        choices=SchoolType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    localities = forms.MultipleChoiceField(
        label=_("城乡（不选为全部）"),
        choices=Locality.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    features = forms.MultipleChoiceField(
        label=_("均衡的数值指标"),
        help_text=_("自评总分取每所学校最近一次已通过的自查赋分。"),
        choices=list(FEATURES.items()),
        initial=["students"],
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.MultipleChoiceField(
        label=_("均衡的类别"),
        choices=list(CATEGORIES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lead_codes = forms.CharField(
        label=_("牵头校代码（逗号分隔；留空则按下面的规则选出）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    lead_by = forms.ChoiceField(
        label=_("未填牵头校时，按此选出牵头校"),
        choices=list(LEAD_RULES.items()),
        initial="students",
        required=False,
        widget=forms.RadioSelect,
    )
    max_km = forms.FloatField(
        label=_("成员校与牵头校的最大距离（公里）"), required=False, min_value=0.1
    )
    apart = forms.CharField(
        label=_("须分开的学校对（每行两个代码）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    together = forms.CharField(
        label=_("须同组的学校对（每行两个代码）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def params(self) -> dict:
        d = self.cleaned_data
        return {
            "n_groups": d["n_groups"],
            "size_min": d.get("size_min"),
            "size_max": d.get("size_max"),
            "school_types": d.get("school_types") or [],
            "localities": d.get("localities") or [],
            "features": d.get("features") or ["students"],
            "categories": d.get("categories") or [],
            "lead_codes": [c.strip() for c in _codes(d.get("lead_codes") or "")],
            "lead_by": d.get("lead_by") or "students",
            "max_km": d.get("max_km"),
            "apart": _pairs(d.get("apart") or ""),
            "together": _pairs(d.get("together") or ""),
        }

    def clean_apart(self):
        _pairs(self.cleaned_data.get("apart") or "")
        return self.cleaned_data.get("apart")

    def clean_together(self):
        _pairs(self.cleaned_data.get("together") or "")
        return self.cleaned_data.get("together")
