"""E-mails that wait: over the hourly cap, or chosen as a daily digest, then sent as one.

A held row (``MailStatus.LIMITED`` / ``HELD``) schedules one deferred task per person when it is
the first waiting row (a later one rides along). Backends that cannot defer (the immediate one
of the tests) rely on :func:`held_mail_send` being called by a scheduler or
``manage.py notifications_sweep``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shidian.apps.notifications import conf
from shidian.apps.notifications.links import absolute, recipient_language
from shidian.apps.notifications.models import MailStatus, Notification

DIGEST_LINES = 30
WAITING = (MailStatus.LIMITED, MailStatus.HELD)


def next_send_time(status: str, now: datetime.datetime) -> datetime.datetime:
    """When a waiting e-mail of ``status`` leaves: the cap's hour is over, or the digest hour."""
    if status == MailStatus.LIMITED:
        return now + datetime.timedelta(hours=1)
    local = timezone.localtime(now)
    at = local.replace(hour=conf.digest_hour(), minute=0, second=0, microsecond=0)
    return at if at > local else at + datetime.timedelta(days=1)


def supports_defer() -> bool:
    from django_tasks import default_task_backend

    return bool(getattr(default_task_backend, "supports_defer", False))


def schedule_held(*, held: dict[int, str], now: datetime.datetime) -> None:
    """Queue the later e-mail for people whose first waiting row was just written."""
    if not supports_defer():
        return
    by_status: dict[str, list[int]] = defaultdict(list)
    for user_id, status in held.items():
        by_status[status].append(user_id)
    for status, ids in by_status.items():
        already = set(
            Notification.objects.filter(  # scoping: ok the system's own bookkeeping
                user_id__in=ids, mail_status=status, created_at__lt=now
            ).values_list("user_id", flat=True)
        )
        fresh = [pk for pk in ids if pk not in already]
        if fresh:
            when = next_send_time(status, now)
            transaction.on_commit(lambda f=fresh, s=status, w=when: _enqueue(f, s, w))


def _enqueue(user_ids: list[int], status: str, when: datetime.datetime) -> None:
    from shidian.apps.notifications.tasks import send_held_mail

    send_held_mail.using(run_after=when).enqueue(user_ids=user_ids, status=status)


def _compose(rows: list[Any], status: str) -> tuple[str, str]:
    n = len(rows)
    if status == MailStatus.LIMITED:
        subject = ngettext("您还有 %(n)d 条新通知", "您还有 %(n)d 条新通知", n) % {"n": n}
        lead = _("为避免邮件过多，过去一小时内超出上限的通知合并在这一封邮件中：")
    else:
        subject = ngettext("每日通知汇总（%(n)d 条）", "每日通知汇总（%(n)d 条）", n) % {"n": n}
        lead = _("您选择了每日汇总，以下是今天的通知：")
    lines = [lead, ""]
    for row in rows[:DIGEST_LINES]:
        lines.append(f"- {row.message}")
        if row.url:
            lines.append(f"  {absolute(row.url)}")
    if n > DIGEST_LINES:
        lines.append(_("……另有 %(n)d 条，请到通知中心查看。") % {"n": n - DIGEST_LINES})
    from django.urls import reverse

    lines += ["", _("通知中心：") + absolute(reverse("notifications:centre"))]
    return subject, "\n".join(lines)


@transaction.atomic
def held_mail_send(
    *, status: str, user_ids: list[int] | None = None, before: datetime.datetime | None = None
) -> int:
    """Send each person's waiting rows of ``status`` (optionally only rows older than
    ``before``) as one e-mail; returns how many e-mails were queued."""
    if status not in WAITING:
        raise ValueError(status)
    qs = Notification.objects.filter(mail_status=status)  # scoping: ok system task
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    rows_by_user: dict[int, list[Any]] = defaultdict(list)
    for row in qs.select_related("user").order_by("user_id", "-created_at"):
        rows_by_user[row.user_id].append(row)
    messages = []
    for rows in rows_by_user.values():
        taken = Notification.objects.filter(  # scoping: ok system task
            pk__in=[r.pk for r in rows], mail_status=status
        ).update(mail_status=MailStatus.DIGESTED)
        user = rows[0].user
        if not taken or not user.email or not user.is_active:
            continue
        with translation.override(recipient_language(user)):
            subject, body = _compose(rows, status)
        messages.append([subject, body, user.email])
    if messages:
        from shidian.apps.notifications.tasks import send_messages

        transaction.on_commit(lambda: send_messages.enqueue(messages=messages))
    return len(messages)


def held_mail_due(*, now: datetime.datetime | None = None) -> int:
    """The sweep for a scheduler: cap overflow older than an hour, and the digests whose hour
    has come."""
    now = now or timezone.now()
    sent = held_mail_send(status=MailStatus.LIMITED, before=now - datetime.timedelta(hours=1))
    local = timezone.localtime(now)
    if local.hour >= conf.digest_hour():
        cut = local.replace(hour=conf.digest_hour(), minute=0, second=0, microsecond=0)
        sent += held_mail_send(status=MailStatus.HELD, before=cut)
    return sent
