"""Business events pushed to endpoints (外发推送的业务事件), apart from notifications.

A notification push (``webhooks.deliveries_for_event``) follows the people told; a business
event follows the unit it concerns, so it reaches the endpoints even when nobody was told in
the app (a sheet submitted, a report gone late). Each app registers its events in ``ready()``
(:func:`register_event`) and calls :func:`events_publish` where the event happens, in the
writer's transaction; the deliveries leave after commit.

- Who hears it: every active endpoint whose unit is the event's unit or above it (a county's
  endpoint hears its schools; another county's never does), subscribed to the event's
  category (the part of its name before the dot).
- Exactly once: the event's ``key`` (the object and what makes this occurrence unique: a
  sheet's version, an item's escalation level) gives one ``event_key`` per endpoint, held by a
  unique constraint; publishing it again (a job run twice) adds nothing.
- A notification kind an event ``replaces`` is no longer pushed as a notification, so an
  endpoint hears the occurrence once, in the event's payload.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shidian.apps.notifications.categories import category_of, get_category
from shidian.apps.notifications.links import absolute
from shidian.apps.notifications.models import WebhookDelivery, WebhookEndpoint

KEY_PREFIX = "evt:"
CHUNK = 500


@dataclass(frozen=True)
class EventType:
    name: str  # "campaigns.sheet_submitted": the category is the part before the dot
    label: Any  # lazily translated
    replaces: tuple[str, ...] = ()  # notification kinds whose push this event carries


_EVENTS: dict[str, EventType] = {}


def register_event(name: str, label: Any, *, replaces: tuple[str, ...] = ()) -> EventType:
    if "." not in name or len(name) > 32:
        raise ValueError(f"an event is 'category.what', at most 32 characters: {name!r}")
    _EVENTS[name] = EventType(name, label, tuple(replaces))
    return _EVENTS[name]


def registered_events() -> list[EventType]:
    return list(_EVENTS.values())


def replaced_kinds() -> set[str]:
    return {kind for event in _EVENTS.values() for kind in event.replaces}


@dataclass
class Event:
    """One occurrence. ``key`` names it uniquely within its event type (e.g. "12:3")."""

    event: str
    key: str
    unit: Any  # the OrgUnit it concerns
    obj: Any  # the model row it is about
    link: str  # a site path to the object
    title: str
    programme: Any = None
    data: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime.datetime | None = None

    @property
    def event_id(self) -> str:
        return f"{self.event}:{self.key}"

    @property
    def event_key(self) -> str:
        digest = hashlib.sha256(self.event_id.encode()).hexdigest()
        return KEY_PREFIX + digest[: 64 - len(KEY_PREFIX)]


def payload_of(event: Event, *, now: datetime.datetime) -> dict[str, Any]:
    """The generic JSON body (documented per event in docs/notifications.md)."""
    from shidian.apps.notifications.services.delivery import target_label

    category = category_of(event.event)
    label = get_category(category).label
    spec = _EVENTS.get(event.event)
    occurred = (event.occurred_at or now).isoformat()
    url = absolute(event.link) if event.link else ""
    object_type, object_id = target_label(event.obj)
    programme = event.programme
    return {
        "id": event.event_id,
        "event": event.event,
        "event_label": str(spec.label) if spec else event.event,
        "category": category,
        "category_label": str(label),
        "occurred_at": occurred,
        "unit": {"code": str(event.unit.code), "name": event.unit.name},
        "programme": {"id": programme.pk, "name": programme.name} if programme else None,
        "object": {"type": object_type, "id": object_id, "url": url},
        "data": event.data,
        # The robot formats and the delivery log read these, as for notification pushes.
        "title": event.title[:300],
        "items": [{"subject": event.title[:300], "link": url}],
        "more": 0,
        "created_at": now.isoformat(),
    }


def _listening(event: Event, endpoints: list[WebhookEndpoint]) -> list[WebhookEndpoint]:
    path = event.unit.path
    return [e for e in endpoints if path.startswith(e.unit.path)]


def listening_endpoints(event_name: str) -> list[WebhookEndpoint]:
    """The active endpoints subscribed to ``event_name``'s category (any unit)."""
    category = category_of(event_name)
    rows = WebhookEndpoint.objects.filter(active=True).select_related("unit")  # scoping: ok system
    return [e for e in rows if e.subscribes(category)]


def events_publish(events: list[Event], *, now: datetime.datetime | None = None) -> list[int]:
    """Queue one delivery per listening endpoint for each event not delivered to it before;
    returns the new deliveries' ids (sent after commit)."""
    if not events:
        return []
    now = now or timezone.now()
    by_name: dict[str, list[WebhookEndpoint]] = {}
    created: list[int] = []
    for name in {e.event for e in events}:
        by_name[name] = listening_endpoints(name)
    wanted: dict[int, list[Event]] = {}
    endpoints: dict[int, WebhookEndpoint] = {}
    for event in events:
        for endpoint in _listening(event, by_name[event.event]):
            wanted.setdefault(endpoint.pk, []).append(event)
            endpoints[endpoint.pk] = endpoint
    for endpoint_id, chosen in wanted.items():
        keys = [e.event_key for e in chosen]
        have: set[str] = set()
        for i in range(0, len(keys), CHUNK):
            have.update(
                WebhookDelivery.objects.filter(  # scoping: ok system
                    endpoint_id=endpoint_id, event_key__in=keys[i : i + CHUNK]
                ).values_list("event_key", flat=True)
            )
        for event in chosen:
            if event.event_key in have:
                continue
            have.add(event.event_key)
            try:
                with transaction.atomic():  # a concurrent publisher may have written it
                    row = WebhookDelivery.objects.create(
                        endpoint=endpoints[endpoint_id],
                        event_kind=event.event[:32],
                        event_key=event.event_key,
                        payload=payload_of(event, now=now),
                        next_attempt_at=now,
                    )
            except IntegrityError:
                continue
            created.append(row.pk)
    if created:
        from shidian.apps.notifications.services.webhooks import deliveries_enqueue

        transaction.on_commit(lambda: deliveries_enqueue(created))
    return created


def event_publish(**fields: Any) -> list[int]:
    """One event (the fields of :class:`Event`)."""
    return events_publish([Event(**fields)])
