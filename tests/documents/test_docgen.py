"""The document library without LibreOffice: .docx structure, fonts, language, data checks."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from docx import Document

from shidian.docgen.blocks import cn_number, heading_label
from shidian.docgen.errors import DataInvalid
from shidian.docgen.render import render_docx, shipped_template
from shidian.docgen.samples import SAMPLES_DIR
from shidian.docgen.shipped import KIND_LABELS, KINDS
from shidian.docgen.text import WORD_JOINER, balance_title, cn_date, normalise_number, width
from tests.documents.conftest import EXAMPLES, example

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def xml_of(docx: bytes, part: str) -> str:
    return zipfile.ZipFile(io.BytesIO(docx)).read(part).decode("utf-8")


@pytest.mark.parametrize("kind", KINDS)
def test_every_example_renders_and_opens(kind):
    docx = render_docx(kind, example(kind), base_dir=EXAMPLES)
    doc = Document(io.BytesIO(docx))  # python-docx opens it
    assert doc.paragraphs
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "{{" not in text and "{%" not in text


def test_examples_match_packaged_samples():
    for path in EXAMPLES.iterdir():
        assert (SAMPLES_DIR / path.name).read_bytes() == path.read_bytes(), path.name


def test_notice_example_is_the_demo_notice():
    data = example("notice")
    assert data["title"] == "关于公布2021年智慧校园创建学校名单的通知"
    rows = data["attachments"][0]["body"][0]["table"]["rows"]
    assert len(rows) == 5


def test_east_asian_fonts_and_chinese_language():
    docx = render_docx("notice", example("notice"), base_dir=EXAMPLES)
    styles = xml_of(docx, "word/styles.xml")
    settings = xml_of(docx, "word/settings.xml")
    assert 'w:eastAsia="zh-CN"' in styles  # document default language
    assert "ja-JP" not in styles and "ja-JP" not in settings
    assert 'w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"' in settings
    for font in ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"):
        assert f'w:eastAsia="{font}"' in styles, font
    assert "w:evenAndOddHeaders" in settings
    assert 'w:kinsoku w:val="1"' in styles
    assert 'w:overflowPunct w:val="0"' in styles
    assert 'w:noLineBreaksBefore w:lang="zh-CN"' in settings


def test_page_setup_is_gbt9704():
    doc = Document(io.BytesIO(render_docx("notice", example("notice"), base_dir=EXAMPLES)))
    s = doc.sections[-1]
    mm = 36000  # EMU per mm
    assert round(s.page_width / mm) == 210 and round(s.page_height / mm) == 297
    assert round(s.top_margin / mm) == 37 and round(s.left_margin / mm) == 28
    assert round((s.page_width - s.left_margin - s.right_margin) / mm) == 156
    assert round((s.page_height - s.top_margin - s.bottom_margin) / mm) == 225
    footers = [s.footer, s.even_page_footer]
    assert all("PAGE" in f._element.xml for f in footers)
    assert 'w:val="right"' in footers[0]._element.xml and 'w:val="left"' in footers[1]._element.xml


def test_same_inputs_give_identical_bytes():
    a = render_docx("notice", example("notice"), base_dir=EXAMPLES)
    b = render_docx("notice", example("notice"), base_dir=EXAMPLES)
    assert a == b


def test_heading_numbering_and_closing():
    data = example("notice")
    doc = Document(io.BytesIO(render_docx("notice", data, base_dir=EXAMPLES)))
    # Word joiners keep dates and numbers together at line ends (text.keep_together).
    texts = [p.text.replace(WORD_JOINER, "") for p in doc.paragraphs]
    assert "一、总体要求" in texts and "二、创建任务" in texts and "（一）完善基础环境" in texts
    assert any(t.startswith("1.制定方案") for t in texts)
    assert "蒲教发〔2021〕17号" in texts
    assert "2021年3月5日" in texts  # Arabic numerals, no leading zeros
    assert "附件：2021年智慧校园创建学校名单" in texts
    table = doc.tables[0]
    assert table.rows[1].cells[1].text == "蒲阳县实验小学"


def test_merged_cells():
    doc = Document(io.BytesIO(render_docx("bulletin", example("bulletin"))))
    table = doc.tables[0]
    last = table.rows[-1]
    assert last.cells[0]._tc is last.cells[1]._tc  # merged horizontally
    assert last.cells[0].text == "合计"


def test_text_helpers():
    assert cn_number(1) == "一" and cn_number(10) == "十" and cn_number(21) == "二十一"
    assert heading_label(2, 3) == "（三）" and heading_label(4, 2) == "（2）"
    assert cn_date(__import__("datetime").date(2021, 3, 5)) == "2021年3月5日"
    assert normalise_number("蒲教发[2021]017号", where="n") == "蒲教发〔2021〕17号"
    assert normalise_number({"prefix": "蒲教函", "year": 2022, "seq": 3}, where="n") == (
        "蒲教函〔2022〕3号"
    )
    with pytest.raises(DataInvalid):
        normalise_number("第17号", where="n")
    lines = balance_title("关于表彰2022年度全县中小学智慧校园建设先进集体和先进个人的通报").split(
        "\n"
    )
    assert len(lines) == 2 and all(width(line) <= 18 for line in lines)
    assert balance_title("关于印发方案的通知") == "关于印发方案的通知"


def test_data_errors_name_the_field():
    with pytest.raises(DataInvalid, match="title"):
        render_docx("notice", {"issuer": "x", "body": ["a"], "date": "2021-01-01"})
    with pytest.raises(DataInvalid, match="date"):
        render_docx("notice", {"issuer": "x", "title": "t", "body": ["a"], "date": "昨天"})
    with pytest.raises(DataInvalid, match="heading level"):
        render_docx(
            "notice",
            {
                "issuer": "x",
                "title": "t",
                "body": [{"heading": "h", "level": 7}],
                "date": "2021-01-01",
            },
        )


def test_an_image_that_is_not_an_image(tmp_path: Path):
    (tmp_path / "fake.png").write_bytes(b"this is not a PNG at all")
    data = {
        "title": "汇编",
        "chapters": [{"title": "一", "body": [{"image": "fake.png", "caption": "图"}]}],
    }
    with pytest.raises(DataInvalid) as err:
        render_docx("booklet", data, base_dir=tmp_path)
    assert err.value.code == "image_invalid" and "fake.png" in err.value.message
    data["chapters"][0]["body"][0]["image"] = "missing.png"
    with pytest.raises(DataInvalid) as err:
        render_docx("booklet", data, base_dir=tmp_path)
    assert err.value.code == "image_missing"


def test_booklet_has_toc_field_and_sections():
    docx = render_docx("booklet", example("booklet"), base_dir=EXAMPLES)
    body = xml_of(docx, "word/document.xml")
    assert 'TOC \\o "1-1"' in body
    assert body.count("<w:sectPr") == 2  # the cover's own section, then the numbered pages
    assert 'w:start="1"' in body
    assert body.count("<pic:pic") == 2


def test_booklet_foreword_and_case_chapter_parts():
    data = {
        "title": "典型案例汇编",
        "foreword": "为总结经验，汇编成册。\n第二段。",
        "chapters": [
            {
                "title": "案例一",
                "author": "甲县第一小学",
                "meta": "学科：数学\u3000主题：课堂教学",
                "summary": "本校推进课堂改革。",
                "body": ["正文。"],
                "attachments": ["实施方案.pdf", "课例.docx"],
            },
            {"title": "案例二", "body": ["正文二。"]},
        ],
    }
    doc = Document(io.BytesIO(render_docx("booklet", data)))
    texts = [p.text for p in doc.paragraphs]
    at = texts.index("前  言")
    assert texts[at + 1 : at + 3] == ["为总结经验，汇编成册。", "第二段。"]
    assert texts.index("目  录") > at  # the foreword before the table of contents
    chapter = texts.index("案例一")
    assert texts[chapter + 1 : chapter + 4] == [
        "甲县第一小学", "学科：数学\u3000主题：课堂教学", "摘要：本校推进课堂改革。",
    ]  # fmt: skip
    assert "附件：1.实施方案.pdf" in texts and "2.课例.docx" in texts
    styles = {p.text: p.style.style_id for p in doc.paragraphs}
    assert styles["前  言"] == "GwTocHeading" and styles["案例一"] == "GwChapter"
    with pytest.raises(DataInvalid):
        render_docx("booklet", {**data, "chapters": [{"title": "x", "attachments": "a.pdf"}]})


def test_shipped_templates_are_valid_docx():
    for kind in KINDS:
        Document(io.BytesIO(shipped_template(kind)))


def test_json_examples_are_valid_json():
    for path in EXAMPLES.glob("*.json"):
        json.loads(path.read_text("utf-8"))


@pytest.mark.parametrize("kind", KINDS)
def test_children_follow_the_schema_order(kind):
    """Word offers to "repair" a file whose property children are out of schema order."""
    from lxml import etree

    from shidian.docgen.ooxml import PPR_ORDER, RPR_ORDER, TBLPR_ORDER

    tcpr = ["tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
            "textDirection", "tcFitText", "vAlign", "hideMark"]  # fmt: skip
    orders = {"pPr": PPR_ORDER, "rPr": RPR_ORDER, "tblPr": TBLPR_ORDER, "tcPr": tcpr}
    docx = render_docx(kind, example(kind), base_dir=EXAMPLES)
    for part in ("word/document.xml", "word/styles.xml"):
        root = etree.fromstring(xml_of(docx, part).encode())
        for name, order in orders.items():
            for node in root.iter(f"{W}{name}"):
                kids = [k.tag.replace(W, "") for k in node if k.tag.startswith(W)]
                ranks = [order.index(k) for k in kids if k in order]
                assert ranks == sorted(ranks), (part, name, kids)
    settings = xml_of(docx, "word/settings.xml")
    assert settings.index("evenAndOddHeaders") > settings.index("defaultTabStop")
    assert settings.index("evenAndOddHeaders") < settings.index("characterSpacingControl")


@pytest.mark.parametrize("kind", KINDS)
def test_core_properties_name_the_document(kind):
    """Word's Properties and the PDF's metadata show the document, not "Shidian ... template"."""
    data = example(kind)
    props = Document(io.BytesIO(render_docx(kind, data, base_dir=EXAMPLES))).core_properties
    assert props.title == data["title"]
    assert props.subject == KIND_LABELS[kind]
    assert props.author == data["issuer"]
    assert props.language == "zh-CN"
    if kind != "booklet":
        assert props.keywords == normalise_number(data["number"], where="number")
