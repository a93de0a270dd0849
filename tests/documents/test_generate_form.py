"""The generate page's form: fields with defaults from the unit and today, per-field messages,
cleaned text, the example and the JSON editor as the advanced option."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shidian.apps.documents.generate_forms import (
    BookletForm,
    JsonForm,
    OfficialForm,
    build_generate_form,
)
from shidian.apps.documents.models import Document, DocumentTemplate
from shidian.docgen.plaintext import blocks_from_text, text_from_blocks
from shidian.docgen.samples import sample_data

URL = "documents:generate"


@pytest.fixture(autouse=True)
def no_libreoffice(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCUMENTS_SOFFICE = "/nonexistent/soffice"


def notice_post(**changes):
    data = {
        "kind": "notice",
        "issuer": "甲县教育局",
        "prefix": "甲教发",
        "title": "关于开展2021年智慧校园创建工作的通知",
        "addressees": "各中小学",
        "body": "为推进智慧校园建设，现就有关事项通知如下。\n"
        "一、总体要求\n"
        "坚持先试点、后推广。\n"
        "（一）加强组织领导。各校成立工作小组。\n"
        "1．制定方案（2021年4月30日前）。各校制定创建方案。\n",
        "attachment_title": "创建学校名单",
        "attachment_table": "序号\t学校名称\t学段\n1\t甲县第一小学\t小学\n2\t甲县中学\t初中\n",
        "date": "2021-03-05",
        "seal": "on",
        "record": "on",
        "cc": "县委教育工委、县政府教育督导室",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_new_notice_form_starts_from_the_unit_and_today(office_client):
    page = office_client.get(reverse(URL) + "?kind=notice")
    form = page.context["form"]
    assert isinstance(form, OfficialForm) and page.context["mode"] == "form"
    assert form["issuer"].value() == "甲县教育局"  # the user's unit (甲县) and its bureau
    assert form["prefix"].value() == "甲教发"
    assert form["date"].value() == timezone.localdate()
    assert form["seal"].value() is True and form["record"].value() is True
    assert form["addressees"].value() == "各乡镇中心学校，县属各中小学、幼儿园"
    assert not form["title"].value() and not form["body"].value()
    body = page.content.decode()
    for legend in ("版头", "正文", "附件", "落款", "版记"):
        assert f"<legend>{legend}</legend>" in body
    assert 'id="mode-json"' in body  # the advanced editor stays one click away


def test_generate_a_notice_from_the_form(office_client, office_user):
    response = office_client.post(reverse(URL), notice_post())
    document = Document.objects.get()
    assert response.status_code == 302
    assert document.number == "甲教发〔2021〕1号" and document.author == office_user
    data = document.inputs
    assert data["title"] == "关于开展2021年智慧校园创建工作的通知"
    assert data["body"][1] == {"heading": "总体要求", "level": 1}
    assert data["body"][3] == {
        "heading": "加强组织领导。",
        "level": 2,
        "text": "各校成立工作小组。",
    }
    assert data["body"][4]["level"] == 3 and data["body"][4]["text"] == "各校制定创建方案。"
    assert data["cc"] == ["县委教育工委", "县政府教育督导室"]
    table = data["attachments"][0]["body"][-1]["table"]
    assert table["columns"] == ["序号", "学校名称", "学段"]
    assert table["rows"] == [["1", "甲县第一小学", "小学"], ["2", "甲县中学", "初中"]]
    assert abs(sum(table["widths"]) - 156) < 0.05 and table["widths"][1] > table["widths"][0]
    assert document.docx


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "请填写标题"),
        ({"issuer": "  "}, "issuer", "请填写发文机关"),
        ({"body": "\n \n"}, "body", "请填写正文"),
        ({"date": "2021-02-30"}, "date", "成文日期无效"),
        ({"date": ""}, "date", "请填写成文日期"),
        ({"number": "蒲教发2021年17号"}, "number", "发文字号的格式应为"),
        ({"attachment_table": "甲\t乙\n1\t2\t3"}, "attachment_table", "第 2 行有 3 列"),
        ({"attachment_title": ""}, "attachment_title", "请填写附件名称"),
        ({"print_date": "2021-03-01"}, "print_date", "印发日期不能早于成文日期"),
    ],
)
def test_bad_fields_get_their_own_message_and_nothing_is_made(
    office_client, changes, field, message
):
    response = office_client.post(reverse(URL), notice_post(**changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field]), form.errors
    assert "请按提示修改标红的项目" in response.content.decode()
    assert not Document.objects.exists()


def test_typed_text_is_cleaned(office_client):
    """Control characters from Word or another system are dropped; a vertical tab (Word's
    manual line break) in the body starts a new paragraph."""
    post = notice_post(title="关于\x00开展\x07工作的通知\x0b", body="第一段。\x0b第二段。\x1f")
    office_client.post(reverse(URL), post)
    data = Document.objects.get().inputs
    assert data["title"] == "关于开展工作的通知"
    assert data["body"] == ["第一段。", "第二段。"]


def test_explicit_number_is_kept_and_not_allocated(office_client):
    office_client.post(reverse(URL), notice_post(number="甲教发[2021]017号"))
    assert Document.objects.get().number == "甲教发〔2021〕17号"


def test_example_fills_the_form_and_round_trips(office_client):
    page = office_client.get(reverse(URL) + "?kind=notice&example=1")
    form = page.context["form"]
    sample = sample_data("notice")
    assert form["title"].value() == sample["title"]
    assert form["number"].value() == "蒲教发〔2021〕17号"
    assert "一、总体要求" in form["body"].value()
    assert form["attachment_table"].value().startswith("序号\t学校名称")
    assert blocks_from_text(form["body"].value()) == sample["body"]


def test_example_that_needs_json_opens_the_json_editor(office_client):
    # The sample bulletin's table merges cells: only the JSON editor can say that.
    page = office_client.get(reverse(URL) + "?kind=bulletin&example=1")
    assert isinstance(page.context["form"], JsonForm) and page.context["mode"] == "json"
    assert "merges" in page.content.decode()


def test_form_can_continue_as_json(office_client):
    response = office_client.post(reverse(URL), notice_post(as_json="1"))
    assert response.status_code == 200 and response.context["mode"] == "json"
    assert "关于开展2021年智慧校园创建工作的通知" in response.context["form"]["data"].value()
    assert not Document.objects.exists()


def test_prefill_from_data_for_other_pages(tree):
    """What the selection notice will do: open the form prefilled from a programme's data."""
    templates = DocumentTemplate.objects.none()
    data = {
        "title": "关于公布2022年创建学校名单的通知",
        "body": ["经遴选，确定以下学校为创建学校。"],
        "attachments": [
            {"title": "名单", "body": [{"table": {"columns": ["学校"], "rows": [["甲县中学"]]}}]}
        ],
    }
    form = build_generate_form("notice", unit=tree.county, templates=templates, initial_data=data)
    assert isinstance(form, OfficialForm)
    assert form["title"].value() == data["title"]
    assert form["issuer"].value() == "甲县教育局"  # the unit's defaults fill the rest
    assert form["attachment_table"].value() == "学校\n甲县中学"
    assert form["date"].value() == timezone.localdate()


