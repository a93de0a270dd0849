"""Writes for push endpoints and their deliveries.

Which endpoints hear an event: an active endpoint of unit U whose categories include the
event's hears it when at least one recipient's unit lies in U's subtree (the county office's
robot hears what its schools and zones are told; a school's own endpoint only what its people
are told). One delivery per endpoint per event: the event is one ``deliver()`` call, and the
same event (kind, target, subjects) within the dedup window is not pushed again.
Deliveries are sent by a task after commit, retried with exponential backoff up to
``webhook_max_attempts()``; the office reads them on the endpoint's page.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record
from shidian.apps.notifications import conf, webhooks
from shidian.apps.notifications.categories import categories, category_of, get_category
from shidian.apps.notifications.links import absolute
from shidian.apps.notifications.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFormat,
)

ITEMS_MAX = 10
TEST_KIND = "webhooks.test"


def _problems(*, name: str, url: str, fmt: str, chosen: list[str]) -> list[str]:
    problems = []
    if not name.strip():
        problems.append(_("请填写名称。"))
    try:
        webhooks.check_url(url, resolve=False)
    except webhooks.AddressRefused:
        problems.append(
            _("推送地址须以 http:// 或 https:// 开头，且不能是链路本地地址（169.254.x.x）。")
        )
    if fmt not in WebhookFormat.values:
        problems.append(_("未知的推送格式。"))
    known = {c.prefix for c in categories()}
    unknown = [c for c in chosen if c not in known]
    if unknown:
        problems.append(_("未知的通知类别：%(c)s") % {"c": "、".join(unknown)})
    return problems


@transaction.atomic
def endpoint_create(
    *,
    by: Any,
    unit: Any,
    name: str,
    url: str,
    format: str = WebhookFormat.GENERIC,
    secret: str = "",
    categories: list[str] | None = None,
    active: bool = True,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of ``unit`` (``by`` must manage the unit); returns it and the secret to
    show once (generated for the generic format when none is given)."""
    require(by, MANAGE, unit)
    chosen = list(categories or [])
    problems = _problems(name=name, url=url, fmt=format, chosen=chosen)
    if problems:
        raise ValidationError(problems)
    if format == WebhookFormat.GENERIC and not secret:
        secret = secrets.token_urlsafe(24)
    endpoint = WebhookEndpoint.objects.create(
        unit=unit,
        name=name.strip(),
        url=url.strip(),
        format=format,
        secret=secret.strip(),
        categories=chosen,
        active=active,
        created_by=by,
    )
    audit_record(
        actor=by,
        action="notifications.webhook_create",
        target=endpoint,
        unit=unit,
        summary=endpoint.name,
    )
    return endpoint, endpoint.secret


@transaction.atomic
def endpoint_update(
    *,
    by: Any,
    endpoint: WebhookEndpoint,
    name: str,
    url: str,
    format: str,
    categories: list[str],
    active: bool,
    secret: str = "",
    new_secret: bool = False,
) -> tuple[WebhookEndpoint, str]:
    """Change an endpoint; a blank ``secret`` keeps the stored one, ``new_secret`` makes one.
    Returns the endpoint and the secret to show once ("" when unchanged)."""
    require(by, MANAGE, endpoint)
    problems = _problems(name=name, url=url, fmt=format, chosen=list(categories))
    if problems:
        raise ValidationError(problems)
    shown = ""
    if new_secret:
        shown = secret.strip() or secrets.token_urlsafe(24)
    elif secret.strip():
        shown = secret.strip()
    endpoint.name, endpoint.url, endpoint.format = name.strip(), url.strip(), format
    endpoint.categories, endpoint.active = list(categories), active
    if shown:
        endpoint.secret = shown
    endpoint.save()
    audit_record(
        actor=by,
        action="notifications.webhook_update",
        target=endpoint,
        unit=endpoint.unit,
        summary=endpoint.name,
    )
    return endpoint, shown


