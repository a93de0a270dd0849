from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.engine.scoring import MAX_LENGTHS
from shidian.textclean import clean_text


class ImportForm(forms.Form):
    file = forms.FileField(label=_("指标体系文件（XLSX 或 YAML）"))
    note = forms.CharField(label=_("修订说明"), max_length=MAX_LENGTHS["note"], required=False)
    dry_run = forms.BooleanField(label=_("只检查，不保存"), required=False)


class _CleanTextField(forms.CharField):
    """Control characters (a vertical tab pasted from Word, a NUL) are dropped before the
    length and null-character checks run, so pasted text is saved clean instead of refused."""

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        if isinstance(value, str):
            value = clean_text(value, multiline=self.multiline)
        return super().to_python(value)


class ItemEditForm(forms.Form):
    text = _CleanTextField(
        label=_("评分要点"),
        multiline=True,
        max_length=MAX_LENGTHS["text"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    guidance = _CleanTextField(
        label=_("评分说明"),
        multiline=True,
        max_length=MAX_LENGTHS["guidance"],
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    max_score = forms.FloatField(label=_("分值"), min_value=0)
    evidence_required = forms.BooleanField(label=_("需上传佐证材料"), required=False)
