"""A typical case's images and attachments through the API (cases:write): uploaded, listed,
downloaded and removed by the pilot school under the case's If-Match, through the case page's
service with its checks (an image must be an image, 5 MB). Each refusal changes nothing: the
submission, its files (rows and storage) stay as they were."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.evidence.models import Evidence
from shidian.apps.submissions.models import Submission
from tests.api.helpers import bearer, call
from tests.cases.factories import PNG, TEXT, coordinator_of, sheet
from tests.cases.factories import call as case_call
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 case"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(tree):
    w = pilot_world(tree)
    case_call(tree)
    return w, sheet(tree)


def url(row, name="case_submission"):
    return reverse(f"api-v1:{name}", kwargs={"case_submission_id": row.pk})


def file_url(row, evidence_id):
    return reverse(
        "api-v1:case_submission_file",
        kwargs={"case_submission_id": row.pk, "case_evidence_id": evidence_id},
    )


def upload(client, row, headers, etag=None, *, code, name="图.png", data=PNG, **extra):
    if etag is not None:
        extra["HTTP_IF_MATCH"] = etag
    body = {"code": code, "file": SimpleUploadedFile(name, data)}
    return client.post(url(row, "case_submission_attach"), body, **headers, **extra)


def remove(client, row, evidence_id, headers, etag=None):
    extra = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return client.delete(file_url(row, evidence_id), **headers, **extra)


def stored(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def state(row, media):
    fresh = Submission.objects.get(pk=row.pk)  # scoping: ok test
    files = Evidence.objects.filter(submission=fresh).count()  # scoping: ok test
    return fresh.status, fresh.version, fresh.answers, fresh.updated_at, files, len(stored(media))


def test_school_uploads_lists_downloads_and_removes(
    client, tree, case, media, django_capture_on_commit_callbacks
):
    w, row = case
    school = bearer(coordinator_of(tree), ["cases:write"])
    etag = client.get(url(row), **school)["ETag"]
    image = upload(client, row, school, etag, code="images")
    assert image.status_code == 201, image.content
    meta = image.json()
    assert meta["code"] == "images" and meta["kind"] == "image"
    assert meta["content_type"] == "image/png" and meta["filename"] == "图.png"
    assert image["ETag"] != etag
    detail = client.get(url(row), **school)
    assert detail["ETag"] == image["ETag"]
    assert [f["id"] for f in detail.json()["files"]] == [meta["id"]]

    doc = upload(client, row, school, image["ETag"], code="attachments", name="附件.pdf", data=PDF)
    assert doc.status_code == 201 and doc.json()["kind"] == "pdf", doc.content
    listed = client.get(url(row, "case_submission_files"), **school).json()
    assert listed["count"] == 2
    assert sorted(i["code"] for i in listed["items"]) == ["attachments", "images"]
    office = bearer(w.office, ["cases:read"])
    got = client.get(file_url(row, doc.json()["id"]), **office)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF

    # The body names the image by its id; the case is then saved and submitted.
    body = {**TEXT, "body": f"一、做法\n\n[图片:{meta['id']}]"}
    saved = call(client, "patch", url(row, "case_submission_save"), school, body, doc["ETag"])
    assert saved.status_code == 200, saved.content
    with django_capture_on_commit_callbacks(execute=True):
        gone = remove(client, row, doc.json()["id"], school, saved["ETag"])
    assert gone.status_code == 204, gone.content
    assert gone["ETag"] != saved["ETag"] and client.get(url(row), **school)["ETag"] == gone["ETag"]
    assert len(stored(media)) == 1

    done = call(client, "post", url(row, "case_submission_submit"), school, {}, gone["ETag"])
    assert done.status_code == 200, done.content
    before = state(row, media)
    late = upload(client, row, school, done["ETag"], code="images")
    assert late.status_code == 409 and late.json()["code"] == "not_editable"
    late_remove = remove(client, row, meta["id"], school, done["ETag"])
    assert late_remove.status_code == 409 and late_remove.json()["code"] == "not_editable"
    assert state(row, media) == before


def test_refusals_store_nothing(client, tree, case, outsider, media):
    w, row = case
    school = bearer(coordinator_of(tree), ["cases:write"])
    first = upload(client, row, school, client.get(url(row), **school)["ETag"], code="images")
    assert first.status_code == 201, first.content
    etag, evidence_id = first["ETag"], first.json()["id"]
    before = state(row, media)

    # An image must be an image (as on the page); any file must match its name; 5 MB.
    pdf_image = upload(client, row, school, etag, code="images", name="图.pdf", data=PDF)
    assert pdf_image.status_code == 422 and pdf_image.json()["code"] == "file_type"
    assert "只能插入图片" in pdf_image.json()["message"]
    fake = upload(client, row, school, etag, code="attachments", name="a.pdf", data=b"MZ")
    assert fake.status_code == 422 and fake.json()["code"] == "file_type"
    big = PNG + b"\x00" * (5 * 1024 * 1024)
    huge = upload(client, row, school, etag, code="images", data=big)
    assert huge.status_code == 422 and huge.json()["code"] == "file_too_large"
    other = upload(client, row, school, etag, code="body")
    assert other.status_code == 422 and other.json()["code"] == "unknown_item"
    # If-Match: missing 428, stale 412.
    assert upload(client, row, school, code="images").status_code == 428
    assert remove(client, row, evidence_id, school).status_code == 428
    assert upload(client, row, school, '"0"', code="images").status_code == 412
    assert remove(client, row, evidence_id, school, '"0"').status_code == 412
    # A read-only token, the office (it decides, never fills): 403.
    read_only = bearer(coordinator_of(tree), ["cases:read"])
    assert upload(client, row, read_only, etag, code="images").status_code == 403
    office = bearer(w.office, ["cases:write"])
    by_office = upload(client, row, office, etag, code="images")
    assert by_office.status_code == 403 and by_office.json()["code"] == "forbidden"
    assert remove(client, row, evidence_id, office, etag).status_code == 403
    # Another county: 404 on the case and on its files.
    outside = bearer(outsider)
    assert upload(client, row, outside, "*", code="images").status_code == 404
    assert client.get(url(row, "case_submission_files"), **outside).status_code == 404
    assert client.get(file_url(row, evidence_id), **outside).status_code == 404
    assert remove(client, row, evidence_id, outside, "*").status_code == 404
    assert state(row, media) == before
    # In the caller's language, in the page's words.
    english = upload(client, row, school, etag, code="images", name="图.pdf", data=PDF,
                     HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert (
        english.json()["message"] == "Only images (JPG, PNG, GIF, WebP) can be placed in the body."
    )
