"""A blank document set up for GB/T 9704-2012: page, language, Chinese line breaking, styles,
odd/even page numbers. Shipped templates start from it and rendering re-applies the styles to
uploaded templates that lack them."""

from __future__ import annotations

from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Twips

from shidian.docgen import layout as L
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

# style id -> (display name, font, size, extra paragraph settings)
STYLES: dict[str, tuple[str, str, float, dict[str, Any]]] = {
    "GwBody": ("公文正文", L.FONT_BODY, L.SIZE_3, {"first_line": chars(2), "jc": "both"}),
    "GwPlain": ("公文无缩进", L.FONT_BODY, L.SIZE_3, {"jc": "both"}),
    "GwH1": ("公文一级标题", L.FONT_HEI, L.SIZE_3, {"first_line": chars(2), "outline": 0}),
    "GwH2": ("公文二级标题", L.FONT_KAI, L.SIZE_3, {"first_line": chars(2), "outline": 1}),
    "GwH3": ("公文三级标题", L.FONT_BODY, L.SIZE_3, {"first_line": chars(2), "outline": 2}),
    "GwH4": ("公文四级标题", L.FONT_BODY, L.SIZE_3, {"first_line": chars(2), "outline": 3}),
    "GwMark": ("发文机关标志", L.FONT_TITLE, 36.0, {"jc": "center", "line": 1000}),
    "GwNumber": ("发文字号", L.FONT_BODY, L.SIZE_3, {"jc": "center"}),
    "GwTitle": ("公文标题", L.FONT_TITLE, L.SIZE_2, {"jc": "center", "line": 700}),
    "GwAttachTitle": ("附件标题", L.FONT_TITLE, L.SIZE_2, {"jc": "center", "line": 700}),
    "GwAttachLabel": ("附件标识", L.FONT_HEI, L.SIZE_3, {}),
    "GwRight": ("公文右对齐", L.FONT_BODY, L.SIZE_3, {"jc": "right"}),
    "GwTable": ("公文表格", L.FONT_BODY, L.SIZE_4, {"jc": "center", "line": 400}),
    "GwCaption": ("图题", L.FONT_KAI, L.SIZE_4, {"jc": "center", "line": 440}),
    "GwFooter": ("版记", L.FONT_BODY, L.SIZE_4, {"line": 440}),
    "GwPageNum": ("页码", L.FONT_SONG, L.SIZE_4, {"line": 320}),
    "GwChapter": ("汇编篇名", L.FONT_TITLE, L.SIZE_2, {"jc": "center", "line": 700, "outline": 0}),
    "GwChapterBy": ("汇编作者", L.FONT_KAI, L.SIZE_3, {"jc": "center"}),
    "GwCoverTitle": ("封面标题", L.FONT_TITLE, 36.0, {"jc": "center", "line": 1100}),
    "GwCoverSub": ("封面副题", L.FONT_KAI, L.SIZE_3, {"jc": "center"}),
    "GwTocHeading": ("目录标题", L.FONT_HEI, L.SIZE_2, {"jc": "center", "line": 700}),
}
RED_STYLES = {"GwMark"}
KEEP_NEXT = {"GwH1", "GwH2", "GwH3", "GwChapter", "GwAttachLabel", "GwAttachTitle"}
# U+2060 (word joiner) in both lists: text.keep_together glues dates and document numbers.
NO_LINE_START = (
    "!%),.:;?]}¢°·ˇˉ―‖’”…‰′″›℃∶、。〃〉》」』】〕〗〞︶︺︾﹀﹄﹚﹜﹞！＂％＇），．：；？］｝～￠"
    "\u2060"
)
NO_LINE_END = "$(£¥·‘“〈《「『【〔〖〝﹙﹛﹝＄（．［｛￡￥\u2060"


def _set_doc_defaults(doc: Any) -> None:
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rpr_set(rpr, font=L.FONT_BODY, size=L.SIZE_3, lang=True)
    ppr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    ppr_set(ppr, line=L.LINE_TWIPS, before=0, after=0)


def _settings(doc: Any) -> None:
    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is None:
        lang = el("themeFontLang")
        settings.append(lang)
    # python-docx's default template says eastAsia="ja-JP": Chinese documents need zh-CN so
    # that Word and LibreOffice apply Chinese line-breaking rules and fonts.
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    if settings.find(qn("w:evenAndOddHeaders")) is None:
        # Schema order (Word "repairs" files that break it): after defaultTabStop and the
        # hyphenation settings, before characterSpacingControl.
        anchor = settings.find(qn("w:characterSpacingControl"))
        node = el("evenAndOddHeaders")
        if anchor is not None:
            anchor.addprevious(node)
        else:
            settings.append(node)
    control = settings.find(qn("w:characterSpacingControl"))
    if control is not None:
        control.set(qn("w:val"), "doNotCompress")
        # Kinsoku lists for zh-CN (Word's own Simplified Chinese lists, plus half-width marks):
        # characters that may not start a line, and characters that may not end one.
        after = el("noLineBreaksAfter", lang="zh-CN", val=NO_LINE_END)
        before = el("noLineBreaksBefore", lang="zh-CN", val=NO_LINE_START)
        control.addnext(before)
        control.addnext(after)


