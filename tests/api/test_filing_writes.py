"""A community's semester filing filled through the API: its items saved by PATCH and its
attachments uploaded, listed, downloaded and removed, under the filing's If-Match, through the
filing page's services and the evidence routes' file checks. Each refusal changes nothing:
the submission, its revisions and its files (rows and storage) stay as they were."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.evidence.models import Evidence
from shidian.apps.submissions.models import Revision, Submission
from tests.api.helpers import bearer, call

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 plan"
PLAN = {"goals": "提升课堂质量", "activities": "三次研讨", "division": "牵头校统筹"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def url(filing, name="community_filing"):
    return reverse(f"api-v1:{name}", kwargs={"filing_id": filing.pk})


def file_url(filing, evidence_id):
    return reverse(
        "api-v1:community_filing_attachment",
        kwargs={"filing_id": filing.pk, "filing_evidence_id": evidence_id},
    )


def upload(client, filing, headers, etag=None, *, name="方案.pdf", data=PDF, **extra):
    if etag is not None:
        extra["HTTP_IF_MATCH"] = etag
    body = {"file": SimpleUploadedFile(name, data)}
    return client.post(url(filing, "community_filing_attach"), body, **headers, **extra)


def remove(client, filing, evidence_id, headers, etag=None):
    extra = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return client.delete(file_url(filing, evidence_id), **headers, **extra)


def stored(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def state(filing, media):
    """What a refused write must leave as it was."""
    fresh = Submission.objects.get(pk=filing.submission_id)  # scoping: ok test
    return (
        fresh.status,
        fresh.version,
        fresh.answers,
        fresh.updated_at,
        Revision.objects.filter(submission=fresh).count(),  # scoping: ok test
        Evidence.objects.filter(submission=fresh).count(),  # scoping: ok test
        len(stored(media)),
    )


def test_lead_fills_and_submits_through_the_api_alone(
    client, plan_filing, media, django_capture_on_commit_callbacks
):
    w, filing = plan_filing
    lead = bearer(w.lead_user, ["communities:write"])
    etag = client.get(url(filing), **lead)["ETag"]
    saved = call(client, "patch", url(filing), lead, {"answers": PLAN}, etag)
    assert saved.status_code == 200, saved.content
    assert saved.json()["answers"] == PLAN and saved.json()["status"] == "draft"
    assert saved["ETag"] != etag and client.get(url(filing), **lead)["ETag"] == saved["ETag"]

    # Only the items named change; null clears one.
    changes = {"body": "保障措施", "division": None}
    again = call(client, "patch", url(filing), lead, {"answers": changes}, saved["ETag"])
    assert again.status_code == 200, again.content
    answers = again.json()["answers"]
    assert answers["body"] == "保障措施" and "division" not in answers
    assert answers["goals"] == PLAN["goals"] and again.json()["version"] == 2

    got = upload(client, filing, lead, again["ETag"])
    assert got.status_code == 201, got.content
    meta = got.json()
    assert meta["code"] == "attachments" and meta["filename"] == "方案.pdf"
    assert meta["content_type"] == "application/pdf" and meta["size"] == len(PDF)
    assert meta["uploader"] == w.lead_user.username
    assert got["ETag"] != again["ETag"]
    detail = client.get(url(filing), **lead)
    assert detail["ETag"] == got["ETag"] and detail.json()["attachments"] == 1
    listed = client.get(url(filing, "community_filing_attachments"), **lead).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == meta["id"]
    download = client.get(file_url(filing, meta["id"]), **bearer(w.office, ["communities:read"]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]

    second = upload(client, filing, lead, got["ETag"], name="分工.pdf")
    assert second.status_code == 201 and len(stored(media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        gone = remove(client, filing, second.json()["id"], lead, second["ETag"])
    assert gone.status_code == 204, gone.content
    assert (
        gone["ETag"] != second["ETag"] and client.get(url(filing), **lead)["ETag"] == gone["ETag"]
    )
    assert len(stored(media)) == 1

    restore = call(client, "patch", url(filing), lead, {"answers": PLAN}, gone["ETag"])
    done = call(client, "post", url(filing, "community_filing_submit"), lead, {}, restore["ETag"])
    assert done.status_code == 200 and done.json()["status"] == "submitted", done.content

    # Submitted: nothing changes any more, 409, nothing kept.
    before, etag = state(filing, media), done["ETag"]
    late = call(client, "patch", url(filing), lead, {"answers": {"goals": "改"}}, etag)
    assert late.status_code == 409 and late.json()["code"] == "not_editable"
    late_file = upload(client, filing, lead, etag)
    assert late_file.status_code == 409 and late_file.json()["code"] == "not_editable"
    late_remove = remove(client, filing, meta["id"], lead, etag)
    assert late_remove.status_code == 409 and late_remove.json()["code"] == "not_editable"
    english = upload(client, filing, lead, etag, HTTP_ACCEPT_LANGUAGE="en")
    assert state(filing, media) == before
    # In the caller's language, in the page's words.
    assert english.json()["message"].startswith("It has been submitted")


def test_refusals_change_nothing(client, plan_filing, outsider, media):
    w, filing = plan_filing
    lead = bearer(w.lead_user, ["communities:write"])
    etag = client.get(url(filing), **lead)["ETag"]
    first = upload(client, filing, lead, etag)
    assert first.status_code == 201, first.content
    etag, evidence_id = first["ETag"], first.json()["id"]
    before = state(filing, media)

    unknown = call(client, "patch", url(filing), lead, {"answers": {"nope": "x"}}, etag)
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_item"
    bad = upload(client, filing, lead, etag, name="方案.pdf", data=b"MZ not a pdf")
    assert bad.status_code == 422 and bad.json()["code"] == "file_type"
    exe = upload(client, filing, lead, etag, name="run.exe", data=b"MZ")
    assert exe.status_code == 422 and exe.json()["code"] == "file_type"
    # If-Match: missing 428, stale 412.
    assert call(client, "patch", url(filing), lead, {"answers": PLAN}).status_code == 428
    assert upload(client, filing, lead).status_code == 428
    assert remove(client, filing, evidence_id, lead).status_code == 428
    stale = '"0000"'
    assert call(client, "patch", url(filing), lead, {"answers": PLAN}, stale).status_code == 412
    assert upload(client, filing, lead, stale).status_code == 412
    assert remove(client, filing, evidence_id, lead, stale).status_code == 412
    # A read-only token and the office (it reviews, never fills): 403.
    read_only = bearer(w.lead_user, ["communities:read"])
    assert call(client, "patch", url(filing), read_only, {}, etag).status_code == 403
    office = bearer(w.office, ["communities:write"])
    by_office = call(client, "patch", url(filing), office, {"answers": PLAN}, etag)
    assert by_office.status_code == 403 and by_office.json()["code"] == "forbidden"
    assert upload(client, filing, office, etag).status_code == 403
    assert remove(client, filing, evidence_id, office, etag).status_code == 403
    # Another county: 404 on the filing and on its files.
    other = bearer(outsider)
    assert call(client, "patch", url(filing), other, {"answers": PLAN}, "*").status_code == 404
    assert upload(client, filing, other, "*").status_code == 404
    assert client.get(file_url(filing, evidence_id), **other).status_code == 404
    assert remove(client, filing, evidence_id, other, "*").status_code == 404
    # A file of another submission is not found through this filing.
    assert remove(client, filing, evidence_id + 1000, lead, etag).status_code == 404
    assert state(filing, media) == before
