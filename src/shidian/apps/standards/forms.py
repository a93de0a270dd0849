from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(label=_("指标体系文件（XLSX 或 YAML）"))
    note = forms.CharField(label=_("修订说明"), max_length=300, required=False)
    dry_run = forms.BooleanField(label=_("只检查，不保存"), required=False)


class ItemEditForm(forms.Form):
    text = forms.CharField(label=_("评分要点"), widget=forms.Textarea(attrs={"rows": 2}))
    guidance = forms.CharField(
        label=_("评分说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    max_score = forms.FloatField(label=_("分值"), min_value=0)
    evidence_required = forms.BooleanField(label=_("需上传佐证材料"), required=False)
