"""deliver(): preferences, the dedup window, the hourly cap, digests and absolute links."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from shidian.apps.notifications.categories import (
    OTHER,
    category_of,
    get_category,
    register_category,
)
from shidian.apps.notifications.models import (
    EmailChoice,
    MailStatus,
    Notification,
    NotificationPreference,
)
from shidian.apps.notifications.services import Note, deliver, notify
from shidian.apps.notifications.services.digests import (
    held_mail_due,
    held_mail_send,
    next_send_time,
)
from shidian.apps.notifications.services.preferences import preferences_for, preferences_set
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def rows(user):
    return Notification.objects.filter(user=user).order_by("pk")  # scoping: ok test


def test_categories_from_the_kind_prefix():
    assert category_of("campaigns.return") == "campaigns"
    assert category_of("selection.quota") == "selection"
    assert category_of("plans.returned") == "plans"
    assert category_of("nobody.knows") == OTHER and category_of("") == OTHER
    assert str(get_category("campaigns").label) == "自查赋分"
    with pytest.raises(ValueError):
        register_category("bad.prefix", "x")


def test_email_is_skipped_for_a_category_switched_off(tree, django_capture_on_commit_callbacks):
    a = make_user("p-a", tree.school, "coordinator")
    preferences_set(user=a, choices={"campaigns": EmailChoice.OFF})
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([a], "campaigns.open", "开放填报", link="/c/") == 1
        assert notify([a], "selection.quota", "名额", link="/s/") == 1
    assert [m.subject for m in mail.outbox] == ["名额"]  # only the category still on
    assert [r.mail_status for r in rows(a)] == [MailStatus.NONE, MailStatus.SENT]


def test_preferences_bad_input_changes_nothing(tree):
    a = make_user("p-b", tree.school, "coordinator")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        preferences_set(user=a, choices={"campaigns": EmailChoice.OFF, "nope": EmailChoice.OFF})
    with pytest.raises(ValidationError):
        preferences_set(user=a, choices={"campaigns": "sometimes"})
    assert not NotificationPreference.objects.filter(user=a).exists()  # scoping: ok test
    by_category = {r["category"]: r["email"] for r in preferences_for(user=a)}
    assert by_category["campaigns"] == EmailChoice.NOW and OTHER in by_category


def test_the_same_message_within_the_window_is_written_once(
    tree, settings, django_capture_on_commit_callbacks
):
    a = make_user("w-a", tree.school, "coordinator")
    b = make_user("w-b", tree.school, "coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([a, b], "campaigns.remind", "请提交", target=tree.school) == 2
        assert notify([a, b], "campaigns.remind", "请提交", target=tree.school) == 0
        # another subject, kind or target is another message
        assert notify([a], "campaigns.remind", "最后一天", target=tree.school) == 1
        assert notify([a], "campaigns.return", "请提交", target=tree.school) == 1
        assert notify([a], "campaigns.remind", "请提交", target=tree.school2) == 1
        # twice in one call: once
        assert (
            deliver([Note(user=b, subject="同一条"), Note(user=b, subject="同一条")], kind="k") == 1
        )
    assert rows(a).count() == 4 and len(mail.outbox) == 2 + 3 + 1
    # once the window has passed, it is written again
    Notification.objects.filter(user=a).update(  # scoping: ok test
        created_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert notify([a], "campaigns.remind", "请提交", target=tree.school) == 1
    settings.NOTIFICATIONS_DEDUP_WINDOW = 3600
    assert notify([a], "campaigns.remind", "请提交", target=tree.school) == 0


def test_hourly_cap_writes_the_row_and_holds_the_mail(
    tree, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_MAIL_PER_HOUR = 3
    a = make_user("l-a", tree.school, "coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            notify([a], "campaigns.remind", f"提醒 {i}", link=f"/c/{i}/")
    assert rows(a).count() == 5 and len(mail.outbox) == 3
    statuses = [r.mail_status for r in rows(a)]
    assert statuses == [MailStatus.SENT] * 3 + [MailStatus.LIMITED] * 2
    # an hour later the overflow leaves as one e-mail, with the links
    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert held_mail_due(now=later) == 1
    summary = mail.outbox[-1]
    assert "2" in summary.subject and "http://127.0.0.1:8000/c/4/" in summary.body
    assert "/notifications/" in summary.body
    assert not rows(a).filter(mail_status=MailStatus.LIMITED).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert held_mail_due(now=later) == 0  # sent once


def test_daily_digest_collects_the_day(tree, django_capture_on_commit_callbacks):
    a = make_user("g-a", tree.school, "coordinator")
    preferences_set(user=a, choices={"selection": EmailChoice.DIGEST})
    with django_capture_on_commit_callbacks(execute=True):
        notify([a], "selection.quota", "名额一", link="/s/1/")
        notify([a], "selection.approval", "审批", link="/s/2/")
    assert not mail.outbox
    assert {r.mail_status for r in rows(a)} == {MailStatus.HELD}
    with django_capture_on_commit_callbacks(execute=True):
        assert held_mail_send(status=MailStatus.HELD) == 1
    [digest] = mail.outbox
    assert (
        "2" in digest.subject
        and "名额一" in digest.body
        and "http://127.0.0.1:8000/s/2/" in digest.body
    )


def test_next_send_time():
    now = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 30))
    assert next_send_time(MailStatus.LIMITED, now) == now + datetime.timedelta(hours=1)
    at = timezone.localtime(next_send_time(MailStatus.HELD, now))
    assert (at.day, at.hour) == (2, 17)
    evening = timezone.make_aware(datetime.datetime(2026, 3, 2, 18, 0))
    assert timezone.localtime(next_send_time(MailStatus.HELD, evening)).day == 3


def test_email_carries_the_absolute_link(tree, settings, django_capture_on_commit_callbacks):
    a = make_user("e-a", tree.school, "coordinator")
    settings.SITE_URL = "https://shidian.example.gov.cn"
    with django_capture_on_commit_callbacks(execute=True):
        notify([a], "campaigns.open", "请填报", "正文", "/campaigns/sheets/7/")
    assert "https://shidian.example.gov.cn/campaigns/sheets/7/" in mail.outbox[0].body