def test_booklet_form_reads_chapters(office_client, tree):
    post = {
        "kind": "booklet",
        "title": "典型案例汇编",
        "issuer": "甲县教育局",
        "toc": "on",
        "chapters": "# 案例一\n作者：甲县第一小学\n一、基本情况\n正文一。\n"
        "# 案例二\n正文二。\n[图：photo1.jpg 课堂]",
    }
    form = BookletForm(post, kind="booklet", templates=DocumentTemplate.objects.none())
    assert form.is_valid(), form.errors
    chapters = form.document_data()["chapters"]
    assert [c["title"] for c in chapters] == ["案例一", "案例二"]
    assert chapters[0]["author"] == "甲县第一小学"
    assert chapters[0]["body"] == [{"heading": "基本情况", "level": 1}, "正文一。"]
    assert chapters[1]["body"][-1] == {"image": "photo1.jpg", "caption": "课堂"}
    bad = BookletForm(
        {**post, "chapters": "没有篇名的正文"},
        kind="booklet",
        templates=DocumentTemplate.objects.none(),
    )
    assert not bad.is_valid() and "# 篇名" in bad.errors["chapters"][0]


def test_text_helpers_round_trip_headings_and_tables():
    blocks = [
        "正文。",
        {"heading": "要求", "level": 1},
        {"heading": "领导。", "level": 2, "text": "成立小组。"},
        {"heading": "细则", "level": 4},
        {"table": {"columns": ["a", "b"], "rows": [["1", "2"]]}},
    ]
    text = text_from_blocks(blocks)
    assert text == "正文。\n一、要求\n（一）领导。成立小组。\n（1）细则\na\tb\n1\t2"
    again = blocks_from_text(text)
    assert again[:4] == blocks[:4] and again[4]["table"]["rows"] == [["1", "2"]]
    assert blocks_from_text("1.5倍于去年。") == ["1.5倍于去年。"]  # a decimal, not a heading
    assert text_from_blocks([{"page_break": True}]) is None


def test_date_default_is_today_in_the_project_time_zone(tree):
    form = build_generate_form(
        "notice", unit=tree.county, templates=DocumentTemplate.objects.none()
    )
    assert form["date"].value() == timezone.localdate()
    assert isinstance(form["date"].value(), dt.date)


def test_json_data_and_template_names_are_cleaned(office_client):
    data = (
        '{"issuer": "甲县\\u0000教育局", "title": "通\\u0007知", "date": "2021-03-05",'
        ' "body": ["段\\u000b落"]}'
    )
    office_client.post(reverse(URL), {"kind": "notice", "mode": "json", "data": data})
    inputs = Document.objects.get().inputs
    assert inputs["issuer"] == "甲县教育局" and inputs["title"] == "通知"
    assert inputs["body"] == ["段\n落"]
    response = office_client.post(
        reverse("documents:template_create"), {"kind": "notice", "name": "县局\x07通知\x1f"}
    )
    assert response.status_code == 302
    assert DocumentTemplate.objects.get().name == "县局通知"
