"""The community space: pages, resources, the board, and who is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.communities import space
from shidian.apps.communities.models import Post, Resource
from tests.community_world import community_world

PDF = b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _login(client, user):
    client.force_login(user)


@pytest.mark.django_db
def test_member_sees_home_and_list_other_community_404(client, tree):
    w = community_world(tree)
    _login(client, w.coordinators["A1-2"])
    r = client.get(reverse("communities:detail", args=[w.first.pk]))
    assert r.status_code == 200
    assert "A1-3" in r.content.decode() or w.schools["A1-3"].name in r.content.decode()
    assert client.get(reverse("communities:detail", args=[w.second.pk])).status_code == 404
    r = client.get(reverse("communities:list"))
    assert w.first.name in r.content.decode() and w.second.name not in r.content.decode()


@pytest.mark.django_db
def test_expert_without_grant_and_zone_get_404(client, tree, zone_user):
    w = community_world(tree)
    for user in (w.expert, zone_user):
        client.logout()
        _login(client, user)
        assert client.get(reverse("communities:detail", args=[w.first.pk])).status_code == 404


@pytest.mark.django_db
def test_office_sees_all(client, tree):
    w = community_world(tree)
    _login(client, w.office)
    body = client.get(reverse("communities:list")).content.decode()
    assert w.first.name in body and w.second.name in body


@pytest.mark.django_db
def test_post_and_reply_as_member_and_remove_rules(client, tree):
    w = community_world(tree)
    author, other = w.coordinators["A1-2"], w.coordinators["A1-3"]
    _login(client, author)
    r = client.post(
        reverse("communities:post_add", args=[w.first.pk]), {"body": "你好"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and "你好" in r.content.decode()
    post = Post.objects.get(body="你好")  # scoping: ok test
    reply = space.post_add(by=other, community=w.first, body="回复", parent=post)
    assert reply.parent_id == post.pk
    with pytest.raises(PermissionDenied):
        space.post_remove(by=other, post=post)
    with pytest.raises(ValidationError):
        space.post_add(by=author, community=w.first, body="  ")
    space.post_remove(by=w.lead_user, post=reply)
    client.post(reverse("communities:post_remove", args=[post.pk]))
    post.refresh_from_db()
    assert post.deleted


@pytest.mark.django_db
def test_other_community_member_cannot_post(tree):
    w = community_world(tree)
    with pytest.raises(PermissionDenied):
        space.post_add(by=w.coordinators["A1-6"], community=w.first, body="x")


@pytest.mark.django_db
def test_resources_upload_checks_and_download(client, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = community_world(tree)
    member = w.coordinators["A1-2"]
    with pytest.raises(ValidationError):
        space.resource_add(
            by=member,
            community=w.first,
            title="bad",
            upload=SimpleUploadedFile("x.pdf", b"MZ not a pdf"),
        )
    with pytest.raises(ValidationError):
        space.resource_add(by=member, community=w.first, title="bad", url="ftp://x")
    _login(client, member)
    r = client.post(
        reverse("communities:resource_add", args=[w.first.pk]),
        {"title": "教案", "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert r.status_code == 302
    res = Resource.objects.get(title="教案")  # scoping: ok test
    assert client.get(reverse("communities:resource_download", args=[res.pk])).status_code == 200
    with pytest.raises(PermissionDenied):
        space.resource_remove(by=w.coordinators["A1-3"], resource=res)
    client.logout()
    _login(client, w.coordinators["A1-6"])
    assert client.get(reverse("communities:resource_download", args=[res.pk])).status_code == 404


@pytest.mark.django_db
def test_space_errors_rerender_the_page_inline_with_input_kept(client, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = community_world(tree)
    _login(client, w.coordinators["A1-2"])
    r = client.post(
        reverse("communities:resource_add", args=[w.first.pk]),
        {"title": "课件", "url": "ftp://example.org/x"},
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "http(s)://" in page and 'value="课件"' in page and 'value="ftp://example.org/x"' in page
    assert 'id="cm-board"' in page  # the whole space page, not a separate error page
    r = client.post(reverse("communities:post_add", args=[w.first.pk]), {"body": "x" * 4001})
    assert r.status_code == 400
    page = r.content.decode()
    assert "4000" in page and "x" * 4001 in page and 'id="cm-resources"' in page
    # With htmx the board comes back (200, so htmx swaps it) with the error and the text.
    r = client.post(
        reverse("communities:post_add", args=[w.first.pk]),
        {"body": "y" * 4001},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert page.lstrip().startswith('<div id="cm-board">') and "y" * 4001 in page
    assert not Post.objects.filter(community=w.first).exists()  # scoping: ok test
    assert not Resource.objects.filter(community=w.first).exists()  # scoping: ok test