def ensure_styles(doc: Any) -> None:
    """Add the Gw* styles a template lacks (an uploaded template may have renamed or lost one)."""
    existing = {s.style_id for s in doc.styles}
    normal = doc.styles["Normal"]
    nppr = normal.element.get_or_add_pPr()
    ppr_set(nppr, line=L.LINE_TWIPS, before=0, after=0, chinese_breaking=True)
    # No widow/orphan control: a full page holds exactly 22 lines, as the standard wants.
    child(nppr, "widowControl", val="0")
    sort_children(nppr, PPR_ORDER)
    rpr_set(
        normal.element.get_or_add_rPr(),
        font=L.FONT_BODY,
        size=L.SIZE_3,
        condense=L.CHAR_CONDENSE_TWIPS,
        lang=True,
    )
    for style_id, (name, font, size, opts) in STYLES.items():
        if style_id in existing:
            continue
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.element.set(qn("w:styleId"), style_id)
        style.base_style = normal
        style.quick_style = True
        opts = dict(opts)
        line = opts.pop("line", L.LINE_TWIPS)
        ppr_set(
            style.element.get_or_add_pPr(),
            line=line,
            chinese_breaking=True,
            keep_next=style_id in KEEP_NEXT,
            **opts,
        )
        rpr_set(
            style.element.get_or_add_rPr(),
            font=font,
            size=size,
            color=L.RED if style_id in RED_STYLES else None,
            condense=L.CHAR_CONDENSE_TWIPS if size == L.SIZE_3 else 0,
        )
    for level in (1, 2):
        sid = f"TOC{level}"
        if sid in existing:
            continue
        style = doc.styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.element.set(qn("w:styleId"), sid)
        style.base_style = normal
        ppr = style.element.get_or_add_pPr()
        tabs = child(ppr, "tabs")
        tabs.append(el("tab", val="right", leader="dot", pos=L.BLOCK_W_TWIPS - 10))
        # 4号 so that most case titles fit on one line with their page number.
        ppr_set(ppr, left=chars(2 * (level - 1)), line=L.LINE_TWIPS)
        rpr_set(style.element.get_or_add_rPr(), font=L.FONT_BODY, size=L.SIZE_4)


def setup_page(section: Any) -> None:
    section.page_width = Twips(L.mm(L.PAGE_W_MM))
    section.page_height = Twips(L.mm(L.PAGE_H_MM))
    section.top_margin = Twips(L.mm(L.TOP_MM))
    section.bottom_margin = Twips(L.mm(L.BOTTOM_MM))
    section.left_margin = Twips(L.mm(L.LEFT_MM))
    section.right_margin = Twips(L.mm(L.RIGHT_MM))
    section.header_distance = Twips(L.mm(15))
    # The footer's bottom sits so that the top of the page-number line is 7 mm below the block.
    number_line_mm = L.SIZE_4 * 0.3528 * 1.15
    section.footer_distance = Twips(L.mm(L.BOTTOM_MM - L.PAGE_NUMBER_GAP_MM - number_line_mm))
    section.gutter = Twips(0)


def page_number_footers(section: Any) -> None:
    """ "— 1 —" in 4号: odd pages right, even pages left, one character in from the edge."""
    section.different_first_page_header_footer = False
    side = L.PAGE_NUMBER_SIDE_TWIPS
    for footer, jc, left, right in (
        (section.footer, "right", None, side),
        (section.even_page_footer, "left", side, None),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        ppr = p._p.get_or_add_pPr()
        ppr_set(ppr, jc=jc, line=320, left=left, right=right)
        rpr = el("rPr")
        rpr_set(rpr, font=L.FONT_SONG, size=L.SIZE_4)
        run = p.add_run("— ")
        rpr_set(run._r.get_or_add_rPr(), font=L.FONT_SONG, size=L.SIZE_4)
        field_runs(p, "PAGE", rpr=rpr)
        run = p.add_run(" —")
        rpr_set(run._r.get_or_add_rPr(), font=L.FONT_SONG, size=L.SIZE_4)


def new_document() -> Any:
    """A blank python-docx Document with the GB/T 9704 page, styles and page numbers."""
    doc = Document()
    _set_doc_defaults(doc)
    _settings(doc)
    ensure_styles(doc)
    section = doc.sections[0]
    setup_page(section)
    page_number_footers(section)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    return doc


def add_paragraph(doc_or_container: Any, text: str = "", style: str = "GwBody") -> Any:
    """A paragraph with a Gw* style id (set on the XML: subdocuments share the parent's styles)."""
    p = doc_or_container.add_paragraph()
    ppr = p._p.get_or_add_pPr()
    child(ppr, "pStyle", val=style)
    sort_children(ppr, ["pStyle"])
    if text:
        p.add_run(text)
    return p
