"""The context of an official document (通知, 通报, 通报表彰): data in, docxtpl context out.

The variable parts whose layout the standard fixes (signature and date positions, attachment note
alignment, attachment pages) are built here as subdocuments, so a template edited in Word cannot
get them wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.oxml.ns import qn

from shidian.docgen import layout as L
from shidian.docgen.base import add_paragraph
from shidian.docgen.blocks import BlockWriter
from shidian.docgen.errors import DataInvalid
from shidian.docgen.ooxml import chars, ppr_set
from shidian.docgen.text import (
    balance_title,
    cn_date,
    keep_together,
    normalise_number,
    parse_date,
    width,
)

KIND_DEFAULT_LABEL = {"notice": "通知", "bulletin": "通报", "commendation": "通报"}


def _text(data: dict, key: str, *, required: bool = False, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        value = default
    if isinstance(value, list):
        value = "，".join(str(v) for v in value)
    value = str(value).strip()
    if required and not value:
        raise DataInvalid(f"{key}: required", code="required", field=key)
    return value


def normalise(kind: str, data: Any) -> dict[str, Any]:
    """Check the data of an official document; raise DataInvalid naming the field."""
    if not isinstance(data, dict):
        raise DataInvalid("the data must be an object (JSON/YAML mapping)", code="data_type")
    issuer = _text(data, "issuer", required=True)
    title = _text(data, "title", required=True)
    body = data.get("body")
    if not isinstance(body, list) or not body:
        raise DataInvalid("body: a non-empty list of blocks", code="required", field="body")
    attachments = data.get("attachments") or []
    if not isinstance(attachments, list):
        raise DataInvalid("attachments: a list", code="data_type", field="attachments")
    for i, att in enumerate(attachments):
        if not isinstance(att, dict) or not str(att.get("title", "")).strip():
            raise DataInvalid(f"attachments[{i}]: needs a title", code="required")
    date = parse_date(data.get("date"), where="date")
    return {
        "kind": kind,
        "issuer": issuer,
        "issuer_mark": _text(data, "issuer_mark", default=f"{issuer}文件"),
        "number": normalise_number(data.get("number"), where="number"),
        "title": title,
        "addressees": _text(data, "addressees"),
        "body": body,
        "attachments": attachments,
        "signature": _text(data, "signature", default=issuer),
        "date": date,
        "seal": bool(data.get("seal", True)),
        "note": _text(data, "note"),
        "cc": _text(data, "cc"),
        "printer": _text(data, "printer", default=issuer) if data.get("record", True) else "",
        "print_date": parse_date(data.get("print_date") or date, where="print_date"),
    }


def _closing(sub: Any, d: dict[str, Any]) -> None:
    """Attachment note, signature, date and 附注 placed as GB/T 9704-2012 7.3.3-7.3.6 says."""
    atts = d["attachments"]
    if atts:
        p = add_paragraph(sub, "", "GwPlain")
        ppr_set(p._p.get_or_add_pPr(), before=L.LINE_TWIPS)  # one line below the body
        for i, att in enumerate(atts, 1):
            name = str(att["title"]).strip().rstrip("。．.")
            numbered = len(atts) > 1
            label = f"{i}." if numbered else ""
            label_w = width(label)
            if i > 1:
                p = add_paragraph(sub, "", "GwPlain")
            # "附件：1.名称": wrapped lines align with the name's first character.
            text_at = 2 + 3 + label_w
            ppr = p._p.get_or_add_pPr()
            start = 2 if i == 1 else 5
            ppr_set(ppr, left=chars(text_at), hanging=chars(text_at - start))
            p.add_run(("附件：" if i == 1 else "") + label + keep_together(name))
    sig, day = d["signature"], cn_date(d["date"])
    ws, wd = width(sig), width(day)
    if d["seal"]:
        # With a seal: date 4 characters from the right; signature centred over the date;
        # room above for the seal.
        date_right = 4.0
        sig_right = date_right + (wd - ws) / 2
        before = 3 * L.LINE_TWIPS
    else:
        # Without a seal: signature one line below, 2 characters from the right; the date on
        # the next line starts 2 characters further right than the signature.
        sig_right = 2.0
        date_start = L.CHARS_PER_LINE - sig_right - ws + 2
        date_right = L.CHARS_PER_LINE - date_start - wd
        if date_right < 2:
            date_right = 2.0
            sig_right = L.CHARS_PER_LINE - (L.CHARS_PER_LINE - 2 - wd - 2) - ws
        before = L.LINE_TWIPS
    p = add_paragraph(sub, sig, "GwRight")
    ppr_set(p._p.get_or_add_pPr(), right=chars(max(sig_right, 0)), before=before, keep_next=True)
    p = add_paragraph(sub, day, "GwRight")
    ppr_set(p._p.get_or_add_pPr(), right=chars(date_right))
    if d["note"]:
        note = d["note"]
        if not note.startswith("（"):
            note = f"（{note}）"
        add_paragraph(sub, keep_together(note), "GwBody")


def _keep_last_paragraph_with_closing(body: Any) -> None:
    """The signature and date never stand on a page without body text (GB/T 9704 7.3.5): the
    body's last paragraph keeps with them."""
    blocks = [el for el in body.element.body if el.tag != qn("w:sectPr")]
    if blocks and blocks[-1].tag == qn("w:p"):  # not after a table: it would keep whole
        # LibreOffice then moves the whole paragraph (and a heading kept with it) over with
        # the signature, leaving the page before short: allowed, a lone signature is not.
        ppr_set(blocks[-1].get_or_add_pPr(), keep_next=True)


def _attachments(sub: Any, d: dict[str, Any], writer_for: Any) -> None:
    atts = d["attachments"]
    for i, att in enumerate(atts, 1):
        label = f"附件{i}" if len(atts) > 1 else "附件"
        from docx.enum.text import WD_BREAK

        brk = add_paragraph(sub, "", "GwPlain")
        brk.add_run().add_break(WD_BREAK.PAGE)
        add_paragraph(sub, label, "GwAttachLabel")
        title = add_paragraph(sub, balance_title(str(att["title"])), "GwAttachTitle")
        ppr_set(title._p.get_or_add_pPr(), before=L.LINE_TWIPS, after=L.LINE_TWIPS)
        writer_for(sub).write(att.get("body") or [], where=f"attachments[{i - 1}].body")


def build_context(tpl: Any, kind: str, data: Any, *, base_dir: Path | None = None) -> dict:
    d = normalise(kind, data)
    body = tpl.new_subdoc()
    BlockWriter(body, base_dir=base_dir).write(d["body"], where="body")
    _keep_last_paragraph_with_closing(body)
    closing = tpl.new_subdoc()
    _closing(closing, d)
    attachments = tpl.new_subdoc()
    _attachments(attachments, d, lambda c: BlockWriter(c, base_dir=base_dir))
    return {
        "kind_label": KIND_DEFAULT_LABEL.get(kind, ""),
        "issuer": d["issuer"],
        "issuer_mark": d["issuer_mark"],
        "doc_number": d["number"],
        "title": balance_title(d["title"]),
        "addressees": f"{d['addressees'].rstrip('：:')}：" if d["addressees"] else "",
        "body": body,
        "closing": closing,
        "attachments": attachments,
        "signature": d["signature"],
        "date_text": cn_date(d["date"]),
        "cc": d["cc"].rstrip("。"),
        "printer": d["printer"],
        "print_date": cn_date(d["print_date"]),
    }
