"""Outgoing pushes: formats, signatures checked by a local receiver, retries, routing, access."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import urllib.parse

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shidian.apps.notifications import webhooks
from shidian.apps.notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from shidian.apps.notifications.services import notify
from shidian.apps.notifications.services import webhooks as hooks
from tests.conftest import make_user
from tests.notifications.receiver import Receiver

pytestmark = pytest.mark.django_db


def endpoint(tree, office, url, **extra):
    found, _secret = hooks.endpoint_create(
        by=office, unit=tree.county, name=extra.pop("name", "县推送"), url=url, **extra
    )
    return found


def deliveries(ep):
    return list(WebhookDelivery.objects.filter(endpoint=ep).order_by("pk"))  # scoping: ok test


def test_generic_push_is_signed_and_verified_by_the_receiver(
    tree, office_user, django_capture_on_commit_callbacks
):
    school = make_user("h-a", tree.school, "coordinator")
    with Receiver() as rx:
        ep = endpoint(tree, office_user, rx.url)
        assert len(ep.secret) >= 24  # generated for the generic format
        with django_capture_on_commit_callbacks(execute=True):
            notify(
                [school],
                "campaigns.open",
                "请填报自查表",
                link="/campaigns/sheets/1/",
                target=tree.school,
            )
        [got] = rx.requests
    header = got["headers"]["X-Shidian-Signature"]
    assert webhooks.verify_signature(ep.secret, got["body"], header)
    expected = hmac.new(ep.secret.encode(), got["body"], hashlib.sha256).hexdigest()
    assert header == f"sha256={expected}"
    assert not webhooks.verify_signature("wrong", got["body"], header)
    body = json.loads(got["body"])
    assert body["event"] == "campaigns.open" and body["category"] == "campaigns"
    assert body["timestamp"] == int(got["headers"]["X-Shidian-Timestamp"])
    assert body["items"] == [
        {"subject": "请填报自查表", "link": "http://127.0.0.1:8000/campaigns/sheets/1/"}
    ]
    [row] = deliveries(ep)
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.SUCCEEDED, 1, 200)


def test_one_delivery_per_endpoint_per_event(tree, office_user, django_capture_on_commit_callbacks):
    a = make_user("h-b", tree.school, "coordinator")
    b = make_user("h-c", tree.school2, "coordinator")
    with Receiver() as rx:
        ep = endpoint(tree, office_user, rx.url)
        with django_capture_on_commit_callbacks(execute=True):
            notify([a, b], "campaigns.remind", "提醒", target=tree.county)
            notify([a, b], "campaigns.remind", "提醒", target=tree.county)  # a repeat: nothing
        assert len(rx.requests) == 1 and len(deliveries(ep)) == 1
        assert json.loads(rx.requests[0]["body"])["recipients"] == 2


def test_routing_by_subtree_and_category(tree, office_user, django_capture_on_commit_callbacks):
    inside = make_user("h-d", tree.school, "coordinator")
    outside = make_user("h-e", tree.other_school, "coordinator")
    with Receiver() as rx:
        ep = endpoint(tree, office_user, rx.url, categories=["selection"])
        with django_capture_on_commit_callbacks(execute=True):
            notify([inside], "campaigns.open", "不订阅的类别")
            notify([outside], "selection.quota", "别的县")
            notify([inside], "selection.quota", "本县名额")
        assert [json.loads(r["body"])["title"] for r in rx.requests] == ["本县名额"]
    assert len(deliveries(ep)) == 1


def test_dingtalk_signing_and_text_format():
    secret = "SECabc123"
    request = webhooks.build_request(
        fmt="dingtalk",
        url="https://oapi.dingtalk.com/robot/send?access_token=T",
        secret=secret,
        payload={"title": "标题", "items": [{"subject": "一条", "link": "http://x/1"}]},
        now=1700000000.123,
    )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)
    assert query["access_token"] == ["T"] and query["timestamp"] == ["1700000000123"]
    string_to_sign = f"1700000000123\n{secret}".encode()
    expected = base64.b64encode(
        hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]  # parse_qs undoes the URL encoding of + / =
    body = json.loads(request.body)
    assert body["msgtype"] == "text" and "一条 http://x/1" in body["text"]["content"]


def test_wecom_markdown_format():
    request = webhooks.build_request(
        fmt="wecom",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K",
        secret="",
        payload={"title": "标题", "items": [{"subject": "一条", "link": "http://x/1"}], "more": 3},
    )
    body = json.loads(request.body)
    assert body["msgtype"] == "markdown"
    assert (
        "### 标题" in body["markdown"]["content"]
        and "[一条](http://x/1)" in body["markdown"]["content"]
    )
    assert "X-Shidian-Signature" not in request.headers


def test_failures_retry_with_backoff_then_give_up(
    tree, office_user, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_WEBHOOK_BACKOFF = 60
    school = make_user("h-f", tree.school, "coordinator")
    with Receiver(status=500) as rx:
        ep = endpoint(tree, office_user, rx.url)
        with django_capture_on_commit_callbacks(execute=True):
            notify([school], "campaigns.open", "会失败")
        [row] = deliveries(ep)
        assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
        first_wait = row.next_attempt_at - row.created_at
        assert datetime.timedelta(seconds=55) < first_wait < datetime.timedelta(seconds=70)
        # not due yet: nothing happens
        assert hooks.deliveries_retry_due(now=timezone.now()) == 0
        later = row.next_attempt_at + datetime.timedelta(seconds=1)
        assert hooks.deliveries_retry_due(now=later) == 1
        row.refresh_from_db()
        assert row.attempts == 2 and row.next_attempt_at - later == datetime.timedelta(seconds=120)
        hooks.deliveries_retry_due(now=row.next_attempt_at)
        row.refresh_from_db()
        assert (row.status, row.attempts, row.next_attempt_at) == (DeliveryStatus.FAILED, 3, None)
        assert len(rx.requests) == 3
    # the office sends it again by hand; the receiver now answers
    with Receiver() as ok:
        WebhookEndpoint.objects.filter(pk=ep.pk).update(url=ok.url)  # scoping: ok test
        row.endpoint.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            hooks.delivery_retry(by=office_user, delivery=row)
        row.refresh_from_db()
        assert row.status == DeliveryStatus.SUCCEEDED and len(ok.requests) == 1


def test_a_robot_refusal_in_a_200_is_a_failure(
    tree, office_user, django_capture_on_commit_callbacks
):
    with Receiver(answer=b'{"errcode":310000,"errmsg":"sign not match"}') as rx:
        ep = endpoint(tree, office_user, rx.url, format="dingtalk", secret="SECx")
        with django_capture_on_commit_callbacks(execute=True):
            hooks.endpoint_test(by=office_user, endpoint=ep)
        [row] = deliveries(ep)
        assert row.status == DeliveryStatus.PENDING and "310000" in row.last_error
        assert "sign=" in rx.requests[0]["path"]


def test_addresses_refused():
    for url in (
        "ftp://x/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "file:///etc/passwd",
        "http://0.0.0.0/",
    ):
        with pytest.raises(webhooks.AddressRefused):
            webhooks.check_url(url)
    webhooks.check_url("http://10.1.2.3/hook")  # bureau intranets are allowed
    webhooks.check_url("http://192.168.0.5:8080/hook")
    outcome = webhooks.send(webhooks.Request("http://169.254.169.254/", b"{}", {}))
    assert not outcome.ok and "refused" in outcome.error


def test_endpoint_rules_and_bad_input(tree, office_user, coordinator, zone_user):
    with pytest.raises(ValidationError) as exc:
        hooks.endpoint_create(
            by=office_user,
            unit=tree.county,
            name="",
            url="http://169.254.1.1/",
            categories=["nope"],
        )
    assert len(exc.value.messages) == 3
    assert not WebhookEndpoint.objects.exists()
    for someone in (coordinator, zone_user):
        with pytest.raises(PermissionDenied):
            hooks.endpoint_create(by=someone, unit=tree.county, name="x", url="http://10.0.0.1/")
    with pytest.raises(PermissionDenied):
        hooks.endpoint_create(
            by=office_user, unit=tree.other_county, name="x", url="http://10.0.0.1/"
        )


def test_delivery_log_pages_and_access(
    tree, office_user, client, django_capture_on_commit_callbacks
):
    ep = endpoint(tree, office_user, "http://127.0.0.1:9/none")
    other_office = make_user("office-b", tree.other_county, "office")
    with django_capture_on_commit_callbacks(execute=True):
        hooks.endpoint_test(by=office_user, endpoint=ep)
    client.force_login(office_user)
    page = client.get(reverse("notifications:webhook", kwargs={"endpoint_id": ep.pk}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "delivery-table" in body and ep.secret not in body and ep.masked_secret in body
    assert client.get(reverse("notifications:webhooks")).status_code == 200
    [row] = deliveries(ep)
    client.force_login(other_office)
    for name, kwargs in (
        ("notifications:webhook", {"endpoint_id": ep.pk}),
        ("notifications:webhook_test", {"endpoint_id": ep.pk}),
        ("notifications:webhook_delete", {"endpoint_id": ep.pk}),
        ("notifications:delivery_retry", {"delivery_id": row.pk}),
    ):
        assert client.post(reverse(name, kwargs=kwargs)).status_code == 404
    assert "县推送" not in client.get(reverse("notifications:webhooks")).content.decode()
    # the zone of county A sees its schools but no endpoint of its county
    client.force_login(make_user("zone-a", tree.zone, "zone"))
    assert (
        client.get(reverse("notifications:webhook", kwargs={"endpoint_id": ep.pk})).status_code
        == 404
    )
    assert (
        client.post(
            reverse("notifications:delivery_retry", kwargs={"delivery_id": row.pk})
        ).status_code
        == 404
    )
    assert WebhookEndpoint.objects.filter(pk=ep.pk).exists()  # scoping: ok test


def test_create_page_shows_the_secret_once(tree, office_user, client):
    client.force_login(office_user)
    response = client.post(
        reverse("notifications:webhook_create"),
        {
            "name": "钉钉群",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=T",
            "format": "generic",
            "active": "on",
        },
        follow=True,
    )
    ep = WebhookEndpoint.objects.get(name="钉钉群")  # scoping: ok test
    assert ep.secret in response.content.decode()
    again = client.get(reverse("notifications:webhook", kwargs={"endpoint_id": ep.pk}))
    assert ep.secret not in again.content.decode()
    bad = client.post(
        reverse("notifications:webhook_create"),
        {"name": "x", "url": "http://169.254.169.254/", "format": "generic"},
    )
    assert bad.status_code == 200 and WebhookEndpoint.objects.count() == 1  # scoping: ok test
