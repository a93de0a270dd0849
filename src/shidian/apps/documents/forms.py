"""Forms of the documents app."""

from __future__ import annotations

import json
from typing import Any

import yaml
from django import forms
from django.utils.translation import gettext_lazy as _

from shidian.apps.documents.models import DocumentTemplate, Kind
from shidian.textclean import clean_text, clean_value

MAX_TEMPLATE_UPLOAD = 10 * 1024 * 1024
MAX_IMAGE_UPLOAD = 20 * 1024 * 1024


def parse_data(text: str) -> dict[str, Any]:
    """JSON or YAML text -> a mapping, or ValidationError with the parser's position."""
    text = text.strip()
    if not text:
        raise forms.ValidationError(_("请填写数据（JSON 或 YAML）。"))
    try:
        value = json.loads(text)
    except json.JSONDecodeError as json_error:
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else json_error.lineno
            raise forms.ValidationError(
                _("数据无法解析（第 %(line)s 行）：请检查 JSON/YAML 格式。"), params={"line": line}
            ) from exc
    if not isinstance(value, dict):
        raise forms.ValidationError(_("数据必须是一个对象（键值对）。"))
    # YAML dates become ISO strings: the inputs are stored as JSON.
    return _cleaned(json.loads(json.dumps(value, ensure_ascii=False, default=str)))


def _cleaned(value: Any) -> Any:
    """Every string of the data without control characters (a title may keep a line break:
    it is where the title is broken)."""
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return clean_value(value, multiline=True)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/png,image/jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        for f in cleaned:
            if f.size > MAX_IMAGE_UPLOAD:
                raise forms.ValidationError(_("图片不能超过 20 MB。"))
        return cleaned


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(label=_("文种"), choices=Kind.choices)
    template = forms.ModelChoiceField(
        label=_("模板"),
        queryset=DocumentTemplate.objects.none(),
        required=False,
        empty_label=_("内置默认模板"),
    )
    prefix = forms.CharField(
        label=_("机关代字（自动编号）"),
        max_length=20,
        required=False,
        help_text=_("例如“蒲教发”：按发文单位和年份自动分配文号；数据中已有 number 时不再分配。"),
    )
    data = forms.CharField(
        label=_("数据（JSON 或 YAML）"), widget=forms.Textarea(attrs={"rows": 18, "class": "mono"})
    )
    images = MultipleFileField(label=_("图片（数据中按文件名引用）"), required=False)

    def __init__(self, *args: Any, templates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates

    def clean_data(self) -> dict[str, Any]:
        return parse_data(self.cleaned_data["data"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        template = cleaned.get("template")
        if template is not None and template.kind != cleaned.get("kind"):
            self.add_error("template", _("模板的文种与所选文种不一致。"))
        return cleaned


class TemplateUploadForm(forms.Form):
    file = forms.FileField(label=_("模板文件（.docx）"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def clean_note(self) -> str:
        return clean_text(self.cleaned_data["note"])

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_TEMPLATE_UPLOAD:
            raise forms.ValidationError(_("模板文件不能超过 10 MB。"))
        return f


class TemplateCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("文种"), choices=Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    file = forms.FileField(label=_("模板文件（.docx，留空则使用内置模板）"), required=False)

    def clean_name(self) -> str:
        name = clean_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("请填写模板名称。"))
        return name

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f is not None and f.size > MAX_TEMPLATE_UPLOAD:
            raise forms.ValidationError(_("模板文件不能超过 10 MB。"))
        return f
