"""Campaign workflow: open, notify, fill (autosave and form), submit, return, resubmit, accept;
optimistic locking; revisions; reviewers; reminders; scoping of who sees and edits what."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from shidian.apps.campaigns import selectors, services, sheets
from shidian.apps.campaigns.models import Notification, Sheet, SheetRevision, SheetStatus
from tests.campaigns.factories import campaign, full_answers, sheet
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_opening_invites_units_and_notifies_after_commit(
    tree, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        opened = campaign(tree)
    assert set(opened.sheets.values_list("unit__code", flat=True)) == {"A1-1", "A1-2"}
    assert Notification.objects.filter(user=coordinator).count() == 1
    assert [m.to for m in mail.outbox] == [["coord@example.org"]]


def test_school_type_filter(tree):
    opened = campaign(tree, name="初中", school_types=["junior_high"])
    assert list(opened.sheets.values_list("unit__code", flat=True)) == ["A1-2"]


def test_autosave_one_item_and_running_totals(coordinator_client, tree, coordinator):
    target = sheet(tree)
    url = reverse("campaigns:sheet_item", kwargs={"sheet_id": target.pk})
    response = coordinator_client.post(url, {"code": "D1.1.3", "value": "b", "version": 0})
    body = response.json()
    assert response.status_code == 200 and body["ok"]
    assert body["score"] == 2 and body["total"] == 2 and body["version"] == 1
    assert body["dimensions"]["D1"] == 2
    target.refresh_from_db()
    assert target.status == SheetStatus.DRAFT and target.answers["D1.1.3"] == {"value": "B"}
    page = coordinator_client.get(reverse("campaigns:sheet", kwargs={"sheet_id": target.pk}))
    assert 'value="B" selected' in page.content.decode()


def test_bad_value_is_refused_with_the_allowed_levels(coordinator_client, tree):
    target = sheet(tree)
    url = reverse("campaigns:sheet_item", kwargs={"sheet_id": target.pk})
    response = coordinator_client.post(url, {"code": "D1.1.3", "value": "E", "version": 0})
    assert response.status_code == 400 and "A/B/C/D" in response.json()["message"]
    assert not SheetRevision.objects.exists()


def test_two_people_editing_the_same_item_conflict(tree, coordinator, client):
    colleague = make_user("coord2", tree.school, "coordinator")
    target = sheet(tree)
    sheets.sheet_save_item(
        sheet=target, user=coordinator, code="D1.1.3", answer={"value": "A"}, base_version=0
    )
    # The colleague's page was loaded at version 0, when D1.1.3 was empty.
    client.force_login(colleague)
    url = reverse("campaigns:sheet_item", kwargs={"sheet_id": target.pk})
    response = client.post(url, {"code": "D1.1.3", "value": "C", "version": 0, "expected": "null"})
    assert response.status_code == 409 and response.json()["conflict"]
    target.refresh_from_db()
    assert target.answers["D1.1.3"] == {"value": "A"}
    # A different item saved from the same stale page is fine: nothing is overwritten.
    response = client.post(url, {"code": "D1.1.4", "value": "是", "version": 0})
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.answers["D1.1.3"] == {"value": "A"} and target.answers["D1.1.4"] == {
        "value": "是"
    }


def test_whole_form_save_with_a_stale_version_is_refused(coordinator_client, tree, coordinator):
    target = sheet(tree)
    sheets.sheet_save_item(
        sheet=target, user=coordinator, code="D1.1.3", answer={"value": "A"}, base_version=0
    )
    url = reverse("campaigns:sheet", kwargs={"sheet_id": target.pk})
    response = coordinator_client.post(url, {"version": 0, "a-D1.1.3": "D"}, follow=True)
    assert "其他人在您之后修改了" in response.content.decode()
    target.refresh_from_db()
    assert target.answers["D1.1.3"] == {"value": "A"}


def test_full_workflow_with_revisions(coordinator_client, tree, coordinator, office_user):
    from django.test import Client

    office_client = Client()
    office_client.force_login(office_user)
    target = sheet(tree)
    standard = target.campaign.version.as_standard()
    answers = full_answers(standard)
    target = sheets.sheet_save_all(sheet=target, user=coordinator, answers=answers, base_version=0)
    # Evidence is required by some items: submitting without it is refused with the item codes.
    with pytest.raises(ValidationError) as refused:
        sheets.sheet_submit(sheet=target, user=coordinator)
    assert any("D1.1.1" in m for m in refused.value.messages)
    from shidian.apps.campaigns.models import Evidence

    for item in standard.items():
        if item.evidence_required:
            Evidence.objects.create(
                submission=target,
                item_code=item.code,
                file="x.pdf",
                original_name="x.pdf",
                kind="pdf",
                size=1,
            )
    submit = reverse("campaigns:submit", kwargs={"sheet_id": target.pk})
    assert sheets.submit_problems(target) == []
    coordinator_client.post(submit)
    target.refresh_from_db()
    assert target.status == SheetStatus.SUBMITTED
    # Read-only after submit.
    item_url = reverse("campaigns:sheet_item", kwargs={"sheet_id": target.pk})
    refused = coordinator_client.post(
        item_url, {"code": "D1.1.3", "value": "C", "version": target.version}
    )
    assert refused.status_code == 400
    # The office returns it with a comment on one item.
    office_client.post(
        reverse("campaigns:return", kwargs={"sheet_id": target.pk}),
        {"c-D1.1.3": "无线覆盖不足，请按实际填写", "note": "请核实"},
    )
    target.refresh_from_db()
    assert target.status == SheetStatus.RETURNED
    assert target.comments == {"D1.1.3": "无线覆盖不足，请按实际填写"}
    page = coordinator_client.get(reverse("campaigns:sheet", kwargs={"sheet_id": target.pk}))
    assert "无线覆盖不足" in page.content.decode()
    response = coordinator_client.post(
        item_url, {"code": "D1.1.3", "value": "C", "version": target.version}
    )
    assert response.status_code == 200
    coordinator_client.post(submit)
    target.refresh_from_db()
    assert target.status == SheetStatus.RESUBMITTED
    office_client.post(reverse("campaigns:accept", kwargs={"sheet_id": target.pk}))
    target.refresh_from_db()
    assert target.status == SheetStatus.ACCEPTED
    kinds = list(target.revisions.order_by("number").values_list("kind", flat=True))
    assert kinds == ["save", "submit", "return", "save", "submit", "accept"]
    history = reverse("campaigns:history", kwargs={"sheet_id": target.pk})
    diff = coordinator_client.get(history + "?a=1&b=4").content.decode()
    assert "D1.1.3" in diff and "无线" in diff


def test_coordinator_cannot_edit_another_school_or_return(coordinator_client, tree):
    other = sheet(tree, tree.school2)
    url = reverse("campaigns:sheet_item", kwargs={"sheet_id": other.pk})
    assert (
        coordinator_client.post(url, {"code": "D1.1.3", "value": "A", "version": 0}).status_code
        == 404
    )
    mine = sheet(tree)
    response = coordinator_client.post(reverse("campaigns:return", kwargs={"sheet_id": mine.pk}))
    assert response.status_code == 404


def test_office_cannot_fill_a_schools_sheet(office_client, tree):
    target = sheet(tree)
    url = reverse("campaigns:sheet_item", kwargs={"sheet_id": target.pk})
    assert (
        office_client.post(url, {"code": "D1.1.3", "value": "A", "version": 0}).status_code == 404
    )


def test_deadline_without_late_acceptance(tree, coordinator):
    from datetime import timedelta

    from django.utils import timezone

    opened = campaign(tree)
    opened.deadline = timezone.now() - timedelta(hours=1)
    opened.save()
    with pytest.raises(ValidationError):
        sheets.sheet_save_item(
            sheet=sheet(tree),
            user=coordinator,
            code="D1.1.3",
            answer={"value": "A"},
            base_version=0,
        )
    opened.accept_late = True
    opened.save()
    sheets.sheet_save_item(
        sheet=sheet(tree), user=coordinator, code="D1.1.3", answer={"value": "A"}, base_version=0
    )


def test_reminders_go_only_to_units_not_submitted(
    tree, coordinator, django_capture_on_commit_callbacks
):
    second = make_user("coord-b", tree.school2, "coordinator")
    opened = campaign(tree)
    Sheet.objects.filter(unit=tree.school2).update(status=SheetStatus.SUBMITTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.campaign_remind(campaign=opened) == 1
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert not Notification.objects.filter(user=second, message__startswith="提醒").exists()


def test_reviewer_scores_and_gap(tree, coordinator, client):
    expert = make_user("expert", tree.county, "expert")
    opened = campaign(tree)
    opened.reviewers.add(expert)
    target = sheet(tree)
    sheets.sheet_save_all(
        sheet=target,
        user=coordinator,
        answers=full_answers(target.campaign.version.as_standard()),
        base_version=0,
    )
    client.force_login(expert)
    url = reverse("campaigns:review", kwargs={"sheet_id": target.pk})
    client.post(
        url, {"r-D1.1.3": "1", "strengths": "网络好", "weaknesses": "资源少", "suggestions": "加强"}
    )
    target.refresh_from_db()
    gaps = {g["code"]: g for g in selectors.review_gaps(sheet=target, user=expert)}
    assert gaps["D1.1.3"]["gap"] == 2  # self 3, reviewed 1
    summary = selectors.gap_summary(sheets=Sheet.objects.filter(pk=target.pk), user=expert)
    assert summary[0]["gap"] == 2
    assert "网络好" in client.get(url).content.decode()


def test_coordinator_list_shows_their_sheet_and_notice(coordinator_client, tree, coordinator):
    campaign(tree)
    body = coordinator_client.get(reverse("campaigns:list")).content.decode()
    assert "2026年智慧校园自查赋分" in body and "请在" in body


def test_office_creates_a_campaign_through_the_form(office_client, tree):
    from tests.standards.factories import published_version

    version = published_version(tree.county)
    response = office_client.post(
        reverse("campaigns:create"),
        {
            "name": "测试活动",
            "version": version.pk,
            "root": tree.county.pk,
            "opens_on": "2026-01-01",
            "deadline": "2099-01-01T12:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Sheet.objects.filter(round__name="测试活动").count() == 2


def test_autosave_response_is_json_for_a_conflict_message(coordinator_client, tree):
    target = sheet(tree)
    url = reverse("campaigns:sheet_item", kwargs={"sheet_id": target.pk})
    body = coordinator_client.post(url, {"code": "NOPE", "value": "A", "version": 0})
    assert body.status_code == 400 and json.loads(body.content)["ok"] is False


def test_a_malformed_version_is_a_refused_save_not_a_server_error(coordinator_client, tree):
    target = sheet(tree)
    url = reverse("campaigns:sheet", kwargs={"sheet_id": target.pk})
    response = coordinator_client.post(url, {"version": "not-a-number", "D1.1.3": "A"})
    assert response.status_code < 500
    target.refresh_from_db()
    assert target.version == 0 and "D1.1.3" not in target.answers
