"""URL kwargs of the notifications app, for tests/core/test_url_scoping.py.

A notification belongs to one person: everyone else gets 404. A push endpoint belongs to county
A: the zone of county A (which views its subtree but manages nothing) gets 404 like an outsider.
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


def zone_of_county_a(tree):
    from shidian.apps.accounts.models import User

    found = User.objects.filter(username="notify-zone").first()  # scoping: ok test
    return found or make_user("notify-zone", tree.zone, "zone")


URL_KWARG_FACTORIES = {
    "notification_id": lambda tree: notification(tree).pk,
    "endpoint_id": lambda tree: endpoint(tree).pk,
    "delivery_id": lambda tree: delivery(tree).pk,
}
PUBLIC_URL_NAMES: set = set()
INSIDER_PERSONAS = {"zone of county A (no manage)": zone_of_county_a}
