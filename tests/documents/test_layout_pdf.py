"""The GB/T 9704 layout checked on the PDF LibreOffice makes (pdftotext -bbox-layout).

Few conversions on purpose (each takes seconds): the notice example, one probe document and the
booklet example, all cached for the session by the ``rendered`` fixture."""

from __future__ import annotations

import re
import subprocess

import pytest

from shidian.docgen import layout as L
from shidian.docgen.pdfcheck import read_pdf, rows
from shidian.docgen.shipped import KIND_LABELS
from shidian.docgen.text import CLOSING, OPENING
from tests.documents.conftest import example, needs_soffice

pytestmark = needs_soffice

BLOCK_TOP = L.TOP_MM
BLOCK_BOTTOM = L.TOP_MM + L.BLOCK_H_MM  # 262 mm
BLOCK_LEFT = L.LEFT_MM
BLOCK_RIGHT = L.LEFT_MM + L.BLOCK_W_MM  # 184 mm
ONE_CHAR_4HAO = L.SIZE_4 * 25.4 / 72  # 4.94 mm

# 28 characters of plain CJK text per line, several lines, no punctuation.
PLAIN = "智慧校园创建工作要坚持应用驱动" * 8
# Lines built so that, without kinsoku, a closing mark would start a line or an opening mark
# would end one: 28 characters, then the mark.
TRIGGERS = [
    "甲" * 28 + "，乙乙乙乙乙。",
    "甲" * 27 + "（乙乙乙乙）丙丙丙。",
    "甲" * 28 + "。乙乙乙乙乙乙。",
    "甲" * 27 + "“乙乙乙乙”丙丙丙。",
    "甲" * 28 + "、乙乙乙乙；丙丙丙。",
    "甲" * 28 + "％乙乙乙乙。",
    "甲" * 27 + "《乙乙乙》丙丙丙！",
    "甲" * 28 + "）乙乙乙乙？",
]


def probe_data() -> dict:
    return {
        "issuer": "测试县教育局",
        "title": "版式测试",
        "body": [{"text": PLAIN, "indent": False}]
        + [{"text": t, "indent": False} for t in TRIGGERS]
        + ["正文" * 300],
        "date": "2021-03-05",
    }


def body_rows(page):
    """Rows of the text block (the page number below it excluded)."""
    return [r for r in rows(page) if r[0].y1 <= BLOCK_BOTTOM + 0.5]


def row_text(row) -> str:
    return "".join(line.text for line in row).replace(" ", "")


def test_full_pages_hold_22_lines(rendered):
    _docx, pdf = rendered("notice")
    pages = read_pdf(pdf)
    assert len(pages) >= 3, "the example notice must fill at least one page after the first"
    # Body pages between the first page and the page with the signature and date.
    closing = next(p.number for p in pages if any(row_text(r) == "2021年3月5日" for r in rows(p)))
    full = [p for p in pages if 1 < p.number < closing]
    assert full, "no full body page"
    for page in full:
        body = body_rows(page)
        assert len(body) == L.LINES_PER_PAGE, (page.number, [row_text(r) for r in body])
        # Regular pitch: 225 mm / 22 lines.
        tops = [r[0].y0 for r in body]
        pitches = [b - a for a, b in zip(tops, tops[1:], strict=False)]
        assert all(abs(p - L.BLOCK_H_MM / 22) < 0.3 for p in pitches), pitches
        assert tops[0] >= BLOCK_TOP and body[-1][0].y1 <= BLOCK_BOTTOM


def test_full_lines_hold_28_characters(rendered):
    _docx, pdf = rendered("notice", probe_data(), name="probe")
    page = read_pdf(pdf)[0]
    texts = [row_text(r) for r in body_rows(page)]
    plain_rows = [t for t in texts if set(t) <= set(PLAIN)]
    full = plain_rows[:-1]  # the paragraph's last line is short
    assert len(full) >= 3
    assert all(len(t) == L.CHARS_PER_LINE for t in full), [len(t) for t in full]
    for row in body_rows(page):
        if row_text(row) in full:
            assert abs(row[0].x0 - BLOCK_LEFT) < 0.6
            assert abs(row[-1].x1 - BLOCK_RIGHT) < 0.8


