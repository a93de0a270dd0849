"""Body content (paragraphs, numbered headings, tables with merged cells, images with captions)
written into a python-docx container with the Gw* styles."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx.oxml.ns import qn
from docx.shared import Mm

from shidian.docgen import layout as L
from shidian.docgen.base import add_paragraph
from shidian.docgen.errors import DataInvalid
from shidian.docgen.ooxml import TBLPR_ORDER, child, el, ppr_set, rpr_set, sort_children
from shidian.docgen.text import keep_together

CN_DIGITS = "零一二三四五六七八九"
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 60_000_000


def cache_image_hashes() -> None:
    """python-docx finds a duplicate image by hashing every image already in the package each
    time one is added: quadratic (a booklet with 300 photos of 280 KB hashed 12 GB, 30 s of its
    89). An image part's bytes never change, so each part keeps its SHA-1 once computed."""
    from docx.parts.image import ImagePart

    if getattr(ImagePart, "_shidian_sha1_cached", False):
        return
    compute = ImagePart.sha1.fget  # type: ignore[attr-defined]

    def sha1(self: Any) -> str:
        found = self.__dict__.get("_shidian_sha1")
        if found is None:
            found = self.__dict__["_shidian_sha1"] = compute(self)
        return str(found)

    setattr(ImagePart, "sha1", property(sha1))  # noqa: B010 - a property set on the class
    setattr(ImagePart, "_shidian_sha1_cached", True)  # noqa: B010


def cn_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 21 -> 二十一 (heading numbers go to 99)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def heading_label(level: int, n: int) -> str:
    return {1: f"{cn_number(n)}、", 2: f"（{cn_number(n)}）", 3: f"{n}.", 4: f"（{n}）"}[level]


