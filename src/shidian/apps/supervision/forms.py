"""The compute form: which batch, which month, and the weights of the score."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.supervision.months import MONTH_RE
from shidian.engine.league import DEFAULT_WEIGHTS


class ComputeForm(forms.Form):
    cycle = forms.TypedChoiceField(label=_("批次"), coerce=int)
    month = forms.RegexField(
        label=_("月份"),
        regex=MONTH_RE,
        max_length=7,
        help_text=_("格式为“年-月”，例如 2026-05；以该月最后一天为统计截止日。"),
        error_messages={"invalid": _("月份的格式应为“年-月”，例如 2026-05。")},
    )
    w_plan_rate = forms.IntegerField(
        label=_("计划完成率权重（%）"), min_value=0, max_value=100, initial=50
    )
    w_timeliness = forms.IntegerField(
        label=_("报送及时率权重（%）"), min_value=0, max_value=100, initial=30
    )
    w_completeness = forms.IntegerField(
        label=_("报送完整率权重（%）"), min_value=0, max_value=100, initial=0
    )
    w_goal_progress = forms.IntegerField(
        label=_("指标进展权重（%）"), min_value=0, max_value=100, initial=20
    )

    def __init__(self, *args, cycles=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [(c.pk, str(c)) for c in cycles]
        for name, weight in DEFAULT_WEIGHTS.items():
            self.fields[f"w_{name}"].initial = round(100 * weight)

    def clean(self) -> dict:
        data = super().clean()
        weights = {k: data.get(f"w_{k}") for k in DEFAULT_WEIGHTS}
        if all(w is not None for w in weights.values()) and not any(weights.values()):
            raise forms.ValidationError(_("至少有一项权重要大于 0。"))
        return data

    def rules(self) -> dict:
        return {
            "weights": {k: self.cleaned_data[f"w_{k}"] / 100 for k in DEFAULT_WEIGHTS},
        }
