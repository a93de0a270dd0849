"""The templates we ship (通知, 通报, 通报表彰, 汇编封面), built in code so that they are exact.

Each is an ordinary .docx with docxtpl placeholders that an office can open in Word or WPS, edit
(wording, colours, fonts) and upload back as a new version. The placeholders are listed in
docs/documents.md.
"""

from __future__ import annotations

import io
from typing import Any

from docx.oxml.ns import qn

from shidian.docgen import layout as L
from shidian.docgen.base import add_paragraph, new_document
from shidian.docgen.ooxml import (
    TBLPR_ORDER,
    bottom_border,
    chars,
    child,
    el,
    ppr_set,
    rpr_set,
    sort_children,
)

KINDS = ("notice", "bulletin", "commendation", "booklet")
KIND_LABELS = {
    "notice": "通知",
    "bulletin": "通报",
    "commendation": "通报表彰",
    "booklet": "汇编",
}
LINE = L.LINE_TWIPS


def _official(doc: Any) -> None:
    # 发文机关标志: its top 35 mm below the top of the text block.
    mark = add_paragraph(doc, "{{ issuer_mark }}", "GwMark")
    ppr_set(mark._p.get_or_add_pPr(), before=L.mm(35) - 230)
    # 发文字号 two lines below the mark; the red rule 4 mm below the number.
    number = add_paragraph(doc, "{{ doc_number }}", "GwNumber")
    ppr = number._p.get_or_add_pPr()
    ppr_set(ppr, before=2 * LINE - 120)
    bottom_border(ppr, color=L.RED, size_eighths=12, space_pt=8)
    # Title two lines below the rule; addressees one line below the title.
    title = add_paragraph(doc, "{{ title }}", "GwTitle")
    ppr_set(title._p.get_or_add_pPr(), before=2 * LINE - 200)
    addressees = add_paragraph(doc, "{{ addressees }}", "GwPlain")
    ppr_set(addressees._p.get_or_add_pPr(), before=LINE)
    add_paragraph(doc, "{{p body }}", "GwBody")
    add_paragraph(doc, "{{p closing }}", "GwBody")
    add_paragraph(doc, "{{p attachments }}", "GwBody")
    _record(doc)


def _record(doc: Any) -> None:
    """版记 (抄送, 印发机关, 印发日期) as a table floating at the foot of the last page."""
    # A paragraph between a last attachment table and the 版记 keeps the two tables apart.
    spacer = add_paragraph(doc, "\u00a0", "GwPlain")
    ppr_set(spacer._p.get_or_add_pPr(), line=20)
    add_paragraph(doc, "{%p if printer or cc %}", "GwPlain")
    table = doc.add_table(rows=4, cols=1)
    tblpr = table._tbl.tblPr
    style = tblpr.find(qn("w:tblStyle"))
    if style is not None:
        tblpr.remove(style)
    tblpr.insert(
        0,
        el(
            "tblpPr",
            vertAnchor="margin",
            # Anchored to the page horizontally (at the binding margin): LibreOffice then always
            # makes the floating table a frame, even right after an attachment table.
            horzAnchor="page",
            tblpX=L.mm(L.LEFT_MM),
            tblpYSpec="bottom",
            leftFromText=0,
            rightFromText=0,
            topFromText=120,  # render.RECORD_GAP_TWIPS
            bottomFromText=0,
        ),
    )
    child(tblpr, "tblW", w=L.BLOCK_W_TWIPS - 20, type="dxa")
    borders = el("tblBorders")
    borders.append(el("top", val="single", sz=8, space=0, color="000000"))
    borders.append(el("bottom", val="single", sz=8, space=0, color="000000"))
    borders.append(el("insideH", val="single", sz=6, space=0, color="000000"))
    for side in ("left", "right", "insideV"):
        borders.append(el(side, val="nil"))
    tblpr.append(borders)
    tblpr.append(el("tblLayout", type="fixed"))
    cell_mar = el("tblCellMar")
    cell_mar.append(el("left", w=0, type="dxa"))
    cell_mar.append(el("right", w=0, type="dxa"))
    tblpr.append(cell_mar)
    sort_children(tblpr, TBLPR_ORDER)
    grid = table._tbl.tblGrid
    for col in grid.findall(qn("w:gridCol")):
        col.set(qn("w:w"), str(L.BLOCK_W_TWIPS))
    rows = [
        "{%tr if cc %}",
        "抄送：{{ cc }}",
        "{%tr endif %}",
        "{{ printer }}\t{{ print_date }}印发",
    ]
    one_char = round(L.SIZE_4 * 20)
    for r, text in enumerate(rows):
        cell = table.rows[r].cells[0]
        child(cell._tc.get_or_add_tcPr(), "tcW", w=L.BLOCK_W_TWIPS, type="dxa")
        para = cell.paragraphs[0]
        child(para._p.get_or_add_pPr(), "pStyle", val="GwFooter")
        ppr = para._p.get_or_add_pPr()
        if "\t" in text:
            tabs = child(ppr, "tabs")
            tabs.append(el("tab", val="right", pos=L.BLOCK_W_TWIPS - one_char))
        # 抄送 wraps under the first addressee: hang the label (抄送：) of three characters.
        if text.startswith("抄送"):
            ppr_set(ppr, left=one_char * 4, hanging=one_char * 3, right=one_char)
        else:
            ppr_set(ppr, left=one_char, right=one_char)
        # One block: a 版记 split over two pages is wrong; whole, it moves on together.
        child(table.rows[r]._tr.get_or_add_trPr(), "cantSplit")
        ppr_set(ppr, before=60, after=60, keep_next=r < len(rows) - 1)
        run = para.add_run(text)
        rpr_set(run._r.get_or_add_rPr(), font=L.FONT_BODY, size=L.SIZE_4)
    add_paragraph(doc, "{%p endif %}", "GwPlain")
    # A document must end with a paragraph (Word repairs it otherwise); it also anchors the 版记.
    end = add_paragraph(doc, "", "GwPlain")
    ppr_set(end._p.get_or_add_pPr(), line=20)


