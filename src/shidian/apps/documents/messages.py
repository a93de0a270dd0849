"""User-facing (translated) text for the document library's error codes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shidian.docgen.convert import INSTALL_HINT
from shidian.docgen.errors import DocgenError


def _texts() -> dict[str, str]:
    return {
        "template_not_docx": _("不是 Word .docx 文件：请在 Word 或 WPS 中另存为 .docx 后上传。"),
        "template_macro": _("文件含有宏（.docm / VBA），不予接受：请另存为不含宏的 .docx。"),
        "template_bomb": _("文件解压后体积异常（疑似压缩炸弹），不予接受。"),
        "template_too_large": _("模板文件超过 10 MB。"),
        "template_broken": _("文件已损坏，Word 无法读取。"),
        "template_syntax": _("第 %(line)s 段的占位符有语法错误（%(name)s）：%(detail)s"),
        "template_unknown_field": _("第 %(line)s 段使用了不存在的占位符“%(name)s”。"),
        "template_missing_field": _("模板缺少必需的占位符“%(name)s”。"),
        "template_render": _("模板渲染失败：%(detail)s"),
        "template_too_big": _(
            "模板生成的内容过大（超过 %(limit)s 个字符或条目），已停止。请检查模板中的占位符，"
            "例如对标题做了重复或乘法运算。"
        ),
        "template_too_slow": _("模板渲染超过 %(limit)s 秒，已停止。请检查模板中的循环和占位符。"),
        "image_invalid": _("图片无法识别（只接受 PNG、JPEG、GIF、BMP）：%(detail)s"),
        "image_missing": _("找不到数据中引用的图片：%(detail)s"),
        "image_large": _("图片过大：%(detail)s"),
        "soffice_missing": _(
            "服务器未安装 LibreOffice，无法生成 PDF（.docx 不受影响）。请安装：%(hint)s"
        ),
        "soffice_timeout": _("LibreOffice 转换超时，已被终止。可稍后重试。"),
        "soffice_failed": _("LibreOffice 转换失败：%(detail)s"),
        "uno_missing": _("缺少 python3-uno，无法更新目录。请安装：%(hint)s"),
    }


def describe_code(code: str, params: dict[str, Any]) -> str | None:
    """A failed run's code and params (runs store them), told the same way; None when unknown."""
    if code not in _texts() and code != "docx_missing":
        return None
    if code == "docx_missing":
        return _("文档的 .docx 还没有生成，无法转换 PDF。")
    params = dict(params)
    detail = str(params.pop("detail", "") or "")
    return describe(DocgenError(detail, code=code, **params))


def describe(error: DocgenError | str) -> str:
    """A message for the person in front of the page; the English detail stays attached."""
    if isinstance(error, DocgenError):
        code, detail, params = error.code, error.message, dict(error.params)
    else:
        code, _sep, detail = str(error).partition(": ")
        params = {}
    text = _texts().get(code)
    if text is None:
        return detail or code
    values: dict[str, Any] = {
        "detail": detail,
        "hint": INSTALL_HINT,
        "line": "?",
        "name": "",
        "limit": "",
    }
    values.update({k: v for k, v in params.items() if v is not None})
    return text % values