class BlockWriter:
    """Writes a list of blocks; numbering of headings continues across calls."""

    def __init__(
        self, container: Any, *, base_dir: Path | None = None, outline_shift: int = 0
    ) -> None:
        self.container = container
        self.outline_shift = outline_shift
        self.base_dir = base_dir
        self.counters = [0, 0, 0, 0]
        self.figure = 0

    def write(self, blocks: list[Any], *, where: str = "body") -> None:
        if not isinstance(blocks, list):
            raise DataInvalid(f"{where}: expected a list of blocks", code="blocks_not_list")
        for i, block in enumerate(blocks):
            self.block(block, where=f"{where}[{i}]")

    def block(self, block: Any, *, where: str) -> None:
        if isinstance(block, str):
            add_paragraph(self.container, keep_together(block), "GwBody")
            return
        if not isinstance(block, dict):
            raise DataInvalid(f"{where}: a block is a string or an object", code="block_type")
        if "heading" in block:
            self.heading(str(block["heading"]), int(block.get("level", 1)), block, where)
        elif "text" in block or "p" in block:
            style = "GwPlain" if block.get("indent") is False else "GwBody"
            text = keep_together(str(block.get("text", block.get("p"))))
            add_paragraph(self.container, text, style)
        elif "table" in block:
            self.table(block["table"], where=where)
        elif "image" in block:
            self.image(block, where=where)
        elif block.get("page_break"):
            p = add_paragraph(self.container, "", "GwPlain")
            p.add_run().add_break(_page_break())
        else:
            raise DataInvalid(
                f"{where}: unknown block (use heading, text, table, image or page_break)",
                code="block_unknown",
            )

    def heading(self, text: str, level: int, block: dict, where: str) -> None:
        if level not in (1, 2, 3, 4):
            raise DataInvalid(f"{where}: heading level must be 1 to 4", code="heading_level")
        self.counters[level - 1] += 1
        for deeper in range(level, 4):
            self.counters[deeper] = 0
        label = heading_label(level, self.counters[level - 1]) if block.get("number", True) else ""
        p = add_paragraph(self.container, "", f"GwH{level}")
        if self.outline_shift:  # inside a booklet chapter: below the chapter title in the TOC
            ppr_set(p._p.get_or_add_pPr(), outline=level - 1 + self.outline_shift)
        p.add_run(label + keep_together(text))
        if block.get("text"):  # a run-in paragraph: "1.标题。正文……" (the text in 仿宋)
            run = p.add_run(keep_together(str(block["text"])))
            child(p._p.get_or_add_pPr(), "keepNext", val="0")
            rpr_set(run._r.get_or_add_rPr(), font=L.FONT_BODY)

    def table(self, spec: Any, *, where: str) -> None:
        if not isinstance(spec, dict) or not isinstance(spec.get("rows"), list):
            raise DataInvalid(f"{where}.table: needs rows (a list of lists)", code="table_rows")
        columns = spec.get("columns") or []
        rows = ([columns] if columns else []) + [list(r) for r in spec["rows"]]
        if not rows:
            return
        ncols = max(len(r) for r in rows)
        if spec.get("title"):
            p = add_paragraph(self.container, str(spec["title"]), "GwTable")
            ppr_set(p._p.get_or_add_pPr(), keep_next=True, line=L.LINE_TWIPS)
        table = self.container.add_table(rows=len(rows), cols=ncols)
        _table_borders(table)
        widths = spec.get("widths")
        if widths and len(widths) != ncols:
            raise DataInvalid(f"{where}.table: widths needs {ncols} values", code="table_widths")
        col_w = [Mm(w) for w in widths] if widths else [Mm(L.BLOCK_W_MM / ncols)] * ncols
        for gc, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), col_w, strict=False):
            gc.set(qn("w:w"), str(w.twips))
        header_rows = int(spec.get("header_rows", 1 if columns else 0))
        for r, values in enumerate(rows):
            row = table.rows[r]
            if r < header_rows:
                child(row._tr.get_or_add_trPr(), "tblHeader")
            for c in range(ncols):
                cell = row.cells[c]
                cell.width = col_w[c]
                text = "" if c >= len(values) or values[c] is None else str(values[c])
                text = keep_together(text)
                para = cell.paragraphs[0]
                child(para._p.get_or_add_pPr(), "pStyle", val="GwTable")
                run = para.add_run(text)
                if r < header_rows:
                    run.bold = True
                child(cell._tc.get_or_add_tcPr(), "vAlign", val="center")
        for m in spec.get("merges", []):
            try:
                r1, c1, r2, c2 = (int(v) for v in m)
                a, b = table.cell(r1, c1), table.cell(r2, c2)
            except (ValueError, TypeError, IndexError) as exc:
                raise DataInvalid(
                    f"{where}.table: bad merge {m!r} (row1, col1, row2, col2 inside the table)",
                    code="table_merge",
                ) from exc
            text = a.text
            merged = a.merge(b)
            # python-docx concatenates the merged cells' paragraphs: keep the first cell's text.
            for extra in merged.paragraphs[1:]:
                extra._p.getparent().remove(extra._p)
            if merged.paragraphs and merged.paragraphs[0].text != text:
                for run in merged.paragraphs[0].runs[1:]:
                    run._r.getparent().remove(run._r)

    def image(self, block: dict, *, where: str) -> None:
        cache_image_hashes()
        data = load_image(block["image"], base_dir=self.base_dir, where=where)
        width = float(block.get("width_mm", 120))
        width = min(width, L.BLOCK_W_MM)
        p = add_paragraph(self.container, "", "GwCaption")
        ppr = p._p.get_or_add_pPr()
        ppr_set(ppr, keep_next=True, line=None)
        child(ppr, "spacing", line="240", lineRule="auto", before="120")
        p.add_run().add_picture(io.BytesIO(data), width=Mm(width))
        if block.get("caption"):
            self.figure += 1
            label = f"图{self.figure}  " if block.get("number", True) else ""
            caption = keep_together(str(block["caption"]))
            add_paragraph(self.container, label + caption, "GwCaption")


def _page_break() -> Any:
    from docx.enum.text import WD_BREAK

    return WD_BREAK.PAGE


def _table_borders(table: Any) -> None:
    tblpr = table._tbl.tblPr
    borders = el("tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(el(side, val="single", sz=4, space=0, color="000000"))
    tblpr.append(borders)
    child(tblpr, "jc", val="center")
    layout = el("tblLayout", type="fixed")
    tblpr.append(layout)
    style = tblpr.find(qn("w:tblStyle"))
    if style is not None:
        tblpr.remove(style)
    sort_children(tblpr, TBLPR_ORDER)


def load_image(source: Any, *, base_dir: Path | None, where: str) -> bytes:
    """Read an image (path or bytes) and prove it is one, or raise DataInvalid."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        label = "image"
    else:
        path = Path(str(source))
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if not path.is_file():
            raise DataInvalid(f"{where}: image file not found: {source}", code="image_missing")
        if path.stat().st_size > MAX_IMAGE_BYTES:
            raise DataInvalid(f"{where}: image larger than 20 MB: {source}", code="image_large")
        data = path.read_bytes()
        label = str(source)
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_IMAGE_PIXELS:
                raise DataInvalid(f"{where}: image too many pixels: {label}", code="image_large")
            img.verify()
            fmt = img.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DataInvalid(
            f"{where}: not a readable image (PNG, JPEG, GIF or BMP): {label}", code="image_invalid"
        ) from exc
    if fmt not in {"PNG", "JPEG", "GIF", "BMP"}:
        raise DataInvalid(
            f"{where}: unsupported image format {fmt}: {label} (use PNG or JPEG)",
            code="image_invalid",
        )
    return data