def test_chinese_line_breaking(rendered):
    _docx, pdf = rendered("notice", probe_data(), name="probe")
    for page in read_pdf(pdf):
        for row in body_rows(page):
            text = row_text(row)
            assert text[0] not in CLOSING, f"page {page.number}: line starts with {text[0]}: {text}"
            assert text[-1] not in OPENING, f"page {page.number}: line ends with {text[-1]}: {text}"
            assert row[-1].x1 <= BLOCK_RIGHT + 0.6, f"hanging past the text block: {text}"


def test_page_numbers(rendered):
    _docx, pdf = rendered("notice")
    pages = read_pdf(pdf)
    for page in pages:
        below = [r for r in rows(page) if r[0].y0 > BLOCK_BOTTOM]
        assert len(below) == 1, page.number
        row = below[0]
        assert row_text(row) == f"—{page.number}—"
        # 7 mm below the text block.
        assert abs(row[0].y0 - (BLOCK_BOTTOM + L.PAGE_NUMBER_GAP_MM)) < 1.0, row[0].y0
        if page.number % 2:  # odd: right, one character in
            assert abs(row[-1].x1 - (BLOCK_RIGHT - ONE_CHAR_4HAO)) < 0.8, row[-1].x1
        else:  # even: left, one character in
            assert abs(row[0].x0 - (BLOCK_LEFT + ONE_CHAR_4HAO)) < 0.8, row[0].x0


def test_first_page_header_block(rendered):
    _docx, pdf = rendered("notice")
    first = rows(read_pdf(pdf)[0])
    texts = [row_text(r) for r in first]
    assert texts[0] == "蒲阳县教育局文件"
    mark = first[0][0]
    assert abs(mark.y0 - (BLOCK_TOP + 35)) < 2.5, mark.y0  # top 35 mm below the block's top
    assert texts[1] == "蒲教发〔2021〕17号"
    line_mm = L.BLOCK_H_MM / 22
    gap = first[1][0].y0 - mark.y1
    assert 1.6 * line_mm < gap < 2.4 * line_mm, gap  # two lines below the mark
    assert texts[2] + texts[3] == "关于公布2021年智慧校园创建学校名单的通知"
    assert texts[4].endswith("：")
    assert abs(first[4][0].x0 - BLOCK_LEFT) < 0.6  # addressees flush left


def short_bulletin() -> dict:
    data = example("bulletin")
    data["body"] = data["body"][:3]  # the last page is far from full
    return data


@pytest.mark.parametrize("kind", ["notice", "bulletin", "short"])
def test_record_at_foot_of_last_page(rendered, kind):
    # notice: after an attachment table; bulletin: after the signature on a full last page;
    # short: after the signature with half the last page empty (the 版记 stayed under the
    # date there before).
    if kind == "short":
        _docx, pdf = rendered("bulletin", short_bulletin(), name="bulletin-short")
    else:
        _docx, pdf = rendered(kind)
    last = read_pdf(pdf)[-1]
    body = body_rows(last)
    assert row_text(body[-1]).endswith("印发")
    assert body[-1][0].y1 > BLOCK_BOTTOM - 8  # at the foot of the page
    assert row_text(body[-2]).startswith("抄送")
    if kind in ("bulletin", "short"):  # the signature and date stay on the page with the 版记
        dates = [i for i, r in enumerate(body) if row_text(r) == "2021年12月3日"]
        assert dates and len(read_pdf(pdf)) == 2
        # ... and with body text above them: never a page of a signature alone.
        assert dates[0] >= 2 and row_text(body[dates[0] - 2]) != "蒲阳县教育局"
    # One character in from both edges of the text block.
    assert abs(body[-1][0].x0 - (BLOCK_LEFT + ONE_CHAR_4HAO)) < 0.8
    assert abs(body[-1][-1].x1 - (BLOCK_RIGHT - ONE_CHAR_4HAO)) < 0.8


@pytest.mark.parametrize("kind", ["notice", "bulletin", "booklet"])
def test_fonts_are_mapped_to_simplified_chinese_faces(rendered, kind):
    _docx, pdf = rendered(kind)
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    names = [line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:]]
    assert any(n.startswith("NotoSerifCJKsc-") for n in names), names  # 仿宋 / 小标宋 / 宋体
    assert any(n.startswith("NotoSansCJKsc-") for n in names), names  # 黑体
    if kind != "bulletin":
        assert "UKaiCN" in names  # 楷体_GB2312
    # Only the Simplified Chinese faces: no Japanese, Korean or traditional variant, no
    # DejaVu fallback.
    assert all(re.fullmatch(r"Noto(Serif|Sans)CJKsc-[\w-]+|UKaiCN", n) for n in names), names


