from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.formfields import CleanCharField
from shidian.engine.scoring import MAX_LENGTHS


class ImportForm(forms.Form):
    file = forms.FileField(label=_("指标体系文件（XLSX 或 YAML）"))
    note = forms.CharField(label=_("修订说明"), max_length=MAX_LENGTHS["note"], required=False)
    dry_run = forms.BooleanField(label=_("只检查，不保存"), required=False)


class ItemEditForm(forms.Form):
    text = CleanCharField(
        label=_("评分要点"),
        multiline=True,
        max_length=MAX_LENGTHS["text"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    guidance = CleanCharField(
        label=_("评分说明"),
        multiline=True,
        max_length=MAX_LENGTHS["guidance"],
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    max_score = forms.FloatField(label=_("分值"), min_value=0)
    evidence_required = forms.BooleanField(label=_("需上传佐证材料"), required=False)