@transaction.atomic
def endpoint_delete(*, by: Any, endpoint: WebhookEndpoint) -> None:
    require(by, MANAGE, endpoint)
    audit_record(
        actor=by,
        action="notifications.webhook_delete",
        target=endpoint,
        unit=endpoint.unit,
        summary=endpoint.name,
    )
    endpoint.delete()


def _event_key(kind: str, target_type: str, target_id: Any, subjects: list[str]) -> str:
    raw = json.dumps([kind, target_type, target_id, sorted(set(subjects))], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def _unit_paths(notes: list[Any]) -> dict[int, str]:
    """user id -> unit path, in one query for users whose unit was not loaded."""
    from shidian.apps.orgs.models import OrgUnit

    unit_ids = {getattr(n.user, "unit_id", None) for n in notes} - {None}
    paths = dict(
        OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "path")  # scoping: ok system
    )
    return {n.user.pk: paths.get(getattr(n.user, "unit_id", None), "") for n in notes}


def deliveries_for_event(
    *, notes: list[Any], kind: str, target: Any, now: datetime.datetime
) -> list[int]:
    """Queue one delivery per listening endpoint for the notes just written (none for a kind
    a business event carries: ``events.py`` pushes that occurrence once, in its own payload)."""
    from shidian.apps.notifications.services.events import replaced_kinds

    if kind in replaced_kinds():
        return []
    category = category_of(kind)
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(active=True).select_related(
            "unit"
        )  # scoping: ok system
        if e.subscribes(category)
    ]
    if not endpoints or not notes:
        return []
    from shidian.apps.notifications.services.delivery import target_label

    target_type, target_id = target_label(target)
    paths = _unit_paths(notes)
    since = now - conf.dedup_window()
    created = []
    for endpoint in endpoints:
        mine = [n for n in notes if paths.get(n.user.pk, "").startswith(endpoint.unit.path)]
        if not mine:
            continue
        subjects = [n.subject for n in mine]
        key = _event_key(kind, target_type, target_id, subjects)
        if WebhookDelivery.objects.filter(  # scoping: ok system
            endpoint=endpoint, event_key=key, created_at__gte=since
        ).exists():
            continue
        payload = _payload(
            kind=kind, category=category, notes=mine, target=(target_type, target_id), now=now
        )
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_kind=kind[:32],
            event_key=key,
            payload=payload,
            next_attempt_at=now,
        )
        created.append(delivery.pk)
    if created:
        transaction.on_commit(lambda: deliveries_enqueue(created))
    return created


def _payload(
    *, kind: str, category: str, notes: list[Any], target: tuple[str, Any], now: datetime.datetime
) -> dict:
    seen, items = set(), []
    for note in notes:
        item = (note.subject[:300], absolute(note.link) if note.link else "")
        if item not in seen:
            seen.add(item)
            items.append({"subject": item[0], "link": item[1]})
    label = str(get_category(category).label)
    title = items[0]["subject"] if len(items) == 1 else f"{label}（{len(items)}）"
    return {
        "event": kind,
        "category": category,
        "category_label": label,
        "title": title,
        "target": {"type": target[0], "id": target[1]} if target[0] else None,
        "recipients": len(notes),
        "items": items[:ITEMS_MAX],
        "more": max(0, len(items) - ITEMS_MAX),
        "created_at": now.isoformat(),
    }


