"""Read a PDF's text lines with positions (poppler's ``pdftotext -bbox-layout``) to check the
layout: lines per page, characters per line, page-number position, line-break rules.
Coordinates are converted to millimetres from the top-left corner of the page."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

PT_TO_MM = 25.4 / 72
NS = "{http://www.w3.org/1999/xhtml}"


@dataclass
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def chars(self) -> int:
        return len(self.text.replace(" ", ""))


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)


def read_pdf(path: Path) -> list[Page]:
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    root = ET.fromstring(out)
    pages = []
    for n, page in enumerate(root.iter(f"{NS}page"), 1):
        width, height = float(page.attrib["width"]), float(page.attrib["height"])
        pg = Page(n, width * PT_TO_MM, height * PT_TO_MM)
        for line in page.iter(f"{NS}line"):
            words = list(line.iter(f"{NS}word"))
            text = " ".join((w.text or "") for w in words)
            pg.lines.append(
                Line(
                    text,
                    float(line.attrib["xMin"]) * PT_TO_MM,
                    float(line.attrib["yMin"]) * PT_TO_MM,
                    float(line.attrib["xMax"]) * PT_TO_MM,
                    float(line.attrib["yMax"]) * PT_TO_MM,
                )
            )
        # Lines of one visual row may be split into blocks (e.g. the 版记's two ends): sort.
        pg.lines.sort(key=lambda ln: (round(ln.y0, 0), ln.x0))
        pages.append(pg)
    return pages


def rows(page: Page, *, tolerance: float = 1.5) -> list[list[Line]]:
    """Group lines that sit on the same baseline."""
    grouped: list[list[Line]] = []
    for line in sorted(page.lines, key=lambda ln: ln.y1):
        if grouped and abs(grouped[-1][0].y1 - line.y1) <= tolerance:
            grouped[-1].append(line)
        else:
            grouped.append([line])
    return grouped
