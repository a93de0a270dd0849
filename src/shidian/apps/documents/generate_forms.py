"""The generate page's forms: a document is made from fields (title, issuing body, addressees,
body text, attachment table, signature, date ...) with defaults from the user's unit and today;
"advanced: JSON" keeps the data editor for power users.

``build_generate_form`` takes initial data in the document schema (docs/documents.md), so a
page that knows what the document should say (a selection notice from a programme) can open
the same form prefilled.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.formfields import CleanCharField, date_input
from shidian.apps.documents.forms import GenerateForm, MultipleFileField
from shidian.apps.documents.models import DocumentTemplate, Kind
from shidian.apps.documents.selectors import issuer_for, number_prefix_for
from shidian.docgen.errors import DataInvalid
from shidian.docgen.plaintext import (
    blocks_from_text,
    is_table_line,
    split_cells,
    table_block,
    text_from_blocks,
)
from shidian.docgen.text import normalise_number
from shidian.textclean import clean_text

MODES = ("form", "json")
CC_SPLIT = re.compile(r"[，、,;；\n]+")
ADDRESSEES = {
    "province": "各市（州）教育局，厅直属各单位",
    "city": "各县（市、区）教育局，市直属各学校",
    "county": "各乡镇中心学校，县属各中小学、幼儿园",
}
BODY_HELP = _(
    "每行一段。以“一、”“（一）”“1.”“（1）”开头的行是各级标题，序号会自动重排；"
    "“（一）标题。正文……”这样的行是标题后接正文。从 Excel 粘贴的多列内容（或以 | 分隔的行）"
    "成为表格，第一行是表头；“[图：照片.jpg 说明]”插入上传的图片。"
)


class CleanedTextField(CleanCharField):
    """CleanCharField keeping the text's own spacing (a document's lines are typed as meant)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("strip", False)
        super().__init__(*args, **kwargs)


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class _Base(forms.Form):
    template = forms.ModelChoiceField(
        label=_("模板"), queryset=DocumentTemplate.objects.none(), required=False
    )
    images = MultipleFileField(label=_("图片（正文中以“[图：文件名 说明]”引用）"), required=False)
    fieldsets: list[tuple[Any, list[str]]] = []

    def __init__(self, *args: Any, templates: Any = None, kind: str = Kind.NOTICE, **kw: Any):
        super().__init__(*args, **kw)
        self.kind = kind
        field = self.fields["template"]
        assert isinstance(field, forms.ModelChoiceField)
        field.empty_label = str(_("内置默认模板"))
        if templates is not None:
            field.queryset = templates

    def grouped(self) -> list[tuple[Any, list[Any]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def clean_template(self) -> Any:
        template = self.cleaned_data.get("template")
        if template is not None and template.kind != self.kind:
            raise forms.ValidationError(_("模板的文种与所选文种不一致。"))
        return template


class OfficialForm(_Base):
    """通知, 通报 and 通报表彰."""

    issuer = CleanedTextField(
        label=_("发文机关"),
        max_length=100,
        error_messages={"required": _("请填写发文机关，例如“蒲阳县教育局”。")},
    )
    issuer_mark = CleanedTextField(
        label=_("发文机关标志"),
        max_length=100,
        required=False,
        help_text=_("留空则为“发文机关 + 文件”。"),
    )
    prefix = CleanedTextField(
        label=_("机关代字（自动编号）"),
        max_length=20,
        required=False,
        help_text=_("例如“蒲教发”：按发文单位和年份自动分配文号。"),
    )
    number = CleanedTextField(
        label=_("发文字号"),
        max_length=60,
        required=False,
        help_text=_("已有文号时填写，例如“蒲教发〔2021〕17号”；填写后不再自动编号。"),
    )
    title = CleanedTextField(
        label=_("标题"), max_length=300, error_messages={"required": _("请填写标题。")}
    )
    addressees = CleanedTextField(label=_("主送机关"), max_length=300, required=False)
    body = CleanedTextField(
        label=_("正文"),
        multiline=True,
        widget=_textarea(16),
        help_text=BODY_HELP,
        error_messages={"required": _("请填写正文（每行一段）。")},
    )
    attachment_title = CleanedTextField(label=_("附件名称"), max_length=200, required=False)
    attachment_body = CleanedTextField(
        label=_("附件说明文字"), multiline=True, required=False, widget=_textarea(3)
    )
    attachment_table = forms.CharField(
        label=_("附件表格"),
        required=False,
        strip=False,
        widget=_textarea(8),
        help_text=_("每行一项，单元格以 Tab（从 Excel 粘贴）或 | 分隔；第一行是表头。"),
    )
    signature = CleanedTextField(
        label=_("署名"), max_length=100, required=False, help_text=_("留空则与发文机关相同。")
    )
    date = forms.DateField(
        label=_("成文日期"),
        widget=date_input(),
        error_messages={
            "required": _("请填写成文日期。"),
            "invalid": _("成文日期无效，请按“2021-03-05”的格式填写。"),
        },
    )
    seal = forms.BooleanField(label=_("加盖印章（为印章留出位置）"), required=False)
    note = CleanedTextField(
        label=_("附注"), max_length=200, required=False, help_text=_("例如“此件公开发布”。")
    )
    record = forms.BooleanField(label=_("印发版记（抄送、印发机关、印发日期）"), required=False)
    cc = CleanedTextField(
        label=_("抄送机关"),
        max_length=300,
        required=False,
        help_text=_("多个机关以顿号或逗号分隔。"),
    )
    printer = CleanedTextField(
        label=_("印发机关"), max_length=100, required=False, help_text=_("留空则与发文机关相同。")
    )
    print_date = forms.DateField(
        label=_("印发日期"),
        required=False,
        widget=date_input(),
        help_text=_("留空则与成文日期相同。"),
    )

    fieldsets = [
        (_("版头"), ["template", "issuer", "issuer_mark", "prefix", "number"]),
        (_("正文"), ["title", "addressees", "body", "images"]),
        (_("附件"), ["attachment_title", "attachment_body", "attachment_table"]),
        (_("落款"), ["signature", "date", "seal", "note"]),
        (_("版记"), ["record", "cc", "printer", "print_date"]),
    ]

    def clean_number(self) -> str:
        number = self.cleaned_data["number"]
        if not number:
            return ""
        try:
            return normalise_number(number, where="number")
        except DataInvalid as exc:
            raise forms.ValidationError(
                _("发文字号的格式应为“蒲教发〔2021〕17号”（机关代字、〔年份〕、序号、号）。")
            ) from exc

    def clean_body(self) -> list[Any]:
        blocks = blocks_from_text(self.cleaned_data["body"])
        if not blocks:
            raise forms.ValidationError(_("请填写正文（每行一段）。"))
        return blocks

    def clean_attachment_table(self) -> list[list[str]]:
        text = clean_text(self.cleaned_data["attachment_table"] or "", multiline=True)
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines:
            return []
        rows = [split_cells(line) if is_table_line(line) else [line.strip()] for line in lines]
        columns = len(rows[0])
        for number, row in enumerate(rows[1:], 2):
            if len(row) > columns:
                raise forms.ValidationError(
                    _("第 %(row)s 行有 %(cells)s 列，表头（第 1 行）只有 %(columns)s 列。"),
                    params={"row": number, "cells": len(row), "columns": columns},
                )
        return rows

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        has_attachment = cleaned.get("attachment_body") or cleaned.get("attachment_table")
        if has_attachment and not cleaned.get("attachment_title"):
            self.add_error("attachment_title", _("有附件内容时请填写附件名称。"))
        date, print_date = cleaned.get("date"), cleaned.get("print_date")
        if date and print_date and print_date < date:
            self.add_error("print_date", _("印发日期不能早于成文日期。"))
        return cleaned

    def document_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        data: dict[str, Any] = {
            "issuer": c["issuer"],
            "title": c["title"],
            "addressees": c["addressees"],
            "body": c["body"],
            "date": c["date"].isoformat(),
            "seal": bool(c["seal"]),
            "record": bool(c["record"]),
        }
        for key in ("issuer_mark", "number", "signature", "note", "printer"):
            if c.get(key):
                data[key] = c[key]
        if c.get("cc"):
            data["cc"] = [part.strip() for part in CC_SPLIT.split(c["cc"]) if part.strip()]
        if c.get("print_date"):
            data["print_date"] = c["print_date"].isoformat()
        if c.get("attachment_title"):
            body = blocks_from_text(c.get("attachment_body") or "")
            if c.get("attachment_table"):
                body.append(table_block(c["attachment_table"]))
            data["attachments"] = [{"title": c["attachment_title"], "body": body}]
        return data


class BookletForm(_Base):
    """汇编: a cover and chapters (cases) typed one after another."""

    issuer = CleanedTextField(label=_("编印单位"), max_length=100, required=False)
    title = CleanedTextField(
        label=_("汇编标题"), max_length=300, error_messages={"required": _("请填写汇编标题。")}
    )
    subtitle = CleanedTextField(label=_("副题"), max_length=200, required=False)
    date = forms.DateField(label=_("日期"), required=False, widget=date_input())
    toc = forms.BooleanField(label=_("目录"), required=False)
    chapters = CleanedTextField(
        label=_("篇目"),
        multiline=True,
        widget=_textarea(18),
        help_text=_(
            "每篇以“# 篇名”一行开始，可接“作者：单位或姓名”一行，其后是正文（写法同通知正文）。"
        ),
        error_messages={"required": _("请填写篇目：每篇以“# 篇名”一行开始。")},
    )

    fieldsets = [
        (_("封面"), ["template", "issuer", "title", "subtitle", "date", "toc"]),
        (_("篇目"), ["chapters", "images"]),
    ]

    def clean_chapters(self) -> list[dict[str, Any]]:
        chapters: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        lines: list[str] = []
        before: list[str] = []
        for line in self.cleaned_data["chapters"].splitlines():
            stripped = line.strip()
            if stripped.startswith("#"):
                if current is not None:
                    current["body"] = blocks_from_text("\n".join(lines))
                    chapters.append(current)
                current, lines = {"title": stripped.lstrip("#").strip()}, []
                if not current["title"]:
                    raise forms.ValidationError(_("“#”后面要写篇名。"))
            elif current is None:
                if stripped:
                    before.append(stripped)
            elif not lines and "author" not in current and re.match(r"^作者[:：]", stripped):
                current["author"] = re.sub(r"^作者[:：]\s*", "", stripped)
            else:
                lines.append(line)
        if current is not None:
            current["body"] = blocks_from_text("\n".join(lines))
            chapters.append(current)
        if before or not chapters:
            raise forms.ValidationError(_("篇目要以“# 篇名”一行开始。"))
        return chapters

    def document_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        data: dict[str, Any] = {"title": c["title"], "chapters": c["chapters"], "toc": c["toc"]}
        for key in ("issuer", "subtitle"):
            if c.get(key):
                data[key] = c[key]
        if c.get("date"):
            data["date"] = c["date"].isoformat()
        return data


class JsonForm(GenerateForm):
    """Advanced: the document's data as JSON or YAML (every feature of the schema)."""

    def __init__(self, *args: Any, kind: str = Kind.NOTICE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def document_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data["data"])


def form_defaults(kind: str, *, unit: Any, today: dt.date | None = None) -> dict[str, Any]:
    """What a new document of ``kind`` from ``unit`` starts with."""
    today = today or timezone.localdate()
    issuer = issuer_for(unit)
    if kind == Kind.BOOKLET:
        return {"issuer": issuer, "date": today, "toc": True}
    return {
        "issuer": issuer,
        "prefix": number_prefix_for(unit),
        "addressees": ADDRESSEES.get(str(unit.level), "各有关单位"),
        "date": today,
        "seal": True,
        "record": True,
    }


def initial_from_data(kind: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """Form fields for document data, or None when the data needs the JSON editor (several
    attachments, merged cells, unnumbered headings ...)."""
    if kind == Kind.BOOKLET:
        parts = []
        for chapter in data.get("chapters") or []:
            body = text_from_blocks(chapter.get("body") or [])
            if body is None:
                return None
            parts.append(f"# {chapter.get('title', '')}")
            if chapter.get("author"):
                parts.append(f"作者：{chapter['author']}")
            parts.extend([body, ""])
        initial = {k: data[k] for k in ("issuer", "title", "subtitle", "date", "toc") if k in data}
        initial["chapters"] = "\n".join(parts).strip()
        return initial
    body = text_from_blocks(data.get("body") or [])
    if body is None:
        return None
    initial = {
        k: data[k]
        for k in ("issuer", "issuer_mark", "title", "addressees", "signature", "date", "note")
        if k in data
    }
    initial.update(body=body, seal=bool(data.get("seal", True)), record=data.get("record", True))
    if data.get("number"):
        try:
            initial["number"] = normalise_number(data["number"], where="number")
        except DataInvalid:
            return None
    if data.get("cc"):
        cc = data["cc"]
        initial["cc"] = "、".join(cc) if isinstance(cc, list) else str(cc)
    for key in ("printer", "print_date"):
        if data.get(key):
            initial[key] = data[key]
    attachments = data.get("attachments") or []
    if len(attachments) > 1:
        return None
    if attachments:
        att = attachments[0]
        blocks = list(att.get("body") or [])
        table = (
            blocks.pop()
            if blocks and isinstance(blocks[-1], dict) and "table" in blocks[-1]
            else None
        )
        text = text_from_blocks(blocks)
        table_text = text_from_blocks([table]) if table else ""
        if text is None or table_text is None:
            return None
        initial.update(
            attachment_title=att.get("title", ""),
            attachment_body=text,
            attachment_table=table_text,
        )
    return initial


def build_generate_form(
    kind: str,
    *,
    unit: Any,
    templates: Any,
    mode: str = "form",
    initial_data: dict[str, Any] | None = None,
    data: Any = None,
    files: Any = None,
) -> _Base | JsonForm:
    """The generate form for ``kind``: fields (``mode="form"``) or the JSON editor
    (``mode="json"``), bound to ``data``/``files`` on a POST. ``initial_data`` (document
    schema) prefills it over the unit's defaults; data the fields cannot hold opens the JSON
    editor instead."""
    default_template = templates.filter(current__isnull=False).first()
    if mode == "form" and initial_data is not None:
        from_data = initial_from_data(kind, initial_data)
        if from_data is None:
            mode = "json"
    if mode == "json":
        text = json.dumps(initial_data or {}, ensure_ascii=False, indent=2)
        return JsonForm(
            data,
            files,
            templates=templates,
            kind=kind,
            initial={"kind": kind, "template": default_template, "data": text},
        )
    initial = form_defaults(kind, unit=unit)
    if initial_data is not None:
        initial.update(from_data or {})
    initial["template"] = default_template
    form_class = BookletForm if kind == Kind.BOOKLET else OfficialForm
    return form_class(data, files, templates=templates, kind=kind, initial=initial)
