"""The shortlist form: the count, strata, shares or quotas, balance, minimum score and the units
included or excluded by hand (one per line: code, then the reason)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.selection.candidates import ATTRIBUTES, COVARIATES

REASON_MAX = 200
SPLIT = re.compile(r"[\s,，;；:：]+", re.UNICODE)


def quota_field(attribute: str, index: int, bound: str) -> str:
    return f"q-{attribute}-{index}-{bound}"


class ShortlistForm(forms.Form):
    count = forms.IntegerField(label=gettext_lazy("入围数"), min_value=1, max_value=100000)
    strata = forms.MultipleChoiceField(
        label=gettext_lazy("分层属性"),
        choices=list(ATTRIBUTES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    proportional = forms.BooleanField(label=gettext_lazy("按总体比例分配"), required=False)
    tolerance = forms.FloatField(
        label=gettext_lazy("允许偏差（百分点）"), min_value=0, max_value=100, required=False
    )
    balance = forms.MultipleChoiceField(
        label=gettext_lazy("均衡的指标"),
        choices=list(COVARIATES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_smd = forms.FloatField(
        label=gettext_lazy("最大标准化均值差 |SMD|"), min_value=0.001, max_value=5, required=False
    )
    min_score = forms.FloatField(label=gettext_lazy("最低自评总分"), required=False)
    include = forms.CharField(
        label=gettext_lazy("指定入围"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行一所：学校代码，空格，理由（必填）"),
    )
    exclude = forms.CharField(
        label=gettext_lazy("指定排除"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行一所：学校代码，空格，理由（必填）"),
    )

    def __init__(self, *args: Any, strata_values: dict[str, list[tuple[str, int]]], **kw: Any):
        super().__init__(*args, **kw)
        self.strata_values = strata_values
        for attribute, values in strata_values.items():
            for index, _value in enumerate(values):
                for bound in ("min", "max"):
                    self.fields[quota_field(attribute, index, bound)] = forms.IntegerField(
                        min_value=0, required=False
                    )

    def _lines(self, name: str) -> list[dict[str, str]]:
        items, seen = [], set()
        for number, line in enumerate(self.cleaned_data.get(name, "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            parts = SPLIT.split(line, maxsplit=1)
            code = parts[0].strip()
            reason = parts[1].strip() if len(parts) > 1 else ""
            if not reason:
                self.add_error(
                    name, _("第 %(n)d 行（%(code)s）缺少理由。") % {"n": number, "code": code}
                )
                continue
            if len(reason) > REASON_MAX:
                self.add_error(
                    name,
                    _("第 %(n)d 行的理由超过 %(max)d 个字符。") % {"n": number, "max": REASON_MAX},
                )
                continue
            if code in seen:
                self.add_error(name, _("%(code)s 重复填写。") % {"code": code})
                continue
            seen.add(code)
            items.append({"code": code, "reason": reason})
        return items

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        quotas = []
        for attribute, values in self.strata_values.items():
            for index, (stratum, _count) in enumerate(values):
                low = data.get(quota_field(attribute, index, "min"))
                high = data.get(quota_field(attribute, index, "max"))
                if low is None and high is None:
                    continue
                if low is not None and high is not None and low > high:
                    self.add_error(quota_field(attribute, index, "min"), _("下限不能大于上限。"))
                    continue
                quotas.append({"attribute": attribute, "stratum": stratum, "min": low, "max": high})
        data["quotas"] = quotas
        data["include_items"] = self._lines("include")
        data["exclude_items"] = self._lines("exclude")
        if data.get("proportional") and not data.get("strata"):
            self.add_error("strata", _("按比例分配时请至少勾选一个分层属性。"))
        return data

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        strata = list(data.get("strata") or [])
        return {
            "count": int(data["count"]),
            "strata": strata,
            "proportional": bool(data.get("proportional")),
            "tolerance": float(data.get("tolerance") or 0),
            "quotas": data["quotas"],
            "balance": list(data.get("balance") or []),
            "max_smd": float(data.get("max_smd") or 0.1),
            "min_score": data.get("min_score"),
            "include": data["include_items"],
            "exclude": data["exclude_items"],
        }


def initial_of(params: dict[str, Any], strata_values: dict[str, list[tuple[str, int]]]) -> dict:
    """The form's initial values from a run's params (to start the next run from it)."""
    initial: dict[str, Any] = {
        "count": params.get("count"),
        "strata": params.get("strata", []),
        "proportional": params.get("proportional", False),
        "tolerance": params.get("tolerance"),
        "balance": params.get("balance", []),
        "max_smd": params.get("max_smd"),
        "min_score": params.get("min_score"),
        "include": "\n".join(f"{i['code']} {i['reason']}" for i in params.get("include", [])),
        "exclude": "\n".join(f"{i['code']} {i['reason']}" for i in params.get("exclude", [])),
    }
    for quota in params.get("quotas", []):
        values = [v for v, _c in strata_values.get(quota["attribute"], [])]
        if quota["stratum"] in values:
            index = values.index(quota["stratum"])
            initial[quota_field(quota["attribute"], index, "min")] = quota.get("min")
            initial[quota_field(quota["attribute"], index, "max")] = quota.get("max")
    return initial
