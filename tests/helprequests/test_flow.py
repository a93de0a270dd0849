import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shidian.apps.core.access import MANAGE, VIEW, can
from shidian.apps.core.models import Grant
from shidian.apps.helprequests import services
from shidian.apps.helprequests.models import HelpRequest, Status
from tests.community_world import community_world
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(tree):
    return community_world(tree)


@pytest.fixture
def req(cw):
    return services.request_create(
        by=cw.coordinators["A1-2"],
        community=cw.first,
        title="信息化课堂求助",
        description="交互式白板如何用于数学课？",
        category="信息化教学",
    )


def login(client, user):
    client.force_login(user)
    return client


def detail(r):
    return reverse("helprequests:detail", kwargs={"help_request_id": r.pk})


def act(client, r, **data):
    return client.post(reverse("helprequests:act", kwargs={"help_request_id": r.pk}), data)


def test_full_flow_through_pages(client, cw, tree):
    member = cw.coordinators["A1-2"]
    login(client, member)
    url = reverse("helprequests:new", kwargs={"community_id": cw.first.pk})
    resp = client.post(url, {"title": "教研求助", "description": "如何开展同课异构？"})
    r = HelpRequest.objects.get(title="教研求助")  # scoping: ok test
    assert resp.status_code == 302 and r.status == Status.OPEN and r.unit == cw.schools["A1-2"]

    client.logout()
    login(client, cw.lead_user)
    assert client.get(detail(r)).status_code == 200
    act(client, r, act="route", expert=cw.expert.pk)
    r.refresh_from_db()
    assert r.status == Status.ROUTED and r.expert == cw.expert
    assert r.due_on == timezone.localdate() + dt.timedelta(days=14)

    client.logout()
    login(client, cw.expert)
    assert client.get(reverse("helprequests:mine")).content.decode().count("教研求助") == 1
    act(client, r, act="answer", body="建议先统一课题。")
    r.refresh_from_db()
    assert r.status == Status.ANSWERED

    client.logout()
    login(client, member)
    act(client, r, act="reopen", body="还不清楚如何评课")
    r.refresh_from_db()
    assert r.status == Status.ROUTED and r.reopened_count == 1
    client.logout()
    login(client, cw.expert)
    act(client, r, act="answer", body="评课用统一量表。")
    client.logout()
    login(client, member)
    act(client, r, act="confirm")
    r.refresh_from_db()
    assert r.status == Status.CLOSED and r.closed_at is not None
    assert r.messages.count() == 3


def test_visibility(client, cw, tree, req):
    assert can(cw.coordinators["A1-2"], VIEW, req)
    assert can(cw.coordinators["A1-1"], MANAGE, req)  # lead school
    assert can(cw.lead_user, MANAGE, req)
    assert can(cw.office, MANAGE, req)
    for code in ("A1-3", "A1-4", "A1-5", "A1-6"):  # other members, another community
        login(client, cw.coordinators[code])
        assert client.get(detail(req)).status_code == 404
        client.logout()
    login(client, cw.expert)  # an expert without a grant
    assert client.get(detail(req)).status_code == 404
    client.logout()
    outsider = make_user("hr-outsider", tree.other_school, "coordinator")
    login(client, outsider)
    assert client.get(detail(req)).status_code == 404


def test_expert_sees_only_routed_request_and_loses_it_when_rerouted(client, cw, tree, req):
    other = services.request_create(
        by=cw.coordinators["A1-3"], community=cw.first, title="另一申请", description="x"
    )
    services.request_route(by=cw.lead_user, request=req, expert=cw.expert)
    login(client, cw.expert)
    assert client.get(detail(req)).status_code == 200
    assert client.get(detail(other)).status_code == 404
    client.logout()

    second = make_user("hr-expert-2", tree.county, "expert")
    services.request_route(by=cw.office, request=req, expert=second)
    login(client, cw.expert)
    assert client.get(detail(req)).status_code == 404
    assert not Grant.objects.filter(
        user=cw.expert, revoked_at__isnull=True
    ).exists()  # scoping: ok test
    client.logout()
    login(client, second)
    assert client.get(detail(req)).status_code == 200
    with pytest.raises(PermissionDenied):
        services.request_answer(by=cw.expert, request=req, body="x")


