"""The notifications app: notify/deliver write in-app rows now and mail after commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from shidian.apps.notifications import selectors
from shidian.apps.notifications.models import Notification
from shidian.apps.notifications.services import Note, deliver, notifications_mark_read, notify
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_notify_writes_one_row_per_user_and_mails_after_commit(
    tree, django_capture_on_commit_callbacks
):
    a = make_user("n-a", tree.school, "coordinator")
    b = make_user("n-b", tree.school2, "coordinator")
    b.email = ""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = notify([a, b], "test.kind", "主题", "正文", "/x/", target=tree.county)
    assert count == 2
    assert not mail.outbox  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    [message] = mail.outbox  # b has no address
    assert message.to == [a.email] and message.subject == "主题"
    assert "正文" in message.body and "http://127.0.0.1:8000/x/" in message.body
    row = Notification.objects.get(user=a)  # scoping: ok test
    assert (row.kind, row.message, row.url) == ("test.kind", "主题", "/x/")
    assert (row.target_type, row.target_id) == ("orgs.orgunit", tree.county.pk)


def test_deliver_sends_each_user_their_own_message(tree, django_capture_on_commit_callbacks):
    a = make_user("d-a", tree.school, "coordinator")
    b = make_user("d-b", tree.school2, "coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(
            [Note(user=a, subject="给A", link="/a/"), Note(user=b, subject="给B", link="/b/")],
            kind="k",
            base_url="http://site.example",
        )
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "http://site.example/a/" in bodies[a.email]
    assert "http://site.example/b/" in bodies[b.email]


def test_no_mail_when_asked(tree, django_capture_on_commit_callbacks):
    a = make_user("m-a", tree.school, "coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        notify([a], "k", "仅站内", mail=False)
    assert not mail.outbox and Notification.objects.filter(user=a).exists()  # scoping: ok


def test_subject_is_cut_to_the_column(tree):
    a = make_user("c-a", tree.school, "coordinator")
    notify([a], "k", "长" * 400, mail=False)
    assert len(Notification.objects.get(user=a).message) == 300  # scoping: ok test


def test_a_user_reads_and_clears_only_their_own(tree, client):
    a = make_user("r-a", tree.school, "coordinator")
    b = make_user("r-b", tree.school, "coordinator")
    notify([a, b], "k", "消息", mail=False)
    assert [n.message for n in selectors.notifications_for(user=a)] == ["消息"]
    assert selectors.unread_count(user=a) == 1
    assert notifications_mark_read(user=a) == 1
    assert selectors.unread_count(user=a) == 0 and selectors.unread_count(user=b) == 1


def test_mark_read_view_redirects_only_to_this_site(tree, client):
    a = make_user("v-a", tree.school, "coordinator")
    notify([a], "k", "消息", mail=False)
    client.force_login(a)
    response = client.post(reverse("notifications:read"), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("core:home")
    assert selectors.unread_count(user=a) == 0
    response = client.post(reverse("notifications:read"), {"next": "/campaigns/"})
    assert response.url == "/campaigns/"
