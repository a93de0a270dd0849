"""Low-level WordprocessingML helpers on top of python-docx's oxml layer.

python-docx covers paragraphs and runs but not East Asian fonts, document language, Chinese
line-breaking switches, odd/even footers or paragraph borders; those are set here on the XML.
"""

from __future__ import annotations

from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from shidian.docgen import layout as L


def el(tag: str, **attrs: Any) -> Any:
    """A new element ``w:tag`` with ``w:`` attributes (``val="x"`` -> ``w:val="x"``)."""
    node = OxmlElement(tag if ":" in tag else f"w:{tag}")
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("__", ":")
        node.set(qn(name if ":" in name else f"w:{name}"), str(value))
    return node


def child(parent: Any, tag: str, **attrs: Any) -> Any:
    """Get or create ``w:tag`` under parent, then set attributes."""
    found = parent.find(qn(f"w:{tag}"))
    if found is None:
        found = el(tag)
        parent.append(found)
    for key, value in attrs.items():
        found.set(qn(f"w:{key}"), str(value))
    return found


# Order of children in w:rPr and w:pPr matters to Word's schema validation ("repair" dialog).
RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
    "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish",
    "oMath",
]  # fmt: skip
PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange",
]  # fmt: skip


TBLPR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
    "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
]  # fmt: skip


def sort_children(node: Any, order: list[str]) -> None:
    rank = {qn(f"w:{name}"): i for i, name in enumerate(order)}
    kids = list(node)
    kids.sort(key=lambda k: rank.get(k.tag, len(order)))
    for k in kids:
        node.remove(k)
        node.append(k)


def rpr_set(
    rpr: Any,
    *,
    font: str | None = None,
    size: float | None = None,
    color: str | None = None,
    bold: bool | None = None,
    condense: int | None = None,
    lang: bool = False,
) -> Any:
    """Fonts for every script (the East Asian slot is the one that matters), size, colour."""
    if font:
        fonts = child(rpr, "rFonts")
        for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(qn(f"w:{slot}"), font)
        for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(qn(f"w:{theme}"), None)
    if bold is not None:
        child(rpr, "b", val="1" if bold else "0")
    if color:
        child(rpr, "color", val=color)
    if condense is not None:
        child(rpr, "spacing", val=condense)
    if size:
        child(rpr, "sz", val=round(size * 2))
        child(rpr, "szCs", val=round(size * 2))
    if lang:
        # Western text (digits, Latin words) in en-US, as Word's Chinese template has it: with
        # zh-CN there LibreOffice breaks lines inside numbers and words ("1|0%", "Shi|dian").
        child(rpr, "lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    sort_children(rpr, RPR_ORDER)
    return rpr


def ppr_set(
    ppr: Any,
    *,
    jc: str | None = None,
    line: int | None = None,
    line_rule: str = "exact",
    before: int | None = None,
    after: int | None = None,
    first_line: int | None = None,
    left: int | None = None,
    right: int | None = None,
    hanging: int | None = None,
    chinese_breaking: bool = False,
    outline: int | None = None,
    keep_next: bool = False,
) -> Any:
    if chinese_breaking:
        # Kinsoku: no closing mark at a line start, no opening mark at a line end. Hanging
        # punctuation is off so that a line never pokes out of the 156 mm text block.
        child(ppr, "kinsoku", val="1")
        child(ppr, "wordWrap", val="1")
        child(ppr, "overflowPunct", val="0")
        child(ppr, "topLinePunct", val="0")
        child(ppr, "autoSpaceDE", val="0")
        child(ppr, "autoSpaceDN", val="0")
        child(ppr, "snapToGrid", val="0")
    if keep_next:
        child(ppr, "keepNext")
    if line is not None or before is not None or after is not None:
        spacing = child(ppr, "spacing")
        if before is not None:
            spacing.set(qn("w:before"), str(before))
        if after is not None:
            spacing.set(qn("w:after"), str(after))
        if line is not None:
            spacing.set(qn("w:line"), str(line))
            spacing.set(qn("w:lineRule"), line_rule)
    if any(v is not None for v in (first_line, left, right, hanging)):
        ind = child(ppr, "ind")
        for name, value in (("firstLine", first_line), ("left", left), ("right", right)):
            if value is not None:
                ind.set(qn(f"w:{name}"), str(value))
        if hanging is not None:
            ind.set(qn("w:hanging"), str(hanging))
            ind.attrib.pop(qn("w:firstLine"), None)
    if jc:
        child(ppr, "jc", val=jc)
    if outline is not None:
        child(ppr, "outlineLvl", val=outline)
    sort_children(ppr, PPR_ORDER)
    return ppr


def bottom_border(ppr: Any, *, color: str, size_eighths: int, space_pt: int) -> None:
    pbdr = child(ppr, "pBdr")
    pbdr.append(el("bottom", val="single", sz=size_eighths, space=space_pt, color=color))
    sort_children(ppr, PPR_ORDER)


def chars(n: float) -> int:
    """Width of n body characters (3号, condensed) in twips."""
    return round(n * L.CHAR_PITCH_TWIPS)


def field_runs(paragraph: Any, instr: str, *, placeholder: str = "1", rpr: Any = None) -> None:
    """Append a complex field (PAGE, TOC ...) to a python-docx paragraph."""
    import copy

    def run_with(node: Any) -> Any:
        r = el("r")
        if rpr is not None:
            r.append(copy.deepcopy(rpr))
        r.append(node)
        paragraph._p.append(r)
        return r

    run_with(el("fldChar", fldCharType="begin"))
    text = el("instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instr} "
    run_with(text)
    run_with(el("fldChar", fldCharType="separate"))
    shown = el("t")
    shown.text = placeholder
    run_with(shown)
    run_with(el("fldChar", fldCharType="end"))
