"""Sheet input that used to fail: control characters at every way in and in what is already
stored, long evidence file names, malformed autosave requests, and workbooks older than the
online sheet (which would silently put older values back)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shidian.apps.campaigns import sheets
from shidian.apps.campaigns.ingest import ingest_files
from shidian.apps.campaigns.models import Evidence, Review, Sheet, SheetStatus
from shidian.apps.campaigns.workbook import SHEET
from tests.campaigns.factories import campaign, full_answers, sheet
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 evidence"


def _workbook(client, target) -> bytes:
    response = client.get(reverse("campaigns:workbook", kwargs={"sheet_id": target.pk}))
    assert response.status_code == 200
    return response.content


def _fill(data: bytes, values: dict[str, object]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    for row in wb[SHEET].iter_rows(min_row=4):
        if row[0].value in values:
            row[7].value = values[row[0].value]
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(client, target, data: bytes):
    url = reverse("campaigns:upload", kwargs={"sheet_id": target.pk})
    return client.post(url, {"file": SimpleUploadedFile("sheet.xlsx", data)})


# --- 1. Control characters -------------------------------------------------------------------

# In an XLSX file a control character is written as an _xHHHH_ escape; every reader (Excel,
# WPS, calamine) turns it back into the character. openpyxl writes the escape text as is.
NUL = "_x0000_"


def test_autosave_drops_control_characters(coordinator_client, tree):
    target = sheet(tree)
    url = reverse("campaigns:sheet_item", kwargs={"sheet_id": target.pk})
    response = coordinator_client.post(url, {"code": "D1.1.3", "value": "B\x00", "version": 0})
    assert response.status_code == 200, response.content
    response = coordinator_client.post(url, {"code": "D1.1.4", "value": "\x0b是\x01", "version": 1})
    assert response.status_code == 200, response.content
    target.refresh_from_db()
    assert target.answers == {"D1.1.3": {"value": "B"}, "D1.1.4": {"value": "是"}}


def test_the_form_without_javascript_drops_control_characters(coordinator_client, tree):
    target = sheet(tree)
    url = reverse("campaigns:sheet", kwargs={"sheet_id": target.pk})
    response = coordinator_client.post(
        url, {"version": 0, "a-D1.1.3": "C\x00", "a-D1.1.2": "6\x0100", "n-D1.2.1": "8\x1f"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.answers["D1.1.3"] == {"value": "C"}
    assert target.answers["D1.1.2"] == {"value": 600}
    assert target.answers["D1.2.1"]["numerator"] == 8


def test_the_workbook_upload_drops_control_characters(coordinator_client, tree):
    target = sheet(tree)
    data = _fill(_workbook(coordinator_client, target), {"D1.1.3": "A" + NUL, "D1.1.4": "是" + NUL})
    preview = _upload(coordinator_client, target, data)
    assert preview.status_code == 200, preview.context.get("error")
    url = reverse("campaigns:upload", kwargs={"sheet_id": target.pk})
    assert coordinator_client.post(url, {"confirm": preview.context["confirm"]}).status_code == 302
    target.refresh_from_db()
    assert target.answers == {"D1.1.3": {"value": "A"}, "D1.1.4": {"value": "是"}}


def test_the_folder_ingest_drops_control_characters(coordinator_client, tree, tmp_path):
    target = sheet(tree)
    path = tmp_path / "a.xlsx"
    path.write_bytes(_fill(_workbook(coordinator_client, target), {"D1.1.3": "D" + NUL}))
    [row] = ingest_files(campaign=target.campaign, paths=[path])
    assert row.outcome == "applied", row.message
    target.refresh_from_db()
    assert target.answers == {"D1.1.3": {"value": "D"}}


def test_return_comments_pasted_from_word_are_cleaned(client, tree, coordinator, office_user):
    target = sheet(tree)
    answers = full_answers(target.campaign.version.as_standard())
    sheets.sheet_save_all(sheet=target, user=coordinator, answers=answers, base_version=0)
    Sheet.objects.filter(pk=target.pk).update(status=SheetStatus.SUBMITTED)
    client.force_login(office_user)
    client.post(
        reverse("campaigns:return", kwargs={"sheet_id": target.pk}),
        {"c-D1.1.3": "请核实\x0b无线覆盖\x00", "note": "第一行\x0b第二行\x07"},
    )
    target.refresh_from_db()
    assert target.comments == {"D1.1.3": "请核实\n无线覆盖"}
    assert target.return_note == "第一行\n第二行"


@pytest.fixture
def dirty(tree, coordinator):
    """Control characters stored before input was cleaned, everywhere an export reads.
    (PostgreSQL refuses NUL in text and jsonb, so NUL is stored on SQLite only.)"""
    from django.db import connection

    from shidian.apps.orgs.models import OrgUnit

    nul = "\x00" if connection.vendor == "sqlite" else "\x1f"

    opened = campaign(tree)
    standard = opened.version.as_standard()
    target = sheet(tree)
    sheets.sheet_save_all(
        sheet=target, user=coordinator, answers=full_answers(standard), base_version=0
    )
    answers = dict(target.answers)
    answers["D1.1.3"] = {"value": f"A{nul}\x0b"}
    Sheet.objects.filter(pk=target.pk).update(
        answers=answers,
        comments={"D1.1.3": f"请\x0b核实{nul}"},
        return_note="说明\x01",
        status=SheetStatus.SUBMITTED,
    )
    OrgUnit.objects.filter(pk=tree.school.pk).update(name="甲县\x01第一小学\x0b")
    type(opened).objects.filter(pk=opened.pk).update(name="自查\x07赋分")
    Review.objects.create(
        submission=target,
        reviewer=make_user("expert", tree.county, "expert"),
        total=50,
        strengths=f"好{nul}",
    )
    return target


@pytest.mark.parametrize("table", ["ranking", "completeness", "type", "zone", "weakest", "gaps"])
def test_every_export_survives_stored_control_characters(office_client, dirty, table):
    url = reverse("campaigns:export", kwargs={"campaign_id": dirty.campaign_id})
    response = office_client.get(url + f"?table={table}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    text = "".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
    if table in ("ranking", "completeness", "gaps"):
        assert "甲县第一小学" in text


def test_the_workbook_survives_stored_control_characters(client, dirty, coordinator):
    client.force_login(coordinator)
    wb = load_workbook(io.BytesIO(_workbook(client, dirty)))
    ws = wb[SHEET]
    assert ws["A1"].value == "自查赋分 · 甲县第一小学"
    row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == "D1.1.3")
    assert row[7].value == "A" and row[11].value == "请核实"
    assert str(row[10].value).startswith("=")  # the score formula is still a formula


def test_a_formula_typed_as_an_answer_stays_text_in_the_workbook(client, tree, coordinator):
    target = sheet(tree)
    Sheet.objects.filter(pk=target.pk).update(comments={"D1.1.3": '=HYPERLINK("http://x")'})
    client.force_login(coordinator)
    ws = load_workbook(io.BytesIO(_workbook(client, target)))[SHEET]
    row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == "D1.1.3")
    assert row[11].data_type == "s"


# --- 2. Evidence names and malformed autosaves -----------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("char", ["😀", "𠀀", "试"])
def test_an_evidence_name_of_many_multibyte_characters(coordinator_client, tree, media, char):
    target = sheet(tree)
    name = char * 90 + ".pdf"
    url = reverse("campaigns:evidence_upload", kwargs={"sheet_id": target.pk})
    response = coordinator_client.post(
        url, {"code": "D1.1.1", "file": SimpleUploadedFile(name, PDF)}, follow=True
    )
    assert response.status_code == 200
    assert "佐证材料已上传" in response.content.decode()
    evidence = Evidence.objects.get()
    assert len(evidence.original_name.encode("utf-8")) <= 255
    assert evidence.original_name.endswith(".pdf") and evidence.original_name.startswith(char)
    assert len(evidence.file.name) <= Evidence._meta.get_field("file").max_length
    assert evidence.file.storage.exists(evidence.file.name)
    download = coordinator_client.get(
        reverse("campaigns:evidence", kwargs={"evidence_id": evidence.pk})
    )
    assert b"".join(download.streaming_content) == PDF


def test_trimming_keeps_whole_characters_and_the_extension():
    from shidian.apps.campaigns.evidence import clean_name, trim_name

    assert trim_name("😀" * 90 + ".pdf") == "😀" * 62 + ".pdf"  # 248 + 4 bytes
    assert trim_name("a" * 10_000 + ".docx") == "a" * 250 + ".docx"
    assert trim_name("短.pdf") == "短.pdf"
    assert clean_name("C:\\Users\\x\\报告\x00.pdf") == "报告.pdf"


def test_a_long_ascii_name_that_reaches_the_server_is_trimmed(coordinator_client, tree, media):
    # Django's test client (like a browser after campaigns.js) sends at most 255 characters.
    target = sheet(tree)
    url = reverse("campaigns:evidence_upload", kwargs={"sheet_id": target.pk})
    coordinator_client.post(
        url, {"code": "D1.1.1", "file": SimpleUploadedFile("a" * 10_000 + ".pdf", PDF)}
    )
    evidence = Evidence.objects.get()
    assert evidence.original_name.endswith(".pdf") and len(evidence.original_name) <= 255
    assert len(evidence.file.name) <= 100


@pytest.mark.parametrize(
    "version,expected",
    [
        ("-1", "5"),
        ("-1", "[1]"),
        ("-1", "{"),
        ("-1", '{"value": {"x": 1}}'),
        ("-1", "true"),
        ("-1", '"A"'),
        ("0", "5"),
        ("0", "[1]"),
        ("0", '{"value": [1]}'),
    ],
)
def test_a_malformed_autosave_is_refused_with_a_message(
    coordinator_client, tree, coordinator, version, expected
):
    target = sheet(tree)
    sheets.sheet_save_item(
        sheet=target, user=coordinator, code="D1.1.3", answer={"value": "A"}, base_version=0
    )
    url = reverse("campaigns:sheet_item", kwargs={"sheet_id": target.pk})
    response = coordinator_client.post(
        url, {"code": "D1.1.3", "value": "B", "version": version, "expected": expected}
    )
    assert response.status_code == 400
    assert "请刷新页面" in response.json()["message"]
    target.refresh_from_db()
    assert target.version == 1 and target.answers == {"D1.1.3": {"value": "A"}}


def test_a_stale_version_with_a_valid_expected_still_saves_an_untouched_item(
    coordinator_client, tree, coordinator
):
    target = sheet(tree)
    sheets.sheet_save_item(
        sheet=target, user=coordinator, code="D1.1.3", answer={"value": "A"}, base_version=0
    )
    url = reverse("campaigns:sheet_item", kwargs={"sheet_id": target.pk})
    response = coordinator_client.post(
        url, {"code": "D1.1.3", "value": "B", "version": "-1", "expected": '{"value": "A"}'}
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.answers["D1.1.3"] == {"value": "B"}


def test_clean_answer_refuses_what_is_not_an_answer(tree):
    from django.core.exceptions import ValidationError

    item = next(i for i in sheet(tree).campaign.version.as_standard().items() if i.code == "D1.1.3")
    for raw in (5, [1], "A", {"value": {"x": 1}}, {"value": [1]}):
        with pytest.raises(ValidationError):
            sheets.clean_answer(item, raw)


# --- 7. A workbook older than the online sheet -----------------------------------------------


@pytest.fixture
def stale(coordinator_client, tree, coordinator):
    """A workbook downloaded when D1.1.3 was A; D1.1.3 was then changed online to B."""
    target = sheet(tree)
    sheets.sheet_save_item(
        sheet=target, user=coordinator, code="D1.1.3", answer={"value": "A"}, base_version=0
    )
    data = _workbook(coordinator_client, target)
    sheets.sheet_save_item(
        sheet=target, user=coordinator, code="D1.1.3", answer={"value": "B"}, base_version=1
    )
    return target, _fill(data, {"D1.1.4": "是"})


def test_an_older_workbook_warns_before_the_diff_and_needs_a_confirmation(
    coordinator_client, stale
):
    target, data = stale
    preview = _upload(coordinator_client, target, data)
    body = preview.content.decode()
    assert preview.status_code == 200
    assert [(r["code"], r["before"], r["after"]) for r in preview.context["reverts"]] == [
        ("D1.1.3", "B", "A")
    ]
    assert body.index('id="upload-reverts"') < body.index('id="upload-diff"')
    assert "第 1 版时下载的" in body and 'name="overwrite"' in body
    url = reverse("campaigns:upload", kwargs={"sheet_id": target.pk})
    refused = coordinator_client.post(url, {"confirm": preview.context["confirm"]})
    assert refused.status_code == 400 and "请先勾选确认" in refused.context["error"]
    assert refused.context["reverts"] and refused.context["confirm"]
    target.refresh_from_db()
    assert target.version == 2 and target.answers == {"D1.1.3": {"value": "B"}}
    done = coordinator_client.post(url, {"confirm": preview.context["confirm"], "overwrite": "1"})
    assert done.status_code == 302
    target.refresh_from_db()
    assert target.answers == {"D1.1.3": {"value": "A"}, "D1.1.4": {"value": "是"}}


def test_a_current_workbook_needs_no_extra_confirmation(coordinator_client, tree, coordinator):
    target = sheet(tree)
    sheets.sheet_save_item(
        sheet=target, user=coordinator, code="D1.1.3", answer={"value": "A"}, base_version=0
    )
    data = _fill(_workbook(coordinator_client, target), {"D1.1.3": "C", "D1.1.4": "否"})
    preview = _upload(coordinator_client, target, data)
    assert preview.status_code == 200 and len(preview.context["changes"]) == 2
    assert preview.context["reverts"] == []
    assert 'id="upload-reverts"' not in preview.content.decode()
    url = reverse("campaigns:upload", kwargs={"sheet_id": target.pk})
    assert coordinator_client.post(url, {"confirm": preview.context["confirm"]}).status_code == 302


def test_online_edits_to_other_items_are_what_an_older_workbook_reverts(
    coordinator_client, tree, coordinator
):
    target = sheet(tree)
    data = _workbook(coordinator_client, target)  # version 0: nothing answered yet
    sheets.sheet_save_item(
        sheet=target, user=coordinator, code="D1.1.4", answer={"value": "是"}, base_version=0
    )
    preview = _upload(coordinator_client, target, _fill(data, {"D1.1.3": "C"}))
    assert [(r["code"], r["before"], r["after"]) for r in preview.context["reverts"]] == [
        ("D1.1.4", "是", "")
    ]


def test_the_folder_ingest_refuses_an_older_workbook_unless_told(tree, tmp_path, stale):
    target, data = stale
    path = tmp_path / "old.xlsx"
    path.write_bytes(data)
    [row] = ingest_files(campaign=target.campaign, paths=[path])
    assert row.outcome == "error" and "D1.1.3" in row.message and "“B”" in row.message
    target.refresh_from_db()
    assert target.answers == {"D1.1.3": {"value": "B"}}
    [row] = ingest_files(campaign=target.campaign, paths=[path], overwrite_newer=True)
    assert row.outcome == "applied"
    target.refresh_from_db()
    assert target.answers["D1.1.3"] == {"value": "A"}
