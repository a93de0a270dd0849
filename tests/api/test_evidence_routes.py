"""Evidence files through the API: a sheet's items, a report's file fields, a rectification
answer's files. A sheet whose items need evidence is filled and submitted through the API
alone, and so is a rectification item that asks for files. Each refusal changes nothing: no
Evidence row, no file in storage, the parent as it was."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.evidence.files import MAX_EVIDENCE_BYTES
from shidian.apps.evidence.models import Evidence
from shidian.apps.submissions.models import Submission
from tests.api.helpers import bearer, call
from tests.campaigns.factories import full_answers, sheet

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 evidence"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def upload(client, url, headers, etag=None, *, name="scan.pdf", data=PDF, **fields):
    extra = dict(headers)
    if etag is not None:
        extra["HTTP_IF_MATCH"] = etag
    body = {**fields, "file": SimpleUploadedFile(name, data)}
    return client.post(url, body, **extra)


def remove(client, url, headers, etag=None):
    extra = dict(headers)
    if etag is not None:
        extra["HTTP_IF_MATCH"] = etag
    return client.delete(url, **extra)


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def state(sub):
    fresh = Submission.objects.get(pk=sub.pk)  # scoping: ok test
    rows = Evidence.objects.filter(submission=sub).count()  # scoping: ok test
    return fresh.status, fresh.version, fresh.answers, fresh.updated_at, rows


# sheets -------------------------------------------------------------------------------------


def sheet_url(row, action=""):
    if action:
        return reverse(f"api-v1:sheet_{action}", kwargs={"sheet_id": row.pk})
    return reverse("api-v1:sheet", kwargs={"sheet_id": row.pk})


def evidence_url(row):
    return reverse("api-v1:sheet_evidence", kwargs={"sheet_id": row.pk})


def file_url(row, evidence_id):
    return reverse(
        "api-v1:sheet_evidence_file", kwargs={"sheet_id": row.pk, "evidence_id": evidence_id}
    )


def test_sheet_filled_and_submitted_through_the_api_alone(client, tree, coordinator, media):
    row = sheet(tree)
    standard = row.round.version.as_standard()
    needing = [item.code for item in standard.items() if item.evidence_required]
    assert needing
    school = bearer(coordinator, ["campaigns:write"])
    etag = client.get(sheet_url(row), **school)["ETag"]
    saved = call(client, "patch", sheet_url(row), school, {"answers": full_answers(standard)}, etag)
    assert saved.status_code == 200, saved.content
    etag = saved["ETag"]
    missing = call(client, "post", sheet_url(row, "submit"), school, None, etag)
    assert missing.status_code == 422 and missing.json()["code"] == "incomplete"

    for code in needing:
        got = upload(client, evidence_url(row), school, etag, name=f"{code}.pdf", code=code)
        assert got.status_code == 201, got.content
        assert got.json()["code"] == code and got.json()["filename"] == f"{code}.pdf"
        assert got.json()["size"] == len(PDF) and got.json()["content_type"] == "application/pdf"
        assert got.json()["uploader"] == coordinator.username and got.json()["uploaded_at"]
        assert got["ETag"] != etag  # the sheet changed: the next write needs the new one
        etag = got["ETag"]
    assert client.get(sheet_url(row), **school)["ETag"] == etag
    listed = client.get(evidence_url(row), **school).json()
    assert listed["count"] == len(needing)
    assert sorted(i["code"] for i in listed["items"]) == sorted(needing)
    assert len(stored_files(media)) == len(needing)

    first = listed["items"][0]
    download = client.get(file_url(row, first["id"]), **bearer(coordinator, ["campaigns:read"]))
    assert download.status_code == 200 and content(download) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert first["filename"] in download["Content-Disposition"]

    done = call(client, "post", sheet_url(row, "submit"), school, None, etag)
    assert done.status_code == 200 and done.json()["status"] == "submitted", done.content

    # Submitted: no file added or removed any more, 409 and nothing changed.
    before, files = state(row), stored_files(media)
    late = upload(client, evidence_url(row), school, done["ETag"], code=needing[0])
    assert late.status_code == 409 and late.json()["code"] == "not_editable"
    gone = remove(client, file_url(row, first["id"]), school, done["ETag"])
    assert gone.status_code == 409 and gone.json()["code"] == "not_editable"
    assert state(row) == before and stored_files(media) == files


def test_sheet_evidence_removed_with_the_sheets_etag(
    client, tree, coordinator, media, django_capture_on_commit_callbacks
):
    row = sheet(tree)
    school = bearer(coordinator, ["campaigns:write"])
    etag = client.get(sheet_url(row), **school)["ETag"]
    added = upload(client, evidence_url(row), school, etag, code="D1.1.1")
    assert added.status_code == 201, added.content
    url = file_url(row, added.json()["id"])
    before = state(row)
    assert remove(client, url, school).status_code == 428
    stale = remove(client, url, school, etag)  # the ETag from before the upload
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    read_only = remove(client, url, bearer(coordinator, ["campaigns:read"]), added["ETag"])
    assert read_only.status_code == 403 and read_only.json()["code"] == "scope"
    assert state(row) == before and len(stored_files(media)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        gone = remove(client, url, school, added["ETag"])
    assert gone.status_code == 204, gone.content
    assert gone["ETag"] not in (etag, added["ETag"])
    assert not Evidence.objects.filter(submission=row).exists()  # scoping: ok test
    assert stored_files(media) == []
    assert client.get(url, **school).status_code == 404


def test_sheet_upload_refusals_store_nothing(client, tree, coordinator, office_user, media):
    row = sheet(tree)
    url = evidence_url(row)
    school = bearer(coordinator, ["campaigns:write"])
    etag = client.get(sheet_url(row), **school)["ETag"]
    before = state(row)

    wrong_type = upload(
        client, url, school, etag, name="virus.exe", data=b"MZ\x90\x00", code="D1.1.1"
    )
    assert wrong_type.status_code == 422 and wrong_type.json()["code"] == "file_type"
    assert "只接受图片" in wrong_type.json()["message"]
    disguised = upload(client, url, school, etag, name="fake.pdf", data=PNG, code="D1.1.1")
    assert disguised.status_code == 422 and disguised.json()["code"] == "file_type"
    big = PDF + b"0" * (MAX_EVIDENCE_BYTES + 1 - len(PDF))
    too_large = upload(client, url, school, etag, name="big.pdf", data=big, code="D1.1.1")
    assert too_large.status_code == 422 and too_large.json()["code"] == "file_too_large"
    assert too_large.json()["message"] == "文件不能超过 20 MB。"
    unknown = upload(client, url, school, etag, code="NOPE")
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_item"
    no_file = client.post(url, {"code": "D1.1.1"}, HTTP_IF_MATCH=etag, **school)
    assert no_file.status_code == 422 and no_file.json()["code"] == "invalid"
    assert upload(client, url, school, code="D1.1.1").status_code == 428
    stale = upload(client, url, school, '"old"', code="D1.1.1")
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    read_only = upload(client, url, bearer(coordinator, ["campaigns:read"]), etag, code="D1.1.1")
    assert read_only.status_code == 403 and read_only.json()["code"] == "scope"
    other_area = upload(client, url, bearer(coordinator, ["reports:write"]), etag, code="D1.1.1")
    assert other_area.status_code == 403
    # The office sees the sheet but only the school attaches to it.
    office = upload(client, url, bearer(office_user, ["campaigns:write"]), etag, code="D1.1.1")
    assert office.status_code == 403 and office.json()["code"] == "forbidden"
    assert state(row) == before
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_a_school_never_reaches_another_schools_evidence(client, tree, coordinator, outsider):
    from tests.conftest import make_user

    row = sheet(tree)
    school = bearer(coordinator, ["campaigns:write"])
    etag = client.get(sheet_url(row), **school)["ETag"]
    added = upload(client, evidence_url(row), school, etag, code="D1.1.1")
    evidence_id = added.json()["id"]
    neighbour_user = make_user("coord2", tree.school2, "coordinator")
    neighbour_sheet = sheet(tree, unit=tree.school2)
    before = state(row)
    for who in (bearer(neighbour_user), bearer(outsider)):
        assert client.get(file_url(row, evidence_id), **who).status_code == 404
        assert client.get(evidence_url(row), **who).status_code == 404
        got = remove(client, file_url(row, evidence_id), who, "*")
        assert got.status_code == 404 and got.json()["code"] == "not_found"
        assert upload(client, evidence_url(row), who, "*", code="D1.1.1").status_code == 404
    # Nor through a sheet of its own: the file is looked for on that sheet only.
    mine = bearer(neighbour_user)
    assert client.get(file_url(neighbour_sheet, evidence_id), **mine).status_code == 404
    got = remove(client, file_url(neighbour_sheet, evidence_id), mine, "*")
    assert got.status_code == 404
    assert state(row) == before


# reports ------------------------------------------------------------------------------------

GOOD = {"rooms": 12, "connected": 10, "share": "na", "trained": "是", "level": "顺利"}


@pytest.fixture
def report(tree):
    from shidian.apps.reports.models import ReportField
    from tests.reports.scoping_filing import report_world

    world = report_world(tree)
    ReportField.objects.create(
        form=world.form, code="photo", label="活动照片", type="file", order=9, required=True
    )
    sub = Submission.objects.get(  # scoping: ok test
        round=world.periods["2026-05"].round, unit=tree.school
    )
    return world, sub


def report_url(sub, action=""):
    name = f"api-v1:report_{action}" if action else "api-v1:report"
    return reverse(name, kwargs={"submission_id": sub.pk})


def report_evidence_url(sub, evidence_id=None):
    if evidence_id is None:
        return reverse("api-v1:report_evidence", kwargs={"submission_id": sub.pk})
    return reverse(
        "api-v1:report_evidence_file",
        kwargs={"submission_id": sub.pk, "evidence_id": evidence_id},
    )


def test_report_file_field_filled_through_the_api(
    client, tree, report, media, django_capture_on_commit_callbacks
):
    world, sub = report
    coord = world.pilots.coordinators[tree.school.pk]
    school = bearer(coord, ["reports:write"])
    etag = client.get(report_url(sub), **school)["ETag"]
    saved = call(client, "patch", report_url(sub), school, {"values": GOOD}, etag)
    etag = saved["ETag"]
    missing = call(client, "post", report_url(sub, "submit"), school, None, etag)
    assert missing.status_code == 422 and missing.json()["code"] == "incomplete"

    first = upload(client, report_evidence_url(sub), school, etag, name="活动.pdf", code="photo")
    assert first.status_code == 201, first.content
    assert first.json()["code"] == "photo" and first.json()["filename"] == "活动.pdf"
    second = upload(
        client,
        report_evidence_url(sub),
        school,
        first["ETag"],
        name="合影.png",
        data=PNG,
        code="photo",
    )
    assert second.status_code == 201 and second.json()["content_type"] == "image/png"
    detail = client.get(report_url(sub), **school)
    assert detail.json()["values"]["photo"] == "合影.png"  # the field names its latest file
    assert detail["ETag"] == second["ETag"]
    assert client.get(report_evidence_url(sub), **school).json()["count"] == 2

    # A field that is not a file field takes no file; the office uploads nothing.
    not_file = upload(client, report_evidence_url(sub), school, second["ETag"], code="rooms")
    assert not_file.status_code == 422 and not_file.json()["code"] == "unknown_item"
    office = bearer(world.pilots.office, ["reports:write"])
    by_office = upload(client, report_evidence_url(sub), office, second["ETag"], code="photo")
    assert by_office.status_code == 403 and by_office.json()["code"] == "forbidden"

    with django_capture_on_commit_callbacks(execute=True):
        gone = remove(client, report_evidence_url(sub, second.json()["id"]), school, second["ETag"])
    assert gone.status_code == 204, gone.content
    detail = client.get(report_url(sub), **school)
    assert detail.json()["values"]["photo"] == "活动.pdf" and detail["ETag"] == gone["ETag"]
    assert len(stored_files(media)) == 1

    done = call(client, "post", report_url(sub, "submit"), school, None, gone["ETag"])
    assert done.status_code == 200 and done.json()["status"] == "submitted", done.content
    download = client.get(report_evidence_url(sub, first.json()["id"]), **office)
    assert download.status_code == 200 and content(download) == PDF
    assert download["Content-Type"] == "application/pdf"
    before = state(sub)
    late = upload(client, report_evidence_url(sub), school, done["ETag"], code="photo")
    assert late.status_code == 409 and late.json()["code"] == "not_editable"
    removed = remove(client, report_evidence_url(sub, first.json()["id"]), school, done["ETag"])
    assert removed.status_code == 409 and removed.json()["code"] == "not_editable"
    assert state(sub) == before and len(stored_files(media)) == 1


def test_report_evidence_refusals(client, tree, report, outsider, media):
    world, sub = report
    coord = world.pilots.coordinators[tree.school.pk]
    school = bearer(coord, ["reports:write"])
    etag = client.get(report_url(sub), **school)["ETag"]
    before = state(sub)
    url = report_evidence_url(sub)
    bad = upload(client, url, school, etag, name="x.pdf", data=b"<html>", code="photo")
    assert bad.status_code == 422 and bad.json()["code"] == "file_type"
    assert upload(client, url, school, code="photo").status_code == 428
    assert upload(client, url, school, '"x"', code="photo").status_code == 412
    read_only = bearer(coord, ["reports:read", "campaigns:write"])
    assert upload(client, url, read_only, etag, code="photo").status_code == 403
    for who in (bearer(world.pilots.coordinators[tree.school2.pk]), bearer(outsider)):
        assert upload(client, url, who, "*", code="photo").status_code == 404
        assert client.get(url, **who).status_code == 404
    assert state(sub) == before and stored_files(media) == []

    added = upload(client, url, school, etag, code="photo")
    one = report_evidence_url(sub, added.json()["id"])
    neighbour = bearer(world.pilots.coordinators[tree.school2.pk])
    assert client.get(one, **neighbour).status_code == 404
    assert client.get(one, **bearer(outsider)).status_code == 404
    assert remove(client, one, neighbour, "*").status_code == 404


def test_a_refused_report_attach_leaves_no_file_in_storage(
    client, tree, report, media, monkeypatch
):
    """The file is stored before the field's save: when that save is refused the row rolls
    back, and the stored file goes with it (no orphan in storage)."""
    from django.core.exceptions import ValidationError

    from shidian.apps.submissions import services as submission_services

    world, sub = report
    school = bearer(world.pilots.coordinators[tree.school.pk], ["reports:write"])
    etag = client.get(report_url(sub), **school)["ETag"]
    before = state(sub)

    def refuse(**kwargs):
        raise ValidationError("“活动照片”内容过长。")

    monkeypatch.setattr(submission_services, "submission_save_item", refuse)
    got = upload(client, report_evidence_url(sub), school, etag, name="活动.pdf", code="photo")
    assert got.status_code == 422, got.content
    assert state(sub) == before and stored_files(media) == []


def test_attach_atomic_removes_only_the_files_of_a_failed_block(tree, media):
    """Nested blocks: an inner block that fails removes its own file at once; one that ends
    well hands its file to the outer block, which removes it when it fails later."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shidian.apps.evidence.services import attach_atomic, evidence_store

    row = sheet(tree)

    def store(name):
        return evidence_store(
            submission=row, user=None, item_code="D1", upload=SimpleUploadedFile(name, PDF)
        )

    with pytest.raises(RuntimeError), attach_atomic():
        store("kept-then-undone.pdf")
        with pytest.raises(RuntimeError), attach_atomic():
            store("undone.pdf")
            raise RuntimeError
        assert len(stored_files(media)) == 1
        raise RuntimeError
    assert stored_files(media) == []
    kept = store("kept.pdf")
    assert [p.name for p in stored_files(media)] == [kept.file.name.rsplit("/", 1)[-1]]


