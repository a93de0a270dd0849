"""汇编成册: a cover, an optional foreword (前言), a table of contents, then one chapter per case
(its title, author or school, a line of tags, a summary, the text with images, its attachments).

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
from shidian.docgen.ooxml import (
    PPR_ORDER,
    chars,
    child,
    el,
    field_runs,
    ppr_set,
    rpr_set,
    sort_children,
)
from shidian.docgen.text import balance_title, cn_date, keep_together, parse_date, width

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
        if not isinstance(ch.get("attachments") or [], list):
            raise DataInvalid(f"chapters[{i}].attachments: a list of names", code="data_type")
    foreword = data.get("foreword") or []
    if isinstance(foreword, str):
        foreword = [line.strip() for line in foreword.splitlines() if line.strip()]
    date = parse_date(data["date"], where="date") if data.get("date") else None
    return {
        "issuer": str(data.get("issuer") or "").strip(),
        "title": title,
        "subtitle": str(data.get("subtitle") or "").strip(),
        "date_text": cn_date(date) if date else "",
        "chapters": chapters,
        "foreword": foreword,
        "toc": data.get("toc", True),
    }


def _page_break_before(p: Any) -> None:
    ppr = p._p.get_or_add_pPr()
    child(ppr, "pageBreakBefore")
    sort_children(ppr, PPR_ORDER)


def _foreword(sub: Any, blocks: list[Any], *, base_dir: Path | None) -> None:
    """前言 on its own page after the cover (not in the table of contents)."""
    heading = add_paragraph(sub, "前  言", "GwTocHeading")
    ppr_set(heading._p.get_or_add_pPr(), after=L.LINE_TWIPS)
    BlockWriter(sub, base_dir=base_dir, outline_shift=1).write(blocks, where="foreword")


def _summary(sub: Any, text: str) -> None:
    """ "摘要：" in 黑体, the summary in 楷体, as a paragraph of its own under the title."""
    p = add_paragraph(sub, "", "GwBody")
    label = p.add_run("摘要：")
    rpr_set(label._r.get_or_add_rPr(), font=L.FONT_HEI)
    run = p.add_run(keep_together(text))
    rpr_set(run._r.get_or_add_rPr(), font=L.FONT_KAI)
    ppr_set(p._p.get_or_add_pPr(), after=L.LINE_TWIPS // 2)


def _attachments(sub: Any, names: list[Any]) -> None:
    """ "附件：1.名称" under the chapter's text, wrapped lines aligned with the name (as the
    attachment note of a notice)."""
    names = [str(n).strip() for n in names if str(n).strip()]
    for i, name in enumerate(names, 1):
        label = f"{i}." if len(names) > 1 else ""
        text_at = 2 + 3 + width(label)
        p = add_paragraph(sub, "", "GwPlain")
        ppr = p._p.get_or_add_pPr()
        start = 2 if i == 1 else 5
        ppr_set(
            ppr,
            left=chars(text_at),
            hanging=chars(text_at - start),
            before=L.LINE_TWIPS if i == 1 else None,
        )
        p.add_run(("附件：" if i == 1 else "") + label + keep_together(name))


def _toc(sub: Any, *, new_page: bool = False) -> None:
    heading = add_paragraph(sub, "目  录", "GwTocHeading")
    if new_page:
        _page_break_before(heading)
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
    if d["foreword"]:
        _foreword(contents, d["foreword"], base_dir=base_dir)
    if d["toc"]:
        _toc(contents, new_page=bool(d["foreword"]))
    total = len(d["chapters"])
    for i, ch in enumerate(d["chapters"]):
        # No manual line break in a chapter title: the table of contents copies the text.
        title = add_paragraph(contents, str(ch["title"]).strip(), "GwChapter")
        ppr = title._p.get_or_add_pPr()
        if d["toc"] or d["foreword"] or i > 0:
            _page_break_before(title)
        ppr_set(ppr, after=L.LINE_TWIPS // 2)
        if ch.get("author"):
            by = add_paragraph(contents, str(ch["author"]).strip(), "GwChapterBy")
            ppr_set(by._p.get_or_add_pPr(), after=L.LINE_TWIPS // 2)
        if str(ch.get("meta") or "").strip():
            meta = add_paragraph(contents, keep_together(str(ch["meta"]).strip()), "GwCaption")
            ppr_set(meta._p.get_or_add_pPr(), after=L.LINE_TWIPS // 2)
        if str(ch.get("summary") or "").strip():
            _summary(contents, str(ch["summary"]).strip())
        BlockWriter(contents, base_dir=base_dir, outline_shift=1).write(
            ch.get("body") or [], where=f"chapters[{i}].body"
        )
        _attachments(contents, ch.get("attachments") or [])
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