def _booklet(doc: Any) -> None:
    first = add_paragraph(doc, "{{ issuer }}", "GwCoverSub")
    ppr_set(first._p.get_or_add_pPr(), before=L.mm(30))
    title = add_paragraph(doc, "{{ title }}", "GwCoverTitle")
    ppr_set(title._p.get_or_add_pPr(), before=L.mm(40))
    sub = add_paragraph(doc, "{{ subtitle }}", "GwCoverSub")
    ppr_set(sub._p.get_or_add_pPr(), before=L.mm(10))
    date = add_paragraph(doc, "{{ date_text }}", "GwCoverSub")
    ppr_set(date._p.get_or_add_pPr(), before=L.mm(60))
    # The cover is its own section without page numbers; numbering starts at 1 after it.
    cover_break = add_paragraph(doc, "", "GwPlain")
    sect = el("sectPr")
    sect.append(el("pgSz", w=L.mm(L.PAGE_W_MM), h=L.mm(L.PAGE_H_MM)))
    sect.append(
        el(
            "pgMar",
            top=L.mm(L.TOP_MM),
            right=L.mm(L.RIGHT_MM),
            bottom=L.mm(L.BOTTOM_MM),
            left=L.mm(L.LEFT_MM),
            header=L.mm(15),
            footer=L.mm(20),
            gutter=0,
        )
    )
    cover_break._p.get_or_add_pPr().append(sect)
    add_paragraph(doc, "{{p contents }}", "GwBody")
    child(doc.sections[-1]._sectPr, "pgNumType", start=1)


def build_template(kind: str) -> bytes:
    """The shipped .docx template for ``kind`` (one of KINDS)."""
    if kind not in KINDS:
        raise ValueError(f"unknown document type {kind!r}; use one of {', '.join(KINDS)}")
    doc = new_document()
    if kind == "booklet":
        _booklet(doc)
    else:
        _official(doc)
    # The template's own properties; a rendered document gets its title, subject and issuing
    # unit instead (render.set_properties).
    doc.core_properties.title = f"{KIND_LABELS[kind]}模板"
    doc.core_properties.subject = KIND_LABELS[kind]
    doc.core_properties.language = "zh-CN"
    doc.core_properties.author = ""
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# Placeholders every shipped template understands (docs/documents.md explains each).
OFFICIAL_FIELDS = {
    "issuer_mark", "doc_number", "title", "addressees", "body", "closing", "attachments",
    "printer", "print_date", "cc", "issuer", "signature", "date_text", "kind_label",
}  # fmt: skip
BOOKLET_FIELDS = {"issuer", "title", "subtitle", "date_text", "contents", "kind_label"}
FIELDS = {k: (BOOKLET_FIELDS if k == "booklet" else OFFICIAL_FIELDS) for k in KINDS}

__all__ = ["build_template", "KINDS", "KIND_LABELS", "FIELDS", "chars"]
