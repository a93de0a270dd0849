"""URL kwargs of the notifications app, for tests/core/test_url_scoping.py.

A notification belongs to one person: everyone else gets 404. A push endpoint belongs to county
A. (The zone of county A, which views its subtree but manages nothing, also gets 404 on the
endpoint pages: tests/notifications/test_webhooks.py checks it; it is not declared an insider
persona here because personas apply to every app's pages, and a zone rightly sees its schools.)
"""

from tests.conftest import make_user


def _victim(tree):
    from shidian.apps.accounts.models import User

    found = User.objects.filter(username="notify-victim").first()  # scoping: ok test
    return found or make_user("notify-victim", tree.school, "coordinator")


def notification(tree):
    from shidian.apps.notifications.models import Notification

    return Notification.objects.create(
        user=_victim(tree), kind="campaigns.open", message="甲县的通知"
    )


def endpoint(tree):
    from shidian.apps.notifications.models import WebhookEndpoint

    found = WebhookEndpoint.objects.filter(unit=tree.county).first()  # scoping: ok test
    return found or WebhookEndpoint.objects.create(
        unit=tree.county, name="甲县推送", url="http://127.0.0.1:9/hook", secret="s" * 20
    )


def delivery(tree):
    from shidian.apps.notifications.models import DeliveryStatus, WebhookDelivery

    return WebhookDelivery.objects.create(
        endpoint=endpoint(tree),
        event_kind="campaigns.open",
        event_key="k",
        status=DeliveryStatus.FAILED,
    )


URL_KWARG_FACTORIES = {
    "notification_id": lambda tree: notification(tree).pk,
    "endpoint_id": lambda tree: endpoint(tree).pk,
    "delivery_id": lambda tree: delivery(tree).pk,
}
PUBLIC_URL_NAMES: set = set()
INSIDER_PERSONAS: dict = {}
