"""The reconcile step's forms: the office's choices and an expert's discussion score. Ranges are
checked by the services (so a call from anywhere gets the same messages); the forms parse."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.formfields import CleanCharField
from shidian.apps.selection.services.reconcile import DEFAULTS, NOTE_MAX


class ReconcileForm(forms.Form):
    method = forms.ChoiceField(
        label=_("专家得分的汇总方法"),
        choices=[
            ("mean", _("平均数")),
            ("trimmed", _("截尾平均数")),
            ("median", _("中位数")),
        ],
        initial=DEFAULTS["method"],
        widget=forms.RadioSelect,
    )
    trim = forms.FloatField(
        label=_("截尾比例"),
        initial=DEFAULTS["trim"],
        help_text=_("仅用于截尾平均数：两端各去掉的比例，0 以上、0.5 以下。"),
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )
    max_range = forms.FloatField(
        label=_("分歧阈值（分）"),
        initial=DEFAULTS["max_range"],
        help_text=_("同一学校专家最高分与最低分之差超过此值时，标记为需合议。"),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    self_weight = forms.FloatField(
        label=_("自评权重"),
        initial=DEFAULTS["self_weight"],
        help_text=_(
            "0～1；专家权重 = 1 − 自评权重。最终得分 = 自评权重 × 自评 + 专家权重 × 专家。"
        ),
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )


class DiscussionForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    # Checked by the service (range 0..the standard's full marks, a note required).
    score = forms.CharField(label=_("合议后得分"), max_length=20, required=False)
    note = CleanCharField(
        label=_("合议说明"),
        max_length=NOTE_MAX,
        multiline=True,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
