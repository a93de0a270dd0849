"""The public notice of an approved selection: one click, the list by batch as the attachment
table, numbered, about the programme; controls are not published."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from tests.selection.test_approval_helpers import SHORTLIST, leader, place, ready

pytestmark = pytest.mark.django_db


def _approved(tree, office):
    from shidian.apps.selection.services.approval import selection_approve, selection_submit

    w, rows = ready(tree, office)
    selection_submit(by=office, selection=w.selection)
    boss = leader(tree)
    selection_approve(by=boss, selection=w.selection)
    w.selection.refresh_from_db()
    return w, rows, boss


def _docx_text(document) -> tuple[str, list[list[str]]]:
    from docx import Document as Docx

    with document.docx.open("rb") as fh:
        doc = Docx(io.BytesIO(fh.read()))
    text = "\n".join(p.text for p in doc.paragraphs).replace("\u2060", "")
    tables = [
        [[cell.text.replace("\u2060", "") for cell in row.cells] for row in table.rows]
        for table in doc.tables
    ]
    return text, tables


def test_one_click_generates_the_numbered_notice(tree, office_user, office_client):
    from shidian.apps.documents.models import Document

    w, rows, _boss = _approved(tree, office_user)
    url = reverse("selection:approval_notice", kwargs={"selection_id": w.selection.pk})
    response = office_client.post(url)
    assert response.status_code == 302
    w.selection.refresh_from_db()
    document = w.selection.notice
    assert isinstance(document, Document)
    assert document.title == f"关于公布{w.programme.name}试点学校名单的通知"
    assert document.unit == tree.county and document.programme == w.programme
    assert document.number.startswith("甲教发〔") and document.number.endswith("〕1号")
    assert document.status == "done" and document.docx
    text, tables = _docx_text(document)
    assert "下达创建任务" in text and "第一批（2021年）" in text and "第三批（2023年）" in text
    assert "甲县教育局" in text
    table = next(t for t in tables if t and t[0][:3] == ["序号", "批次", "学校代码"])
    assert table[0] == ["序号", "批次", "学校代码", "学校名称", "片区", "学校类型"]
    body = table[1:]
    assert len(body) == 14
    assert body[0][1:4] == ["第一批", rows[0]["id"], rows[0]["name"]]
    assert body[13][1] == "第三批"
    control_names = {r["name"] for r in rows[SHORTLIST : SHORTLIST + 4]}
    everything = text + "".join(c for t in tables for row in t for c in row)
    assert not any(name in everything for name in control_names)
    assert document.inputs["attachments"][0]["body"][0]["table"]["rows"][0][2] == rows[0]["id"]
    page = office_client.get(
        reverse("selection:approval", kwargs={"selection_id": w.selection.pk})
    ).content.decode()
    assert reverse("documents:detail", kwargs={"document_id": document.pk}) in page
    assert reverse("documents:docx", kwargs={"document_id": document.pk}) in page


def test_notice_needs_an_approved_selection_and_the_office(tree, office_user, client):
    from shidian.apps.selection.services.approval import selection_submit

    w, _rows = ready(tree, office_user)
    url = reverse("selection:approval_notice", kwargs={"selection_id": w.selection.pk})
    client.force_login(office_user)
    response = client.post(url)
    assert response.status_code == 400 and "批准后" in response.content.decode()
    selection_submit(by=office_user, selection=w.selection)
    from tests.selection.test_approval_helpers import member

    deputy = member(tree, office_user, w.programme)
    from shidian.apps.selection.services.approval import selection_approve

    selection_approve(by=deputy, selection=w.selection)
    client.force_login(deputy)  # approves, but does not issue documents
    assert client.post(url).status_code == 403
    w.selection.refresh_from_db()
    assert w.selection.notice is None


def test_a_new_version_gets_a_new_notice(tree, office_user):
    from shidian.apps.selection.services.approval import (
        selection_approve,
        selection_return,
        selection_submit,
    )
    from shidian.apps.selection.services.approval_notice import notice_generate

    w, rows, boss = _approved(tree, office_user)
    first = notice_generate(by=office_user, selection=w.selection)
    selection_return(by=boss, selection=w.selection, comment="调整第三批")
    place(w, [*rows[:13], rows[14]])
    selection_submit(by=office_user, selection=w.selection)
    selection_approve(by=boss, selection=w.selection)
    w.selection.refresh_from_db()
    second = notice_generate(by=office_user, selection=w.selection)
    assert second.pk != first.pk and second.number != first.number
    w.selection.refresh_from_db()
    assert w.selection.notice == second
    _text, tables = _docx_text(second)
    names = [row[3] for t in tables for row in t[1:] if t[0][:2] == ["序号", "批次"]]
    assert rows[14]["name"] in names and rows[13]["name"] not in names


def test_chinese_numbers():
    from shidian.apps.selection.services.approval_notice import chinese_number

    assert [chinese_number(n) for n in (1, 3, 10, 12, 20, 23)] == [
        "一",
        "三",
        "十",
        "十二",
        "二十",
        "二十三",
    ]