# rectification ------------------------------------------------------------------------------


def item_url(item, action=""):
    name = f"api-v1:rectification_{action}" if action else "api-v1:rectification_item"
    return reverse(name, kwargs={"rect_item_id": item.pk})


def item_state(item):
    from shidian.apps.inspections.models import AnswerFile, RectificationItem

    fresh = RectificationItem.objects.get(pk=item.pk)  # scoping: ok test
    files = AnswerFile.objects.filter(answer__item=item).count()  # scoping: ok test
    return fresh.status, fresh.updated_at, fresh.answers.count(), files


def test_rectification_item_needing_files_answered_through_the_api(client, tree, outsider, media):
    from tests.inspections.factories import world as inspection_world

    found = inspection_world(tree)
    item = found.items[0]
    assert item.unit == tree.school and item.evidence_required
    coord = found.pw.coordinators[tree.school.pk]
    school = bearer(coord, ["rectification:write"])
    url = item_url(item, "evidence")
    etag = client.get(item_url(item), **school)["ETag"]
    before = item_state(item)

    # JSON carries no files: refused with the page's words.
    no_files = call(client, "post", item_url(item, "answer"), school, {"text": "已整改"}, etag)
    assert no_files.status_code == 422 and "佐证材料" in no_files.json()["message"]
    bad = upload(client, url, school, etag, name="x.png", data=b"GIF89a", text="已整改")
    assert bad.status_code == 422 and bad.json()["code"] == "file_type"
    assert bad.json()["details"] and "x.png" in bad.json()["message"]
    no_text = upload(client, url, school, etag, text=" ")
    assert no_text.status_code == 422 and no_text.json()["message"] == "请填写整改情况。"
    assert upload(client, url, school, text="已整改").status_code == 428
    assert upload(client, url, school, '"x"', text="已整改").status_code == 412
    read_only = upload(client, url, bearer(coord, ["rectification:read"]), etag, text="已整改")
    assert read_only.status_code == 403 and read_only.json()["code"] == "scope"
    office = upload(client, url, bearer(found.pw.office), etag, text="已整改")
    assert office.status_code == 403 and office.json()["code"] == "forbidden"
    for who in (bearer(found.pw.coordinators[tree.school2.pk]), bearer(outsider)):
        assert upload(client, url, who, "*", text="已整改").status_code == 404
    assert item_state(item) == before and stored_files(media) == []

    two = {
        "text": "已更换交换机",
        "file": [SimpleUploadedFile("机房.png", PNG), SimpleUploadedFile("验收单.pdf", PDF)],
    }
    answered = client.post(url, two, HTTP_IF_MATCH=etag, **school)
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "answered" and answered["ETag"] != etag
    listed = client.get(url, **bearer(coord, ["rectification:read"])).json()
    assert listed["count"] == 2
    assert [i["filename"] for i in listed["items"]] == ["机房.png", "验收单.pdf"]
    assert all(i["code"] is None and i["uploader"] == coord.username for i in listed["items"])
    file_id = listed["items"][1]["id"]
    one = reverse(
        "api-v1:rectification_evidence_file",
        kwargs={"rect_item_id": item.pk, "rect_file_id": file_id},
    )
    office_read = bearer(found.pw.office, ["rectification:read"])
    download = client.get(one, **office_read)
    assert download.status_code == 200 and content(download) == PDF
    assert download["Content-Type"] == "application/pdf"
    # Another school sees neither the list nor the file.
    for who in (bearer(found.pw.coordinators[tree.school2.pk]), bearer(outsider)):
        assert client.get(one, **who).status_code == 404
        assert client.get(url, **who).status_code == 404
    # Answered: waiting for the office, no second answer.
    after = item_state(item)
    again = upload(client, url, school, answered["ETag"], text="再次")
    assert again.status_code == 409 and again.json()["code"] == "not_allowed"
    assert item_state(item) == after and len(stored_files(media)) == 2

    closed = call(
        client, "post", item_url(item, "close"), bearer(found.pw.office), {}, answered["ETag"]
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_evidence_routes_are_in_the_openapi_document(client, db):
    paths = client.get(reverse("api-v1:openapi-json")).json()["paths"]
    for path in (
        "/api/v1/sheets/{sheet_id}/evidence",
        "/api/v1/report-submissions/{submission_id}/evidence",
        "/api/v1/rectification-items/{rect_item_id}/evidence",
    ):
        post = paths[path]["post"]
        assert any(p["name"] == "If-Match" for p in post["parameters"]), path
        schema = post["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert "file" in schema["properties"] and "file" in schema["required"], path
        assert paths[path]["get"]["responses"]["200"], path
    for path in (
        "/api/v1/sheets/{sheet_id}/evidence/{evidence_id}",
        "/api/v1/report-submissions/{submission_id}/evidence/{evidence_id}",
    ):
        assert any(p["name"] == "If-Match" for p in paths[path]["delete"]["parameters"]), path
