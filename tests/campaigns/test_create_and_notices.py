"""Opening a campaign through its form in both languages, and what coordinators are told
(opening, reminder, return): a link to their own sheet, what to do and by when."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from shidian.apps.campaigns import services, sheets
from shidian.apps.campaigns.models import Campaign, Notification, Sheet, SheetStatus
from tests.campaigns.factories import campaign, full_answers, sheet
from tests.standards.factories import published_version

pytestmark = pytest.mark.django_db


def _value(body: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    assert tag, name
    found = re.search(r'value="([^"]*)"', tag.group(0))
    return found.group(1) if found else ""


# --- 3. The campaign form -------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_form_renders_iso_dates_and_a_filled_form_opens_the_campaign(
    office_client, tree, language
):
    version = published_version(tree.county)
    office_client.cookies["shidian_language"] = language
    page = office_client.get(reverse("campaigns:create"))
    body = page.content.decode()
    assert page.status_code == 200
    opens_on, deadline = _value(body, "opens_on"), _value(body, "deadline")
    assert opens_on == timezone.localdate().isoformat()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", deadline), deadline
    assert 'type="datetime-local"' in body and 'type="date"' in body
    # What the browser sends back is what it was given.
    response = office_client.post(
        reverse("campaigns:create"),
        {
            "name": f"表单 {language}",
            "version": version.pk,
            "root": tree.county.pk,
            "opens_on": opens_on,
            "deadline": deadline,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    opened = Campaign.objects.get(name=f"表单 {language}")
    assert timezone.localtime(opened.deadline).strftime("%Y-%m-%dT%H:%M") == deadline
    assert opened.sheets.count() == 2


def test_the_form_uses_the_field_layout(office_client, tree):
    body = office_client.get(reverse("campaigns:create")).content.decode()
    assert 'class="form campaign-form"' in body and 'class="field' in body
    assert "<fieldset" in body and "<legend>" in body  # the checkbox groups
    assert "css/campaigns.css" in body


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"deadline": "2000-01-01T12:00"}, "deadline", "截止时间应晚于现在"),
        ({"opens_on": "2099-02-01", "deadline": "2099-01-01T12:00"}, "deadline", "不能早于"),
        ({"school_types": ["kindergarten"]}, "school_types", "没有符合"),
        ({"name": "\x00\x0b "}, "name", ""),
    ],
)
def test_bad_input_is_refused_with_a_message(office_client, tree, change, field, message):
    version = published_version(tree.county)
    data = {
        "name": "活动",
        "version": version.pk,
        "root": tree.county.pk,
        "opens_on": "2026-01-01",
        "deadline": "2099-01-01T12:00",
        **change,
    }
    response = office_client.post(reverse("campaigns:create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not Campaign.objects.exists()


def test_control_characters_leave_the_campaign_name(office_client, tree):
    version = published_version(tree.county)
    office_client.post(
        reverse("campaigns:create"),
        {
            "name": "自查\x07赋分\x0b二〇二六",
            "version": version.pk,
            "root": tree.county.pk,
            "opens_on": "2026-01-01",
            "deadline": "2099-01-01T12:00",
        },
    )
    assert Campaign.objects.get().name == "自查赋分 二〇二六"


# --- 8. E-mails ------------------------------------------------------------------------------


def _link(message) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    return found.group(0)


def test_the_opening_mail_links_to_the_units_sheet(
    office_client, tree, coordinator, django_capture_on_commit_callbacks
):
    version = published_version(tree.county)
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(
            reverse("campaigns:create"),
            {
                "name": "通知测试",
                "version": version.pk,
                "root": tree.county.pk,
                "opens_on": "2026-01-01",
                "deadline": "2099-01-01T12:00",
            },
        )
    target = Sheet.objects.get(unit=tree.school)
    [message] = mail.outbox
    assert _link(message) == f"http://testserver/campaigns/sheets/{target.pk}/"
    assert "通知测试" in message.body and "2099-01-01 12:00（北京时间 UTC+8）" in message.body
    assert message.body.strip() != message.subject
    notice = Notification.objects.get(user=coordinator)
    assert notice.url == f"/campaigns/sheets/{target.pk}/"


def test_the_reminder_links_to_the_sheet_and_says_by_when(
    office_client, tree, coordinator, django_capture_on_commit_callbacks
):
    opened = campaign(tree)
    target = sheet(tree)
    sheets.sheet_save_item(
        sheet=target, user=coordinator, code="D1.1.3", answer={"value": "A"}, base_version=0
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(reverse("campaigns:remind", kwargs={"campaign_id": opened.pk}))
    [message] = mail.outbox
    assert message.to == [coordinator.email]
    assert _link(message) == f"http://testserver/campaigns/sheets/{target.pk}/"
    deadline = timezone.localtime(opened.deadline).strftime("%Y-%m-%d %H:%M")
    assert f"{deadline}（北京时间 UTC+8）" in message.body
    assert opened.name in message.body and "草稿" in message.body and "已填 1 /" in message.body
    assert message.subject.startswith("提醒")


def test_the_return_mail_has_the_note_the_items_and_the_link(
    client, tree, coordinator, office_user, django_capture_on_commit_callbacks
):
    target = sheet(tree)
    answers = full_answers(target.campaign.version.as_standard())
    sheets.sheet_save_all(sheet=target, user=coordinator, answers=answers, base_version=0)
    Sheet.objects.filter(pk=target.pk).update(status=SheetStatus.SUBMITTED)
    mail.outbox.clear()
    client.force_login(office_user)
    client.cookies["shidian_language"] = "en"  # the office works in English...
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("campaigns:return", kwargs={"sheet_id": target.pk}),
            {"c-D1.1.3": "无线覆盖不足", "note": "请补充佐证材料"},
        )
    [message] = mail.outbox
    body = message.body
    assert _link(message) == f"http://testserver/campaigns/sheets/{target.pk}/"
    assert "退回说明：请补充佐证材料" in body and "D1.1.3" in body  # ...the school reads Chinese
    assert "重新提交" in body and "北京时间" in body
    assert message.subject == f"{target.campaign.name}：自查表被退回修改"


def test_scheduled_reminders_use_site_url(
    tree, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://shidian.example.edu.cn"
    opened = campaign(tree, deadline=timezone.now() + timedelta(days=2))
    target = Sheet.objects.get(round=opened, unit=tree.school)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_due_campaigns(days_before=3) == 2
    [message] = mail.outbox
    assert _link(message) == f"https://shidian.example.edu.cn/campaigns/sheets/{target.pk}/"


def test_without_a_request_or_site_url_the_link_is_the_local_default(settings):
    from shidian.apps.campaigns.notices import sheet_link

    settings.SITE_URL = ""
    assert sheet_link(sheet_id=7) == "http://127.0.0.1:8000/campaigns/sheets/7/"
    assert sheet_link(sheet_id=7, base_url="http://a.b/") == "http://a.b/campaigns/sheets/7/"
    settings.SITE_URL = "https://x.cn"
    assert sheet_link(sheet_id=7, base_url="http://a.b") == "https://x.cn/campaigns/sheets/7/"


def test_english_notices_read_as_english(tree):
    from django.utils import translation

    from shidian.apps.campaigns.notices import OPEN, compose

    opened = campaign(tree)
    target = Sheet.objects.select_related("unit").get(round=opened, unit=tree.school)
    with translation.override("en"):
        notice = compose(kind=OPEN, campaign=opened, sheet=target, link="http://x/")
    text = notice.subject + notice.body
    for name in (opened.name, target.unit.name, opened.unit.name):
        text = text.replace(name, "")
    assert not re.search(r"[\u4e00-\u9fff]", text), text
    assert "http://x/" in notice.body
