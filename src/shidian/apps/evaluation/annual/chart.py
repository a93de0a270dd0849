"""The event-study chart of the annual report as a PNG, drawn with Pillow.

The page draws the same numbers with ECharts in the browser; a document needs an image, and
Pillow is already a dependency (docgen checks images with it), so no plotting library is added
(docs/architecture.md). Input is ``analysis.Evaluation.chart``: ``{"rel": [...], "twfe": [[e,
estimate, low, high], ...], "cs": [...]}``; periods before entry are shaded, 0 is the entry.
"""

from __future__ import annotations

import io
import math
from typing import Any

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1300, 780
LEFT, RIGHT, TOP, BOTTOM = 190, 60, 120, 150
BLUE = (31, 95, 170)
ORANGE = (214, 110, 20)
GREY = (110, 110, 110)
SHADE = (236, 236, 236)
INK = (30, 30, 30)


def _font(size: int) -> Any:
    """A face with Chinese glyphs (Noto Sans CJK SC via fontconfig), else Pillow's default."""
    from shidian.docgen.fonts import find_sc_faces

    for face in find_sc_faces():
        if "Sans" in face.collection.name and "Regular" in face.collection.name:
            try:
                return ImageFont.truetype(str(face.collection), size, index=face.index)
            except OSError:
                continue
    return ImageFont.load_default(size)


def _nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    span = high - low or 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step)
    last = max(math.ceil(high / step), first + 1)
    return [round(i * step, 10) for i in range(first, last + 1)]


def _label(value: float) -> str:
    return f"{value:g}"


def event_study_png(
    chart: dict[str, Any], *, labels: dict[str, str], width: int = WIDTH, height: int = HEIGHT
) -> bytes:
    """The chart as PNG bytes. ``labels``: "twfe", "cs", "x", "y", "pre", "post" texts."""
    series = [("twfe", BLUE, -0.12), ("cs", ORANGE, 0.12)]
    rels = [int(r) for r in chart.get("rel") or []]
    if not rels:
        raise ValueError("no periods to draw")
    values = [0.0]
    for name, _colour, _shift in series:
        for _e, est, lo, hi in chart.get(name) or []:
            values += [v for v in (est, lo, hi) if v is not None]
    ticks = _nice_ticks(min(values), max(values))
    y_low, y_high = ticks[0], ticks[-1]
    x_low, x_high = min(rels) - 0.6, max(rels) + 0.6

    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    small, normal = _font(34), _font(38)
    plot = (LEFT, TOP, width - RIGHT, height - BOTTOM)

    def x(v: float) -> float:
        return plot[0] + (v - x_low) / (x_high - x_low) * (plot[2] - plot[0])

    def y(v: float) -> float:
        return plot[3] - (v - y_low) / (y_high - y_low or 1.0) * (plot[3] - plot[1])

    # before entry: shaded, with its name on top
    if min(rels) < 0:
        draw.rectangle([plot[0], plot[1], x(-0.5), plot[3]], fill=SHADE)
        draw.text((plot[0] + 12, plot[1] + 8), labels["pre"], font=small, fill=GREY)
    draw.text((x(-0.5) + 12, plot[1] + 8), labels["post"], font=small, fill=GREY)
    # grid and y ticks
    for t in ticks:
        draw.line([plot[0], y(t), plot[2], y(t)], fill=(215, 215, 215), width=1)
        text = _label(t)
        w = draw.textlength(text, font=small)
        draw.text((plot[0] - 14 - w, y(t) - 20), text, font=small, fill=INK)
    draw.line([plot[0], y(0), plot[2], y(0)], fill=GREY, width=3)
    # entry line, dashed
    ex = x(-0.5)
    for start in range(plot[1], plot[3], 24):
        draw.line([ex, start, ex, min(start + 12, plot[3])], fill=GREY, width=2)
    # x ticks
    for e in rels:
        text = str(e)
        w = draw.textlength(text, font=small)
        draw.line([x(e), plot[3], x(e), plot[3] + 10], fill=INK, width=2)
        draw.text((x(e) - w / 2, plot[3] + 16), text, font=small, fill=INK)
    draw.rectangle(plot, outline=INK, width=2)
    # the estimates with their 95% intervals
    for name, colour, shift in series:
        for e, est, lo, hi in chart.get(name) or []:
            cx = x(e + shift)
            if lo is not None and hi is not None:
                draw.line([cx, y(lo), cx, y(hi)], fill=colour, width=4)
                for v in (lo, hi):
                    draw.line([cx - 10, y(v), cx + 10, y(v)], fill=colour, width=4)
            cy = y(est)
            draw.ellipse([cx - 9, cy - 9, cx + 9, cy + 9], fill=colour)
    # axis titles and legend
    xt = labels["x"]
    draw.text(
        ((plot[0] + plot[2]) / 2 - draw.textlength(xt, font=normal) / 2, height - 84),
        xt,
        font=normal,
        fill=INK,
    )
    yt = Image.new("RGBA", (int(draw.textlength(labels["y"], font=normal)) + 8, 54), (0, 0, 0, 0))
    ImageDraw.Draw(yt).text((4, 2), labels["y"], font=normal, fill=INK)
    yt = yt.rotate(90, expand=True)
    img.paste(yt, (18, int((plot[1] + plot[3]) / 2 - yt.height / 2)), yt)
    lx = plot[0]
    for name, colour, _shift in series:
        if not chart.get(name):
            continue
        draw.line([lx, 55, lx + 50, 55], fill=colour, width=4)
        draw.ellipse([lx + 16, 46, lx + 34, 64], fill=colour)
        draw.text((lx + 62, 33), labels[name], font=normal, fill=INK)
        lx += 62 + draw.textlength(labels[name], font=normal) + 60
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()
