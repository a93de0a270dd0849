"""Files on help requests: checked like evidence, stored, and served by the request's rule."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.helprequests import services
from shidian.apps.helprequests.models import HelpAttachment, HelpMessage, HelpRequest
from tests.community_world import community_world
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name="问题.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _download(client, att):
    return client.get(reverse("helprequests:attachment", kwargs={"help_attachment_id": att.pk}))


def test_member_attaches_when_asking_and_expert_and_lead_in_answers(client, tree, media):
    cw = community_world(tree)
    member = cw.coordinators["A1-2"]
    client.force_login(member)
    r = client.post(
        reverse("helprequests:new", kwargs={"community_id": cw.first.pk}),
        {
            "title": "实验课安全",
            "description": "见附件照片",
            "files": [pdf(), SimpleUploadedFile("现场.png", PNG)],
        },
    )
    assert r.status_code == 302
    req = HelpRequest.objects.get(title="实验课安全")  # scoping: ok test
    first = list(req.attachments.all())
    assert [a.name for a in first] == ["问题.pdf", "现场.png"] and first[0].message is None
    page = client.get(r["Location"]).content.decode()
    assert reverse("helprequests:attachment", kwargs={"help_attachment_id": first[0].pk}) in page
    r = _download(client, first[0])
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert "attachment" in r["Content-Disposition"]

    services.request_route(by=cw.lead_user, request=req, expert=cw.expert)
    client.force_login(cw.expert)
    assert _download(client, first[1]).status_code == 200
    page = client.get(reverse("helprequests:detail", kwargs={"help_request_id": req.pk}))
    # The expert's way back is their own list (the community page would be a 404 for them).
    assert reverse("helprequests:mine") in page.content.decode()
    r = client.post(
        reverse("helprequests:act", kwargs={"help_request_id": req.pk}),
        {"act": "answer", "body": "请看操作规范", "files": [pdf("规范.pdf")]},
    )
    assert r.status_code == 302
    answer = HelpMessage.objects.get(request=req, kind="answer")  # scoping: ok test
    assert [a.name for a in answer.attachments.all()] == ["规范.pdf"]

    # The lead adds a note with only a file; the member reopens with a photo.
    services.comment(by=cw.lead_user, request=req, body="", uploads=[pdf("补充.pdf")])
    services.request_reopen(
        by=member, request=req, reason="还是不清楚", uploads=[SimpleUploadedFile("b.png", PNG)]
    )
    assert req.attachments.count() == 5
    client.force_login(member)
    page = client.get(reverse("helprequests:detail", kwargs={"help_request_id": req.pk}))
    for name in ("规范.pdf", "补充.pdf", "b.png"):
        assert name in page.content.decode()


def test_bad_files_refuse_everything_with_a_clear_message(client, tree, media):
    cw = community_world(tree)
    member = cw.coordinators["A1-2"]
    client.force_login(member)
    r = client.post(
        reverse("helprequests:new", kwargs={"community_id": cw.first.pk}),
        {
            "title": "坏文件",
            "description": "描述",
            "files": [pdf(), SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")],
        },
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "virus.pdf" in page and 'value="坏文件"' in page and "描述" in page
    assert not HelpRequest.objects.filter(title="坏文件").exists()  # scoping: ok test
    assert not HelpAttachment.objects.exists()  # scoping: ok test
    req = services.request_create(by=member, community=cw.first, title="t", description="d")
    with pytest.raises(ValidationError, match="最多上传"):
        services.comment(by=member, request=req, body="x", uploads=[pdf() for _ in range(6)])
    with pytest.raises(ValidationError):
        services.comment(by=member, request=req, body="  ", uploads=[])
    assert not req.messages.exists()


def test_downloads_follow_the_request_rule(client, tree, media):
    cw = community_world(tree)
    req = services.request_create(
        by=cw.coordinators["A1-2"],
        community=cw.first,
        title="t",
        description="d",
        uploads=[pdf()],
    )
    att = req.attachments.get()
    # Another member school of the same community, an expert with no grant, another community.
    for user in (cw.coordinators["A1-3"], cw.expert, cw.coordinators["A1-6"]):
        client.force_login(user)
        assert _download(client, att).status_code == 404
    for user in (cw.lead_user, cw.office):
        client.force_login(user)
        assert _download(client, att).status_code == 200
    services.request_route(by=cw.office, request=req, expert=cw.expert)
    client.force_login(cw.expert)
    assert _download(client, att).status_code == 200
    # Routed to someone else: the first expert loses the file with the request.
    services.request_route(
        by=cw.office, request=req, expert=make_user("att-exp2", tree.county, "expert")
    )
    assert _download(client, att).status_code == 404