def deliveries_enqueue(delivery_ids: list[int], when: datetime.datetime | None = None) -> None:
    from shidian.apps.notifications.tasks import send_webhook

    for pk in delivery_ids:
        (send_webhook.using(run_after=when) if when else send_webhook).enqueue(delivery_id=pk)


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2×base, 4×base..."""
    return datetime.timedelta(seconds=conf.webhook_backoff() * 2 ** max(0, attempts - 1))


def delivery_attempt(*, delivery_id: int, now: datetime.datetime | None = None) -> str:
    """Try one delivery once (claimed first, so two workers never send it twice); records the
    outcome and schedules the next try. Returns the delivery's status afterwards."""
    now = now or timezone.now()
    row = (
        WebhookDelivery.objects.filter(pk=delivery_id)  # scoping: ok system task
        .select_related("endpoint")
        .first()
    )
    if row is None or row.status != DeliveryStatus.PENDING:
        return row.status if row else ""
    # The lease: a worker that dies mid-send leaves the row due again after it.
    lease = now + datetime.timedelta(seconds=conf.webhook_timeout() * 3)
    claimed = WebhookDelivery.objects.filter(  # scoping: ok system task
        pk=row.pk, status=DeliveryStatus.PENDING, attempts=row.attempts
    ).update(attempts=row.attempts + 1, next_attempt_at=lease)
    if not claimed:
        return row.status
    attempts = row.attempts + 1
    endpoint = row.endpoint
    if endpoint.active:
        request = webhooks.build_request(
            fmt=endpoint.format,
            url=endpoint.url,
            secret=endpoint.secret,
            payload=row.payload,
            now=now.timestamp(),
        )
        outcome = webhooks.send(request)
    else:
        outcome = webhooks.Outcome(False, None, "endpoint disabled")
    fields: dict[str, Any] = {
        "last_status_code": outcome.status_code,
        "last_error": outcome.error[:300],
    }
    if outcome.ok:
        fields.update(
            status=DeliveryStatus.SUCCEEDED, delivered_at=timezone.now(), next_attempt_at=None
        )
    elif not endpoint.active or attempts >= conf.webhook_max_attempts():
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        fields.update(next_attempt_at=now + backoff(attempts))
    WebhookDelivery.objects.filter(pk=row.pk, attempts=attempts).update(  # scoping: ok system
        **fields
    )
    if fields.get("next_attempt_at"):
        from shidian.apps.notifications.services.digests import supports_defer

        if supports_defer():
            deliveries_enqueue([row.pk], when=fields["next_attempt_at"])
    return fields.get("status", DeliveryStatus.PENDING)


def deliveries_retry_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """The sweep for a scheduler: try every pending delivery whose time has come."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(  # scoping: ok system task
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        delivery_attempt(delivery_id=pk, now=now)
    return len(due)


@transaction.atomic
def endpoint_test(*, by: Any, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a test message to ``endpoint`` (shown in its delivery log)."""
    require(by, MANAGE, endpoint)
    now = timezone.now()
    payload = {
        "event": TEST_KIND,
        "category": "test",
        "category_label": _("测试"),
        "title": _("试点平台推送测试"),
        "target": None,
        "recipients": 0,
        "items": [
            {"subject": _("这是一条测试消息，收到即表示推送设置正确。"), "link": absolute("/")}
        ],
        "more": 0,
        "created_at": now.isoformat(),
    }
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_kind=TEST_KIND,
        event_key=secrets.token_hex(16),
        payload=payload,
        next_attempt_at=now,
    )
    audit_record(
        actor=by,
        action="notifications.webhook_test",
        target=endpoint,
        unit=endpoint.unit,
        summary=endpoint.name,
    )
    transaction.on_commit(lambda: deliveries_enqueue([delivery.pk]))
    return delivery


@transaction.atomic
def delivery_retry(*, by: Any, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a failed delivery again (the attempts start over)."""
    require(by, MANAGE, delivery)
    if delivery.status != DeliveryStatus.FAILED:
        raise ValidationError(_("只有已放弃的推送可以重新发送。"))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(  # scoping: ok checked above
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    audit_record(
        actor=by,
        action="notifications.webhook_retry",
        target=delivery.endpoint,
        unit=delivery.endpoint.unit,
    )
    transaction.on_commit(lambda: deliveries_enqueue([delivery.pk]))
    delivery.refresh_from_db()
    return delivery
