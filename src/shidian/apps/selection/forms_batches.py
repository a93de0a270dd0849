"""Forms of the batches step (forming, moving, swapping) and of the design check's inputs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shidian.apps.selection.candidates import ATTRIBUTES
from shidian.apps.selection.services.batches import BALANCED, METHODS


class BatchesForm(forms.Form):
    method = forms.ChoiceField(
        label=_("分批方式"),
        choices=list(METHODS.items()),
        initial=BALANCED,
        widget=forms.RadioSelect,
    )
    attributes = forms.MultipleChoiceField(
        label=_("均衡的属性"),
        choices=list(ATTRIBUTES.items()),
        initial=list(ATTRIBUTES),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("均衡分批时，每一批在这些属性上的构成尽量与全部试点一致。"),
    )


def _pilot_choices(placements: list[Any]) -> list[tuple[Any, str]]:
    return [(p.unit_id, f"{p.rank}. {p.unit.name}（{p.cycle}）") for p in placements]


class MoveForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("学校"), coerce=int)
    cycle = forms.TypedChoiceField(label=_("移到"), coerce=int)
    accept_sizes = forms.BooleanField(label=_("接受批次规模与目标不同"), required=False)

    def __init__(self, *args: Any, placements: list[Any], cycles: list[Any], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["unit"].choices = _pilot_choices(placements)
        self.fields["cycle"].choices = [(c.pk, str(c)) for c in cycles]
        if placements and len(cycles) > 1 and not self.is_bound:
            # Offer a batch other than the first school's, so the default is a real move.
            self.initial.setdefault(
                "cycle", next(c.pk for c in cycles if c.pk != placements[0].cycle_id)
            )

    def checked(self) -> dict[str, Any]:
        """The school, batch and size choice, or the page's refusal (the page and the API
        refuse alike)."""
        if not self.is_valid():
            raise ValidationError(gettext("请选择学校和要移到的批次。"))
        return self.cleaned_data


class SwapForm(forms.Form):
    unit_a = forms.TypedChoiceField(label=_("学校甲"), coerce=int)
    unit_b = forms.TypedChoiceField(label=_("学校乙"), coerce=int)

    def __init__(self, *args: Any, placements: list[Any], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["unit_a"].choices = _pilot_choices(placements)
        self.fields["unit_b"].choices = _pilot_choices(placements)
        other = [p for p in placements if placements and p.cycle_id != placements[0].cycle_id]
        if other and not self.is_bound:
            # The first school of another batch, so the default pair is a real swap.
            self.initial.setdefault("unit_b", other[0].unit_id)

    def checked(self) -> dict[str, Any]:
        """The two schools, or the page's refusal (the page and the API refuse alike)."""
        if not self.is_valid():
            raise ValidationError(gettext("请选择要对调的两所学校。"))
        return self.cleaned_data


class DesignForm(forms.Form):
    """The design check's inputs (a GET form: the page stores nothing)."""

    outcome = forms.ChoiceField(label=_("结果指标"), required=False)
    alpha = forms.FloatField(
        label=_("显著性水平"), min_value=0.001, max_value=0.5, initial=0.05, required=False
    )
    power = forms.FloatField(
        label=_("检验效能"), min_value=0.5, max_value=0.99, initial=0.8, required=False
    )
    rho = forms.FloatField(
        label=_("前后测相关系数 ρ（可选）"),
        min_value=-0.99,
        max_value=0.99,
        required=False,
    )
    method = forms.ChoiceField(
        label=_("分布"),
        choices=[("t", _("t 分布（精确）")), ("normal", _("正态近似"))],
        initial="t",
        required=False,
    )

    def __init__(self, *args: Any, outcomes: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["outcome"].choices = outcomes

    def values(self) -> dict[str, Any]:
        """The cleaned inputs with the defaults filled in (valid form), else the defaults."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "outcome": data.get("outcome") or "total",
            "alpha": data.get("alpha") or 0.05,
            "power": data.get("power") or 0.8,
            "rho": data.get("rho"),
            "method": data.get("method") or "t",
        }
