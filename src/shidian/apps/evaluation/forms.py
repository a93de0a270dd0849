"""The evaluation page's choices (GET): the outcome and the period."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.evaluation.selectors import (
    PERIOD_CHOICES,
    TOTAL,
    YEAR,
    Outcome,
    grouped_choices,
)


class EvaluationForm(forms.Form):
    outcome = forms.ChoiceField(label=_("结果指标"), required=False)
    period = forms.ChoiceField(label=_("时期"), choices=PERIOD_CHOICES, required=False)

    def __init__(self, *args, outcomes: list[Outcome], **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = {o.key: o for o in outcomes}
        # grouped by source (自查赋分 / 周期报表 / 中期初评 / 验收): <optgroup>s in the chooser
        self.fields["outcome"].choices = grouped_choices(outcomes)

    def choice(self) -> tuple[Outcome, str]:
        """The chosen outcome and period mode; the defaults when the form is empty or bad."""
        data = self.cleaned_data if self.is_valid() else {}
        outcome = self.outcomes.get(data.get("outcome") or TOTAL) or self.outcomes[TOTAL]
        return outcome, data.get("period") or YEAR
