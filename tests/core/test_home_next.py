"""Home pages say what to do next: a school's open and returned sheets by deadline, a zone's
schools behind with a reminder button that reminds its own schools only, the leading group's
approvals card, an expert's assignments (grants included) without duplicates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shidian.apps.campaigns.models import CampaignStatus, Notification, Sheet, SheetStatus
from shidian.apps.core.access import GrantRole
from shidian.apps.core.services import grant_give
from shidian.apps.orgs.models import Level
from shidian.apps.orgs.services import unit_create
from tests.campaigns.factories import campaign, sheet
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_school_sees_its_open_sheet_with_the_deadline(client, tree, coordinator):
    run = campaign(tree)
    body = home(client, coordinator)
    assert "待办事项" in body and run.name in body
    assert reverse("campaigns:sheet", kwargs={"sheet_id": sheet(tree).pk}) in body
    assert timezone.localtime(run.deadline).strftime("%Y-%m-%d") in body


def test_a_returned_sheet_comes_first_with_the_offices_note(client, tree, coordinator, office_user):
    first = campaign(tree)
    later = campaign(tree, name="第二次自查", deadline=timezone.now() + timedelta(days=2))
    # (submit and return are tested in tests/campaigns; here only the home page matters)
    Sheet.objects.filter(round=first, unit=tree.school).update(  # scoping: ok test
        status=SheetStatus.RETURNED, return_note="请补充佐证材料"
    )
    body = home(client, coordinator)
    assert body.index(first.name) < body.index(later.name)  # returned first, then by deadline
    assert "请补充佐证材料" in body


def test_submitted_and_closed_work_is_not_a_task(client, tree, coordinator):
    run = campaign(tree)
    Sheet.objects.filter(round=run, unit=tree.school).update(  # scoping: ok test
        status=SheetStatus.SUBMITTED
    )
    assert run.name not in home(client, coordinator).split('id="todos"')[1].split("</section>")[0]
    other = campaign(tree, name="已结束的自查")
    other.status = CampaignStatus.CLOSED
    other.save()
    assert "已结束的自查" not in home(client, coordinator)


def test_zone_sees_schools_behind_and_reminds_only_its_own(client, tree, zone_user):
    other_zone = unit_create(code="A2", name="甲县西片区", level=Level.ZONE, parent=tree.county)
    far = unit_create(code="A2-1", name="甲县西片小学", level=Level.SCHOOL, parent=other_zone)
    for unit, name in ((tree.school, "c1"), (tree.school2, "c2"), (far, "c3")):
        make_user(name, unit, "coordinator")
    run = campaign(
        tree, name="临近截止的自查", deadline=timezone.now() + timedelta(days=1), root=tree.county
    )
    before = set(Notification.objects.values_list("pk", flat=True))
    body = home(client, zone_user)
    assert "未按时提交的学校" in body and "甲县第一小学" in body and "甲县西片小学" not in body
    # "See all" leads to the campaign's completeness page, which the zone may read.
    completeness = reverse("campaigns:completeness", kwargs={"campaign_id": run.pk})
    assert client.get(completeness).status_code == 200
    response = client.post(
        reverse("campaigns:remind", kwargs={"campaign_id": run.pk}), {"next": "home"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    reminded = set(
        Notification.objects.filter(target_id=run.pk)
        .exclude(pk__in=before)
        .values_list("user__username", flat=True)
    )
    assert "c3" not in reminded and {"c1", "c2"} <= reminded


def test_zone_has_nothing_behind_when_the_deadline_is_far(client, tree, zone_user):
    campaign(tree, name="远期自查", deadline=timezone.now() + timedelta(days=30))
    assert "所有学校都已按时提交" in home(client, zone_user)


def test_leading_group_has_an_approvals_card(client, tree, office_user):
    leader = make_user("leader", tree.county, "leading_group")
    assert 'id="approvals"' in home(client, leader)
    assert 'id="approvals"' not in home(client, office_user)


def test_expert_sees_a_granted_assignment_once(client, tree, office_user):
    expert = make_user("expert-g", tree.other_county, "expert")
    target = sheet(tree)
    grant_give(by=office_user, user=expert, role=GrantRole.EXPERT, target=target)
    body = home(client, expert)
    review_url = reverse("campaigns:review", kwargs={"sheet_id": target.pk})
    assert body.count(review_url) == 1
    assert client.get(review_url).status_code == 200
    other = reverse("campaigns:review", kwargs={"sheet_id": sheet(tree, tree.school2).pk})
    assert client.get(other).status_code == 404


def test_home_in_english(client, tree, coordinator):
    campaign(tree)
    client.cookies["shidian_language"] = "en"
    body = home(client, coordinator)
    assert "To do" in body and "Fill in and submit the self-assessment" in body
    assert SheetStatus.NOT_OPENED.label  # the badge is translated by Django's choices
