"""Body text as people type it, turned into blocks (and back, for prefilled forms).

One paragraph per line. A line that starts with a heading number is a heading, numbered again
automatically, so the typed numbers need not be right: "一、" level 1, "（一）" level 2, "1." or
"1、" level 3, "（1）" level 4; a level 2-4 heading followed by text after its first "。" is a
run-in heading ("（一）加强组织领导。县教育局成立……"). Consecutive lines with tabs (pasted from
Excel) or starting with "|" are a table whose first line is the header. "[图：photo.jpg 说明]"
places an uploaded image with its caption. Blank lines are ignored.
"""

from __future__ import annotations

import re
from typing import Any

from shidian.docgen.blocks import heading_label
from shidian.docgen.layout import BLOCK_W_MM
from shidian.docgen.text import width

CN = "一二三四五六七八九十"
HEADINGS = [
    (1, re.compile(rf"^[{CN}]+、\s*(?P<rest>.+)$")),
    (2, re.compile(rf"^[（(][{CN}]+[）)]\s*(?P<rest>.+)$")),
    (4, re.compile(r"^[（(]\d+[）)]\s*(?P<rest>.+)$")),
    (3, re.compile(r"^\d+(?:[.．、](?!\d))\s*(?P<rest>.+)$")),
]
IMAGE = re.compile(r"^\[图(?:片)?[:：]\s*(?P<name>[^\s\]]+)\s*(?P<caption>[^\]]*)\]$")
LEADING_SPACE = " \t\u3000\u00a0"


def split_cells(line: str) -> list[str]:
    """Cells of a table line: tab-separated (Excel) or between "|" marks."""
    if "\t" in line:
        return [cell.strip() for cell in line.split("\t")]
    inner = line.strip()
    inner = inner[1:] if inner.startswith(("|", "｜")) else inner
    inner = inner[:-1] if inner.endswith(("|", "｜")) else inner
    return [cell.strip() for cell in re.split(r"[|｜]", inner)]


def is_table_line(line: str) -> bool:
    # A tab inside the line (an indenting tab at its start is no cell).
    return "\t" in line.strip() or line.lstrip().startswith(("|", "｜"))


def fit_widths(rows: list[list[str]], *, total_mm: float = BLOCK_W_MM) -> list[float]:
    """Column widths (mm) in proportion to the widest text of each column, none narrower than
    two characters and a half, adding up to ``total_mm``."""
    ncols = max((len(r) for r in rows), default=0)
    if not ncols:
        return []
    need = [max([width(r[c]) for r in rows if c < len(r)] + [0.0]) + 1.0 for c in range(ncols)]
    need = [min(max(n, 2.5), 20.0) for n in need]
    scale = total_mm / sum(need)
    widths = [round(n * scale, 1) for n in need]
    widths[-1] = round(total_mm - sum(widths[:-1]), 1)
    return widths


def table_block(rows: list[list[str]]) -> dict[str, Any]:
    header, *body = rows
    return {"table": {"columns": header, "rows": body, "widths": fit_widths(rows)}}


def blocks_from_text(text: str) -> list[Any]:
    """The blocks of typed body text (see the module's docstring)."""
    blocks: list[Any] = []
    table: list[list[str]] = []
    for raw in text.splitlines():
        if table and not is_table_line(raw):
            blocks.append(table_block(table))
            table = []
        line = raw.strip(LEADING_SPACE)
        if not line:
            continue
        if is_table_line(raw):
            table.append(split_cells(raw))
            continue
        image = IMAGE.match(line)
        if image:
            block: dict[str, Any] = {"image": image["name"]}
            if image["caption"].strip():
                block["caption"] = image["caption"].strip()
            blocks.append(block)
            continue
        blocks.append(_heading_or_paragraph(line))
    if table:
        blocks.append(table_block(table))
    return blocks


def _heading_or_paragraph(line: str) -> Any:
    for level, pattern in HEADINGS:
        m = pattern.match(line)
        if not m:
            continue
        rest = m["rest"].strip()
        head, dot, tail = rest.partition("。")
        if level > 1 and dot and tail.strip():
            return {"heading": head + dot, "level": level, "text": tail.strip()}
        return {"heading": rest, "level": level}
    return line


def text_from_blocks(blocks: Any) -> str | None:
    """Typed text for ``blocks``, or None when they hold something the text cannot say
    (merged cells, image widths, unnumbered headings, page breaks): edit those as JSON."""
    if not isinstance(blocks, list):
        return None
    lines: list[str] = []
    counters = [0, 0, 0, 0]
    for block in blocks:
        if isinstance(block, str):
            lines.append(block)
            continue
        if not isinstance(block, dict):
            return None
        if "heading" in block:
            level = int(block.get("level", 1))
            if level not in (1, 2, 3, 4) or block.get("number") is False:
                return None
            counters[level - 1] += 1
            for deeper in range(level, 4):
                counters[deeper] = 0
            line = heading_label(level, counters[level - 1]) + str(block["heading"])
            lines.append(line + str(block.get("text") or ""))
        elif "text" in block or "p" in block:
            lines.append(str(block.get("text", block.get("p"))))
        elif "table" in block:
            spec = block["table"]
            if not isinstance(spec, dict) or spec.get("merges") or spec.get("title"):
                return None
            rows = ([spec["columns"]] if spec.get("columns") else []) + list(spec.get("rows", []))
            lines.extend("\t".join("" if v is None else str(v) for v in row) for row in rows)
            lines.append("")
        elif "image" in block and set(block) <= {"image", "caption", "width_mm"}:
            lines.append(f"[图：{block['image']} {block.get('caption', '')}]".replace(" ]", "]"))
        else:
            return None
    return "\n".join(lines).strip("\n")
