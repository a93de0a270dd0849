"""The centre, the bell, marking read (with and without HTMX) and the settings page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.notifications import selectors
from shidian.apps.notifications.models import EmailChoice, Notification, NotificationPreference
from shidian.apps.notifications.services import notify
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_the_bell_shows_the_unread_count_on_every_page(tree, coordinator, client):
    notify([coordinator], "campaigns.open", "一", mail=False)
    notify([coordinator], "selection.quota", "二", mail=False)
    client.force_login(coordinator)
    body = client.get(reverse("core:home")).content.decode()
    assert 'id="notification-bell"' in body and 'data-unread="2"' in body
    assert reverse("notifications:centre") in body


def test_centre_lists_unread_first_and_filters_by_category(tree, coordinator, client):
    notify([coordinator], "campaigns.open", "旧的未读", mail=False)
    notify([coordinator], "selection.quota", "已读的", mail=False)
    notify([coordinator], "mystery.thing", "其他类", mail=False)
    Notification.objects.filter(message="已读的").update(read=True)  # scoping: ok test
    client.force_login(coordinator)
    body = client.get(reverse("notifications:centre")).content.decode()
    assert body.index("旧的未读") < body.index("已读的")
    only = client.get(reverse("notifications:centre"), {"category": "selection"}).content.decode()
    assert "已读的" in only and "旧的未读" not in only
    other = client.get(reverse("notifications:centre"), {"category": "other"}).content.decode()
    assert "其他类" in other and "旧的未读" not in other
    unread = client.get(reverse("notifications:centre"), {"unread": "1"}).content.decode()
    assert "已读的" not in unread and "旧的未读" in unread


def test_mark_one_read_with_htmx_swaps_the_row_and_the_bell(tree, coordinator, client):
    notify([coordinator], "campaigns.open", "甲", mail=False)
    notify([coordinator], "campaigns.open", "乙", mail=False)
    row = Notification.objects.filter(user=coordinator, message="甲").get()  # scoping: ok test
    client.force_login(coordinator)
    url = reverse("notifications:read_one", kwargs={"notification_id": row.pk})
    response = client.post(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and f'id="notification-{row.pk}"' in body
    assert 'hx-swap-oob="true"' in body and ">1<" in body
    assert selectors.unread_count(user=coordinator) == 1
    plain = client.post(url)  # without JavaScript: back to the centre
    assert plain.status_code == 302


def test_open_marks_read_and_follows_only_local_links(tree, coordinator, client):
    notify([coordinator], "campaigns.open", "去填报", link="/campaigns/", mail=False)
    notify([coordinator], "campaigns.open", "外链", link="https://evil.example/", mail=False)
    client.force_login(coordinator)
    good = Notification.objects.get(message="去填报")  # scoping: ok test
    response = client.get(reverse("notifications:open", kwargs={"notification_id": good.pk}))
    assert response.url == "/campaigns/"
    good.refresh_from_db()
    assert good.read
    bad = Notification.objects.get(message="外链")  # scoping: ok test
    response = client.get(reverse("notifications:open", kwargs={"notification_id": bad.pk}))
    assert response.url == reverse("notifications:centre")


def test_someone_elses_notification_is_404(tree, coordinator, client):
    other = make_user("v-other", tree.school, "coordinator")
    notify([other], "campaigns.open", "别人的", mail=False)
    row = Notification.objects.get(user=other)  # scoping: ok test
    client.force_login(coordinator)
    for name in ("notifications:read_one", "notifications:open"):
        assert client.post(reverse(name, kwargs={"notification_id": row.pk})).status_code == 404
    row.refresh_from_db()
    assert not row.read


def test_settings_page_saves_choices_and_ignores_bad_input(tree, coordinator, client):
    client.force_login(coordinator)
    page = client.get(reverse("notifications:settings"))
    assert page.status_code == 200 and "email_campaigns" in page.content.decode()
    data = {
        f"email_{r['category']}": r["email"]
        for r in __import__(
            "shidian.apps.notifications.services.preferences", fromlist=["x"]
        ).preferences_for(user=coordinator)
    }
    bad = dict(data, email_campaigns="never")
    assert client.post(reverse("notifications:settings"), bad).status_code == 200
    assert not NotificationPreference.objects.filter(user=coordinator).exists()  # scoping: ok test
    good = dict(data, email_campaigns=EmailChoice.OFF)
    assert client.post(reverse("notifications:settings"), good).status_code == 302
    [pref] = NotificationPreference.objects.filter(user=coordinator)  # scoping: ok test
    assert (pref.category, pref.email) == ("campaigns", EmailChoice.OFF)


def test_webhook_pages_are_for_managers(tree, coordinator, zone_user, office_user, client):
    for someone in (coordinator, zone_user):
        client.force_login(someone)
        assert client.get(reverse("notifications:webhooks")).status_code == 403
        assert client.get(reverse("notifications:webhook_create")).status_code == 403
    client.force_login(office_user)
    assert client.get(reverse("notifications:webhook_create")).status_code == 200
