"""汇编成册: a cover, a table of contents, then one chapter per case (text with images).

The table of contents is a real Word TOC field; LibreOffice fills in the page numbers through UNO
(convert.update_toc_and_export) when the booklet is finished.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from shidian.docgen import layout as L
from shidian.docgen.base import add_paragraph
from shidian.docgen.blocks import BlockWriter
from shidian.docgen.errors import DataInvalid
from shidian.docgen.ooxml import child, el, field_runs, ppr_set, rpr_set
from shidian.docgen.text import balance_title, cn_date, parse_date

Progress = Callable[[int, int], None]
TOC_PLACEHOLDER = "（目录页码在生成 PDF 时由 LibreOffice 更新；在 Word 中按 F9 更新）"


def normalise(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise DataInvalid("the data must be an object (JSON/YAML mapping)", code="data_type")
    title = str(data.get("title") or "").strip()
    if not title:
        raise DataInvalid("title: required", code="required", field="title")
    chapters = data.get("chapters")
    if not isinstance(chapters, list) or not chapters:
        raise DataInvalid("chapters: a non-empty list", code="required", field="chapters")
    for i, ch in enumerate(chapters):
        if not isinstance(ch, dict) or not str(ch.get("title", "")).strip():
            raise DataInvalid(f"chapters[{i}]: needs a title", code="required")
    date = parse_date(data["date"], where="date") if data.get("date") else None
    return {
        "issuer": str(data.get("issuer") or "").strip(),
        "title": title,
        "subtitle": str(data.get("subtitle") or "").strip(),
        "date_text": cn_date(date) if date else "",
        "chapters": chapters,
        "toc": data.get("toc", True),
    }


def _toc(sub: Any) -> None:
    heading = add_paragraph(sub, "目  录", "GwTocHeading")
    ppr_set(heading._p.get_or_add_pPr(), after=L.LINE_TWIPS)
    p = add_paragraph(sub, "", "GwPlain")
    rpr = el("rPr")
    rpr_set(rpr, font=L.FONT_BODY, size=L.SIZE_3)
    # Only the chapter titles (outline level 1) go into the table of contents.
    field_runs(p, 'TOC \\o "1-1" \\h \\z \\u', placeholder=TOC_PLACEHOLDER, rpr=rpr)


def build_context(
    tpl: Any,
    data: Any,
    *,
    base_dir: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    d = normalise(data)
    contents = tpl.new_subdoc()
    if d["toc"]:
        _toc(contents)
    total = len(d["chapters"])
    for i, ch in enumerate(d["chapters"]):
        # No manual line break in a chapter title: the table of contents copies the text.
        title = add_paragraph(contents, str(ch["title"]).strip(), "GwChapter")
        ppr = title._p.get_or_add_pPr()
        if d["toc"] or i > 0:
            child(ppr, "pageBreakBefore")
            from shidian.docgen.ooxml import PPR_ORDER, sort_children

            sort_children(ppr, PPR_ORDER)
        ppr_set(ppr, after=L.LINE_TWIPS // 2)
        if ch.get("author"):
            by = add_paragraph(contents, str(ch["author"]).strip(), "GwChapterBy")
            ppr_set(by._p.get_or_add_pPr(), after=L.LINE_TWIPS // 2)
        BlockWriter(contents, base_dir=base_dir, outline_shift=1).write(
            ch.get("body") or [], where=f"chapters[{i}].body"
        )
        if progress:
            progress(i + 1, total)
    return {
        "kind_label": "汇编",
        "issuer": d["issuer"],
        "title": balance_title(d["title"], per_line=11),
        "subtitle": d["subtitle"],
        "date_text": d["date_text"],
        "contents": contents,
    }
