"""Programme pages: the office's cockpit and forms; other roles cannot manage; 404 outside."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shidian.apps.programmes.models import Participation, Programme
from tests.conftest import make_user
from tests.programmes.factories import programme

pytestmark = pytest.mark.django_db


def _post_data(**overrides):
    data = {
        "name": "2021-2023 智慧校园创建",
        "start_year": "2021",
        "end_year": "2023",
        "phases-TOTAL_FORMS": "3",
        "phases-INITIAL_FORMS": "0",
        "phases-0-name": "准备阶段",
        "phases-0-order": "1",
        "phases-1-name": "正式实施",
        "phases-1-order": "2",
        "phases-2-name": "总结推广",
        "phases-2-order": "3",
        "cycles-TOTAL_FORMS": "4",
        "cycles-INITIAL_FORMS": "0",
        "cycles-0-year": "2021",
        "cycles-0-target": "5",
        "cycles-1-year": "2022",
        "cycles-1-target": "5",
        "cycles-2-year": "2023",
        "cycles-2-target": "4",
    }
    data.update(overrides)
    return data


def test_office_creates_a_programme_through_the_form(office_client, tree):
    page = office_client.get(reverse("programmes:create"))
    assert page.status_code == 200
    data = _post_data(scope_root=str(tree.county.pk))
    response = office_client.post(reverse("programmes:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    p = Programme.objects.get()
    assert [c.target for c in p.cycles.order_by("number")] == [5, 5, 4]
    cockpit = office_client.get(response["Location"])
    body = cockpit.content.decode()
    assert "准备阶段" in body and "第1批（2021年）" in body
    assert 'id="status-counts"' in body


def test_bad_form_input_shows_clear_errors_and_saves_nothing(office_client, tree):
    data = _post_data(scope_root=str(tree.county.pk), **{"cycles-0-year": "2030"})
    response = office_client.post(reverse("programmes:create"), data)
    assert response.status_code == 400
    assert "2030 年的批次不在项目年份 2021—2023 之内" in response.content.decode()
    data = _post_data(scope_root=str(tree.county.pk), **{"cycles-0-target": ""})
    response = office_client.post(reverse("programmes:create"), data)
    assert "每个批次须同时填写年度和目标数" in response.content.decode()
    assert not Programme.objects.exists()


def test_cockpit_shows_today_due_and_late_by_zone(office_client, office_user, tree):
    from shidian.apps.campaigns.models import Campaign
    from tests.campaigns.factories import campaign as make_campaign

    year = timezone.localdate().year
    from shidian.apps.programmes.services import CycleInput

    p = programme(
        tree, name="今年", start_year=year, end_year=year + 2, cycles=[CycleInput(year, 5)]
    )
    c = make_campaign(tree)
    Campaign.objects.filter(pk=c.pk).update(
        programme=p, phase=p.phases.first(), deadline=timezone.now() - timedelta(days=1)
    )
    body = office_client.get(reverse("programmes:detail", kwargs={"programme_id": p.pk}))
    text = body.content.decode()
    assert 'id="today-marker"' in text
    assert "甲县东片区" in text and "甲县第一小学" in text  # late, grouped by zone
    assert c.name in text


def test_office_home_shows_programme_cards(office_client, tree):
    p = programme(tree)
    body = office_client.get(reverse("core:home")).content.decode()
    assert 'id="programme-cards"' in body and p.name in body


def test_participants_filter_search_and_history(office_client, office_user, tree):
    from shidian.apps.programmes.services import participation_move

    p = programme(tree)
    row = Participation.objects.get(programme=p, unit=tree.school)
    participation_move(by=office_user, participation=row, to="recommended", reason="自愿申报")
    url = reverse("programmes:participants", kwargs={"programme_id": p.pk})
    body = office_client.get(url, {"state": "recommended"}).content.decode()
    assert "甲县第一小学" in body and "甲县第二初中" not in body
    body = office_client.get(url, {"q": "初中"}).content.decode()
    assert "甲县第二初中" in body and "甲县第一小学" not in body
    partial = office_client.get(url, {"zone": tree.zone.pk}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and "甲县第一小学" in partial.content.decode()
    detail = reverse(
        "programmes:participation", kwargs={"programme_id": p.pk, "participation_id": row.pk}
    )
    page = office_client.get(detail).content.decode()
    assert "自愿申报" in page and "办公室王老师" in page
    bad = office_client.post(detail, {"to": "pilot", "reason": ""})
    assert bad.status_code == 400
    ok = office_client.post(detail, {"to": "shortlisted", "reason": "初审"})
    assert ok.status_code == 302
    row.refresh_from_db()
    assert row.state == "shortlisted"


@pytest.mark.parametrize(
    "role,unit_attr", [("coordinator", "school"), ("zone", "zone"), ("expert", "county")]
)
def test_other_roles_cannot_manage(client, tree, role, unit_attr):
    p = programme(tree)
    user = make_user(f"u-{role}", getattr(tree, unit_attr), role)
    client.force_login(user)
    assert client.get(reverse("programmes:create")).status_code == 403
    edit = client.get(reverse("programmes:edit", kwargs={"programme_id": p.pk}))
    assert edit.status_code in {403, 404}
    sync = client.post(reverse("programmes:sync", kwargs={"programme_id": p.pk}))
    assert sync.status_code in {403, 404}
    row = Participation.objects.get(programme=p, unit=tree.school)
    url = reverse(
        "programmes:participation", kwargs={"programme_id": p.pk, "participation_id": row.pk}
    )
    client.post(url, {"to": "recommended"})
    row.refresh_from_db()
    assert row.state == "eligible"


def test_expert_sees_only_what_a_grant_gives(client, tree, office_user):
    """Experts get nothing from their subtree: the county's programme is a 404 until a grant
    names them; a leading-group grant lets them read (and approve), never manage."""
    from shidian.apps.programmes.members import MemberRole, members_set

    p = programme(tree)
    expert = make_user("ex", tree.county, "expert")
    client.force_login(expert)
    cockpit = reverse("programmes:detail", kwargs={"programme_id": p.pk})
    assert client.get(cockpit).status_code == 404
    members_set(programme=p, role=MemberRole.LEADING_GROUP, users=[expert], by=office_user)
    assert client.get(cockpit).status_code == 200
    assert client.get(reverse("programmes:edit", kwargs={"programme_id": p.pk})).status_code == 403


def test_outsider_gets_404(outsider_client, tree):
    p = programme(tree)
    for name in ("detail", "edit", "participants"):
        url = reverse(f"programmes:{name}", kwargs={"programme_id": p.pk})
        assert outsider_client.get(url).status_code == 404
    assert p.name not in outsider_client.get(reverse("programmes:list")).content.decode()


def test_office_member_of_another_unit_manages_by_membership(client, tree, office_user):
    from shidian.apps.programmes.members import MemberRole, members_set

    p = programme(tree)
    helper = make_user("helper", tree.zone, "coordinator")
    members_set(programme=p, role=MemberRole.OFFICE, users=[helper], by=office_user)
    client.force_login(helper)
    assert client.get(reverse("programmes:edit", kwargs={"programme_id": p.pk})).status_code == 200


def test_campaign_form_offers_programme_phases(office_client, tree):
    p = programme(tree)
    page = office_client.get(reverse("campaigns:create"), {"programme": p.pk}).content.decode()
    assert f"{p.name} · 准备阶段" in page


def test_campaign_created_in_a_phase(office_user, tree):
    from shidian.apps.campaigns.services import campaign_create
    from tests.standards.factories import published_version

    p = programme(tree)
    phase = p.phases.first()
    c = campaign_create(
        unit=tree.county,
        user=office_user,
        name="阶段内自查",
        version=published_version(tree.county),
        opens_on=timezone.localdate(),
        deadline=timezone.now() + timedelta(days=3),
        phase=phase,
        notify=False,
    )
    assert c.programme == p and c.phase == phase
