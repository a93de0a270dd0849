"""Writes for notifications: tell users something in the app and by e-mail.

Other apps call :func:`notify` (the same message to several users) or :func:`deliver` (one
message per recipient, e.g. each school's own link). In-app rows are written in the caller's
transaction; e-mails are queued once it commits, so a rolled-back write mails nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from shidian.apps.notifications.links import absolute
from shidian.apps.notifications.models import MESSAGE_MAX, Notification

MAIL_BATCH = 200


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


def deliver(
    notes: Iterable[Note],
    *,
    kind: str = "",
    target: models.Model | None = None,
    mail: bool = True,
    base_url: str = "",
) -> int:
    """Write one in-app notification per note and queue its e-mail (to users with an
    address) after commit; returns how many notifications were written."""
    target_type, target_id = target_label(target)
    rows, mails = [], []
    for note in notes:
        subject = note.subject[:MESSAGE_MAX]
        rows.append(
            Notification(
                user=note.user,
                kind=kind,
                message=subject,
                body=note.body,
                url=note.link,
                target_type=target_type,
                target_id=target_id,
            )
        )
        address = getattr(note.user, "email", "")
        if mail and address:
            body, link = note.body, absolute(note.link, base_url) if note.link else ""
            if link and link not in body:
                body = f"{body}\n\n{link}\n" if body else link
            mails.append([subject, body or subject, address])
    Notification.objects.bulk_create(rows, batch_size=2000)
    if mails:
        from shidian.apps.notifications.tasks import send_messages

        batches = [mails[i : i + MAIL_BATCH] for i in range(0, len(mails), MAIL_BATCH)]
        transaction.on_commit(lambda: [send_messages.enqueue(messages=b) for b in batches])
    return len(rows)


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


def notifications_mark_read(*, user) -> int:
    """Mark all of ``user``'s notifications read; returns how many changed."""
    return Notification.objects.for_user(user).filter(read=False).update(read=True)