def test_wrong_states_change_nothing(cw, req):
    member = cw.coordinators["A1-2"]
    with pytest.raises(ValidationError, match="专家已答复"):
        services.request_confirm(by=member, request=req)
    services.request_route(by=cw.lead_user, request=req, expert=cw.expert)
    with pytest.raises(ValidationError, match="专家已答复"):
        services.request_reopen(by=member, request=req, reason="x")
    with pytest.raises(ValidationError):
        services.request_answer(by=cw.expert, request=req, body="  ")
    services.request_answer(by=cw.expert, request=req, body="答复")
    with pytest.raises(ValidationError, match="已分派"):
        services.request_answer(by=cw.expert, request=req, body="again")
    with pytest.raises(ValidationError, match="原因"):
        services.request_reopen(by=member, request=req, reason="")
    services.request_confirm(by=member, request=req)
    with pytest.raises(ValidationError, match="已关闭"):
        services.request_route(by=cw.office, request=req, expert=cw.expert)
    with pytest.raises(ValidationError, match="已关闭"):
        services.comment(by=member, request=req, body="x")
    req.refresh_from_db()
    assert req.status == Status.CLOSED and req.messages.count() == 1


def test_route_refusals(cw, req):
    with pytest.raises(ValidationError, match="专家账号"):
        services.request_route(by=cw.lead_user, request=req, expert=cw.coordinators["A1-3"])
    with pytest.raises(ValidationError, match="期限"):
        services.request_route(
            by=cw.lead_user, request=req, expert=cw.expert, due_on=dt.date(2000, 1, 1)
        )
    with pytest.raises(PermissionDenied):  # a plain member cannot route
        services.request_route(by=cw.coordinators["A1-3"], request=req, expert=cw.expert)
    with pytest.raises(PermissionDenied):  # the requesting school cannot route either
        services.request_route(by=cw.coordinators["A1-2"], request=req, expert=cw.expert)
    req.refresh_from_db()
    assert req.status == Status.OPEN and req.expert is None


def test_create_refusals(cw):
    with pytest.raises(PermissionDenied):  # not a member of this community
        services.request_create(
            by=cw.coordinators["A1-6"], community=cw.first, title="t", description="d"
        )
    with pytest.raises(ValidationError, match="标题"):
        services.request_create(
            by=cw.coordinators["A1-2"], community=cw.first, title=" ", description="d"
        )
    assert not HelpRequest.objects.exists()  # scoping: ok test


def test_pages_and_export(client, cw, req):
    login(client, cw.office)
    assert (
        client.get(
            reverse("helprequests:community", kwargs={"community_id": cw.first.pk})
        ).status_code
        == 200
    )
    page = client.get(reverse("helprequests:dashboard")).content.decode()
    assert cw.first.name in page
    resp = client.get(reverse("helprequests:dashboard_xlsx"))
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    HelpRequest.objects.filter(pk=req.pk).update(  # scoping: ok test
        created_at=timezone.now() - dt.timedelta(days=8)
    )
    assert HelpRequest.objects.overdue().filter(pk=req.pk).exists()  # scoping: ok test
    assert req.title in client.get(reverse("helprequests:dashboard")).content.decode()


def test_todos(cw, req):
    from shidian.apps.helprequests.todos import help_todos

    now = timezone.now()
    assert any("分派" in t.action for t in help_todos(cw.lead_user, now))
    services.request_route(by=cw.lead_user, request=req, expert=cw.expert)
    assert [t.title for t in help_todos(cw.expert, now)] == [req.title]
    services.request_answer(by=cw.expert, request=req, body="ok")
    assert any("确认" in t.action for t in help_todos(cw.coordinators["A1-2"], now))
    assert help_todos(cw.coordinators["A1-3"], now) == []


def test_new_form_refuses_non_member(client, cw):
    login(client, cw.coordinators["A1-6"])
    url = reverse("helprequests:new", kwargs={"community_id": cw.first.pk})
    assert client.get(url).status_code == 404


def test_community_panel_renders(cw, req):
    from django.template.loader import render_to_string

    html = render_to_string(
        "helprequests/_community_panel.html",
        {"community": cw.first, "user": cw.coordinators["A1-2"]},
    )
    assert "未关闭 1 件" in html
    other = render_to_string(
        "helprequests/_community_panel.html",
        {"community": cw.first, "user": cw.coordinators["A1-3"]},
    )
    assert "未关闭 0 件" in other


def test_detail_buttons_by_role(client, cw, req):
    client.force_login(cw.lead_user)
    page = client.get(detail(req)).content.decode()
    assert 'value="route"' in page and cw.expert.full_name in page
    client.force_login(cw.coordinators["A1-2"])
    page = client.get(detail(req)).content.decode()
    assert 'value="route"' not in page and 'value="comment"' in page
