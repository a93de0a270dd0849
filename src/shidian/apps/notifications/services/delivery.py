"""Writes for notifications: tell users something in the app, by e-mail and by push.

Other apps call :func:`notify` (the same message to several users) or :func:`deliver` (one
message per recipient, e.g. each school's own link). In-app rows are written in the caller's
transaction; e-mails and pushes are queued once it commits, so a rolled-back write tells nobody.

``deliver`` also applies the rules people expect of a notifier:
- the same message (user, kind, target, subject) within ``dedup_window()`` is written once;
- each user's e-mail choice for the kind's category (now, daily digest, off) is honoured;
- at most ``mail_per_hour()`` e-mails per user per hour: the rest are held and leave later as
  one summary e-mail (``digests.py``); the in-app rows are written regardless;
- the units' push endpoints whose subtree holds a recipient get one delivery per event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from shidian.apps.notifications import conf
from shidian.apps.notifications.categories import category_of
from shidian.apps.notifications.links import absolute
from shidian.apps.notifications.models import (
    MESSAGE_MAX,
    EmailChoice,
    MailStatus,
    Notification,
)
from shidian.apps.notifications.services.preferences import email_choices

MAIL_BATCH = 200
CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


@dataclass
class Note:
    """One message to one user: ``subject`` is also the in-app text; ``link`` a site path."""

    user: Any
    subject: str
    body: str = ""
    link: str = ""


def target_label(target: models.Model | None) -> tuple[str, int | None]:
    if target is None:
        return "", None
    return target._meta.concrete_model._meta.label_lower, target.pk


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _drop_repeats(notes: list[Note], kind: str, target_type: str, target_id, now) -> list[Note]:
    """Notes not already written (same user, kind, target, subject) within the window, nor
    twice in this call."""
    ids = sorted({n.user.pk for n in notes})
    seen: set[tuple[int, str]] = set()
    since = now - conf.dedup_window()
    for chunk in _chunks(ids):
        seen.update(
            Notification.objects.filter(  # scoping: ok the service writes for the system
                user_id__in=chunk,
                kind=kind,
                target_type=target_type,
                target_id=target_id,
                created_at__gte=since,
            ).values_list("user_id", "message")
        )
    kept = []
    for note in notes:
        key = (note.user.pk, note.subject[:MESSAGE_MAX])
        if key not in seen:
            seen.add(key)
            kept.append(note)
    return kept


def mails_last_hour(user_ids: list[int], now) -> Counter:
    """E-mails each user was sent in the last hour (the cap's count)."""
    counts: Counter = Counter()
    since = now - timezone.timedelta(hours=1)
    for chunk in _chunks(sorted(set(user_ids))):
        rows = (
            Notification.objects.filter(  # scoping: ok the service writes for the system
                user_id__in=chunk, mail_status=MailStatus.SENT, created_at__gte=since
            )
            .values("user_id")
            .annotate(n=models.Count("pk"))
        )
        counts.update({r["user_id"]: r["n"] for r in rows})
    return counts


def _mail_text(note: Note, subject: str, base_url: str) -> str:
    body, link = note.body, absolute(note.link, base_url) if note.link else ""
    if link and link not in body:
        body = f"{body}\n\n{link}\n" if body else link
    return body or subject


def deliver(
    notes: Iterable[Note],
    *,
    kind: str = "",
    target: models.Model | None = None,
    mail: bool = True,
    base_url: str = "",
) -> int:
    """Write one in-app notification per note (repeats within the window dropped), queue the
    e-mails people chose after commit, and the pushes; returns how many rows were written."""
    notes = list(notes)
    if not notes:
        return 0
    now = timezone.now()
    target_type, target_id = target_label(target)
    notes = _drop_repeats(notes, kind, target_type, target_id, now)
    if not notes:
        return 0
    category = category_of(kind)
    mailable = [n.user for n in notes if mail and getattr(n.user, "email", "")]
    choices = email_choices(users=mailable, category=category) if mailable else {}
    now_ids = [pk for pk, choice in choices.items() if choice == EmailChoice.NOW]
    sent = mails_last_hour(now_ids, now) if now_ids else Counter()
    cap = conf.mail_per_hour()
    rows, mails, held = [], [], {}
    for note in notes:
        subject = note.subject[:MESSAGE_MAX]
        status = MailStatus.NONE
        choice = choices.get(note.user.pk) if mail and getattr(note.user, "email", "") else None
        if choice == EmailChoice.NOW and sent[note.user.pk] < cap:
            status = MailStatus.SENT
            sent[note.user.pk] += 1
            mails.append([subject, _mail_text(note, subject, base_url), note.user.email])
        elif choice == EmailChoice.NOW:
            status = MailStatus.LIMITED
            held.setdefault(note.user.pk, status)
        elif choice == EmailChoice.DIGEST:
            status = MailStatus.HELD
            held.setdefault(note.user.pk, status)
        rows.append(
            Notification(
                user=note.user,
                kind=kind,
                message=subject,
                body=note.body,
                url=note.link,
                target_type=target_type,
                target_id=target_id,
                mail_status=status,
            )
        )
    Notification.objects.bulk_create(rows, batch_size=2000)
    _after_commit(mails=mails, held=held, notes=notes, kind=kind, target=target, now=now)
    return len(rows)


def _after_commit(*, mails, held, notes, kind, target, now) -> None:
    from shidian.apps.notifications.services.digests import schedule_held
    from shidian.apps.notifications.services.webhooks import deliveries_for_event
    from shidian.apps.notifications.tasks import send_messages

    if mails:
        batches = [mails[i : i + MAIL_BATCH] for i in range(0, len(mails), MAIL_BATCH)]
        transaction.on_commit(lambda: [send_messages.enqueue(messages=b) for b in batches])
    if held:
        schedule_held(held=held, now=now)
    deliveries_for_event(notes=notes, kind=kind, target=target, now=now)


def notify(
    users: Iterable[Any],
    kind: str,
    subject: str,
    body: str = "",
    link: str = "",
    *,
    target: models.Model | None = None,
    mail: bool = True,
    base_url: str = "",
) -> int:
    """The same message to every user in ``users`` (in-app now, e-mail after commit)."""
    return deliver(
        [Note(user=u, subject=subject, body=body, link=link) for u in users],
        kind=kind,
        target=target,
        mail=mail,
        base_url=base_url,
    )


def notifications_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark ``user``'s notifications read (all, or one); returns how many changed."""
    qs = Notification.objects.for_user(user).filter(read=False)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read=True)