# Characters drawn differently in the Japanese and the Simplified Chinese Noto faces.
SC_JP_DIFFER = "直次画令写述"


def _ink(cell):
    """A glyph's ink cropped and scaled to 64 x 64 (booleans), to compare shapes."""
    import numpy as np
    from PIL import Image

    ys, xs = np.where(cell)
    crop = cell[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    img = Image.fromarray((crop * 255).astype("uint8")).resize((64, 64))
    return np.asarray(img) > 127


def test_glyphs_have_the_simplified_chinese_shapes(rendered, tmp_path):
    """The drawn shapes, not only the names: each character looks like the SC face's glyph and
    not like the JP face's."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    data = {"issuer": "测试县教育局", "title": "字形", "body": [SC_JP_DIFFER], "date": "2021-03-05"}
    _docx, pdf = rendered("notice", data, name="glyphs")
    line = next(ln for p in read_pdf(pdf) for ln in p.lines if ln.text == SC_JP_DIFFER)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "400",
            "-f",
            "1",
            "-l",
            "1",
            "-gray",
            "-png",
            str(pdf),
            str(tmp_path / "g"),
        ],
        check=True,
    )
    page = np.asarray(Image.open(next(tmp_path.glob("g-*.png"))).convert("L")) < 128
    px = 400 / 25.4
    pitch = (line.x1 - line.x0) / len(SC_JP_DIFFER)
    collection = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
    for i, ch in enumerate(SC_JP_DIFFER):
        x0 = line.x0 + i * pitch
        cell = page[
            int(line.y0 * px) - 4 : int(line.y1 * px) + 4, int(x0 * px) : int((x0 + pitch) * px)
        ]
        drawn = _ink(cell)
        score = {}
        for face, index in (("JP", 0), ("SC", 2)):
            font = ImageFont.truetype(collection, 200, index=index)
            ref = Image.new("L", (260, 260), 255)
            ImageDraw.Draw(ref).text((20, 0), ch, font=font, fill=0)
            score[face] = (drawn == _ink(np.asarray(ref) < 128)).mean()
        assert score["SC"] > score["JP"] + 0.02, (ch, score)


def test_booklet_toc_has_real_page_numbers(rendered):
    _docx, pdf = rendered("booklet")
    pages = read_pdf(pdf)
    toc_page = next(p for p in pages if any(row_text(r) == "目录" for r in rows(p)))
    entries = [
        row_text(r) for r in body_rows(toc_page) if "…" in row_text(r) or ".." in row_text(r)
    ]
    assert len(entries) == 2, [row_text(r) for r in rows(toc_page)]
    for entry in entries:
        number = int(entry.rstrip("…").split(".")[-1].strip("…"))
        head = entry[:6]
        # The chapter title appears on the page whose footer shows that number.
        target = next(
            p
            for p in pages
            if any(row_text(r).startswith(head) for r in body_rows(p)) and p is not toc_page
        )
        footer = [row_text(r) for r in rows(target) if r[0].y0 > BLOCK_BOTTOM]
        assert footer == [f"—{number}—"], (entry, footer)
    # The cover has no page number.
    assert not [r for r in rows(pages[0]) if r[0].y0 > BLOCK_BOTTOM]


@pytest.mark.parametrize("kind", ["notice"])
def test_pages_render_to_png(rendered, kind, tmp_path):
    """pdftoppm renders every page (the images were looked at while building the layout)."""
    _docx, pdf = rendered(kind)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p-*.png"))) == len(read_pdf(pdf))


def test_red_rule_under_the_number(rendered, tmp_path):
    """Looked at in pixels: a red rule as wide as the text block, 4 mm below the number."""
    import numpy as np
    from PIL import Image

    _docx, pdf = rendered("notice")
    subprocess.run(
        ["pdftoppm", "-r", "254", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")],
        check=True,
    )  # 254 dpi: 10 pixels per millimetre
    img = np.asarray(Image.open(next(tmp_path.glob("p-*.png"))).convert("RGB")).astype(int)
    red = (img[:, :, 0] > 200) & (img[:, :, 1] < 80) & (img[:, :, 2] < 80)
    rule_rows = [y for y in range(red.shape[0]) if red[y].sum() > 1000]
    assert rule_rows, "no red rule"
    cols = np.where(red[rule_rows[0]])[0]
    assert abs(cols[0] / 10 - BLOCK_LEFT) < 0.5 and abs(cols[-1] / 10 - BLOCK_RIGHT) < 0.5
    number = rows(read_pdf(pdf)[0])[1][0]
    baseline = number.y1 - 0.12 * L.SIZE_3 * 25.4 / 72  # the box includes the descent
    assert 3.0 < rule_rows[0] / 10 - baseline < 5.0, (rule_rows[0] / 10, baseline)
    # The issuing-body mark above it is red too.
    mark_rows = [y for y in range(int(number.y0 * 10)) if red[y].any()]
    assert mark_rows and mark_rows[0] / 10 > BLOCK_TOP + 30


# What must never be split at a line end: dates, document numbers, numbers with their percent
# sign, Latin words (longest alternatives first).
UNBREAKABLE = re.compile(
    r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日|〔\d{4}〕\d+号"
    r"|\d+(?:\.\d+)*[%％‰]?|[A-Za-z]+"
)


def wrapped_pairs(pdf):
    """(line, next line) for every line of a paragraph that wraps: a line that ends within
    three characters of the block's right edge (a break inside a number leaves the line
    short of it) followed by a line that starts at the left edge, on the next page when the
    paragraph goes on there. Table rows are left out (several cells on one baseline)."""
    char_mm = L.CHAR_PITCH_TWIPS / L.PT * 25.4 / 72
    flow = []
    for page in read_pdf(pdf):
        flow.extend(body_rows(page))
    for row, nxt in zip(flow, flow[1:], strict=False):
        if len(row) > 1 or len(nxt) > 1:
            continue
        if row[-1].x1 > BLOCK_RIGHT - 3 * char_mm and nxt[0].x0 < BLOCK_LEFT + 0.6:
            yield row_text(row), row_text(nxt)


def splits_inside(line: str, nxt: str) -> list[str]:
    joined = line + nxt
    cut = len(line)
    return [m.group(0) for m in UNBREAKABLE.finditer(joined) if m.start() < cut < m.end()]


@pytest.mark.parametrize("kind", ["notice", "bulletin", "commendation", "booklet"])
def test_no_line_ends_inside_a_number(rendered, kind):
    _docx, pdf = rendered(kind)
    pairs = list(wrapped_pairs(pdf))
    assert pairs, "no wrapped paragraph found"
    broken = [(a[-8:], b[:8]) for a, b in pairs if splits_inside(a, b)]
    assert not broken, broken


# A number, date, document number or Latin word placed at every position around a line end.
KEEP_WHOLE = ["1234%", "10%", "100%。", "Shidian", "Shidian，", "3.1415", "10％",
              "2021年3月5日", "2021年3月5日。", "〔2021〕17号", "〔2021〕17号）"]  # fmt: skip


def test_numbers_dates_and_words_stay_whole_at_any_position(rendered):
    body = [
        {"text": "甲" * k + token + "乙" * 6, "indent": False}
        for token in KEEP_WHOLE
        for k in range(21, 29)
    ]
    data = {"issuer": "测试县教育局", "title": "断行测试", "body": body, "date": "2021-03-05"}
    _docx, pdf = rendered("notice", data, name="keep-whole")
    pairs = [(a, b) for a, b in wrapped_pairs(pdf) if a.startswith("甲")]
    assert len(pairs) >= len(KEEP_WHOLE) * 6
    broken = [(a[-8:], b[:8]) for a, b in pairs if splits_inside(a, b)]
    assert not broken, broken


@pytest.mark.parametrize("kind", ["notice", "booklet"])
def test_pdf_metadata_names_the_document(rendered, kind):
    _docx, pdf = rendered(kind)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    data = example(kind)
    assert fields["Title"].strip() == data["title"]
    assert fields["Author"].strip() == data["issuer"]
    assert fields["Subject"].strip() == KIND_LABELS[kind]
