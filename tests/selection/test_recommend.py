"""The recommendation step: quotas per zone, zones recommending their own candidates within
them (each with a reason), the office on a zone's behalf, withdrawals, the deadline, who may
see what, the participation history and the XLSX export."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from tests.selection.factories import world

pytestmark = pytest.mark.django_db


def _world(tree, office_user, **quotas):
    w = world(tree, office=office_user, recommend=True)
    return w


def _url(w, name="selection:recommend"):
    return reverse(name, kwargs={"selection_id": w.selection.pk})


def _set(w, office_user, **by_code):
    from shidian.apps.selection.services.recommend import zone_quotas_set

    zones = {z.code: z for z in w.zones}
    zone_quotas_set(
        by=office_user,
        selection=w.selection,
        quotas={zones[c].pk: n for c, n in by_code.items()},
    )


def _candidates(w, zone):
    from shidian.apps.selection.services.recommend import zone_candidates

    return [int(u) for u in zone_candidates(w.selection, zone)["unit_id"]]


def _state(w, unit_id):
    from shidian.apps.programmes.models import Participation

    return Participation.objects.get(programme=w.programme, unit_id=unit_id).state


def _pick(ids, reason="办学条件好，信息化基础扎实"):
    data = {"action": "recommend", "pick": [str(i) for i in ids]}
    data.update({f"reason-{i}": f"{reason}{i}" for i in ids})
    return data


def _client(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def zone_client(zone_user):
    return _client(zone_user)


# --- quotas -------------------------------------------------------------------------------


def test_office_sets_quotas_and_the_zones_are_told(tree, office_client, office_user, zone_user):
    from shidian.apps.notifications.models import Notification
    from shidian.apps.selection.models import ZoneQuota

    w = _world(tree, office_user)
    page = office_client.get(_url(w))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="quota-table"' in body and "甲县北片区" in body
    data = {"action": "quotas", f"zone-{w.zones[0].pk}": "3", f"zone-{w.zones[1].pk}": "2"}
    response = office_client.post(_url(w), data)
    assert response.status_code == 302
    quotas = dict(ZoneQuota.objects.values_list("zone__code", "quota"))
    assert quotas == {"A1": 3, "A2": 2}
    note = Notification.objects.get(user=zone_user)
    assert "3" in note.message and note.url == _url(w)
    # Unchanged quotas are not announced again.
    office_client.post(_url(w), data)
    assert Notification.objects.filter(user=zone_user).count() == 1


def test_same_quota_for_every_zone_and_the_proportional_suggestion(
    tree, office_client, office_user
):
    from shidian.apps.selection.models import ZoneQuota
    from shidian.apps.selection.services.recommend import suggest_quotas

    w = _world(tree, office_user)
    assert office_client.post(_url(w), {"action": "same", "same": "2"}).status_code == 302
    assert sorted(ZoneQuota.objects.values_list("quota", flat=True)) == [2, 2, 2]
    # The suggestion fills the boxes (14, 12, 9 candidates) but saves nothing.
    page = office_client.post(_url(w), {"action": "suggest", "total": "10"})
    assert page.status_code == 200
    assert f'name="zone-{w.zones[0].pk}" id="id_zone-{w.zones[0].pk}"' in page.content.decode()
    assert sorted(ZoneQuota.objects.values_list("quota", flat=True)) == [2, 2, 2]
    assert suggest_quotas({1: 14, 2: 12, 3: 9}, 10) == {1: 4, 2: 3, 3: 3}
    assert sum(suggest_quotas({1: 1, 2: 1}, 10).values()) == 2


def test_quotas_refused_without_the_step_when_frozen_or_below_what_is_used(
    tree, office_user, zone_user
):
    from shidian.apps.selection.models import Selection, SelectionStatus, ZoneQuota
    from shidian.apps.selection.services.recommend import recommendations_add, zone_quotas_set

    w = _world(tree, office_user)
    Selection.objects.filter(pk=w.selection.pk).update(recommend=False)
    w.selection.refresh_from_db()
    with pytest.raises(ValidationError, match="不设片区推荐"):
        zone_quotas_set(by=office_user, selection=w.selection, quotas={w.zones[0].pk: 2})
    Selection.objects.filter(pk=w.selection.pk).update(recommend=True)
    w.selection.refresh_from_db()
    _set(w, office_user, A1=2)
    ids = _candidates(w, w.zones[0])[:2]
    recommendations_add(
        by=zone_user, selection=w.selection, zone=w.zones[0], picks=[(i, "好") for i in ids]
    )
    with pytest.raises(ValidationError, match="不能少于 2"):
        zone_quotas_set(by=office_user, selection=w.selection, quotas={w.zones[0].pk: 1})
    with pytest.raises(PermissionDenied):
        zone_quotas_set(by=zone_user, selection=w.selection, quotas={w.zones[0].pk: 5})
    Selection.objects.filter(pk=w.selection.pk).update(status=SelectionStatus.PENDING)
    w.selection.refresh_from_db()
    with pytest.raises(ValidationError, match="不能修改"):
        zone_quotas_set(by=office_user, selection=w.selection, quotas={w.zones[0].pk: 4})
    assert ZoneQuota.objects.get().quota == 2


# --- a zone recommends --------------------------------------------------------------------


def test_zone_recommends_within_its_quota_and_the_history_keeps_the_reason(
    tree, office_user, zone_user, zone_client
):
    from shidian.apps.programmes.models import ParticipationEvent
    from shidian.apps.selection.models import Recommendation

    w = _world(tree, office_user)
    _set(w, office_user, A1=2)
    page = zone_client.get(_url(w))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="candidate-table"' in body and "甲县第一小学" in body
    assert "甲县西片区1号学校" not in body  # another zone's school
    ids = _candidates(w, w.zones[0])[:2]
    response = zone_client.post(_url(w), _pick(ids))
    assert response.status_code == 302
    recs = list(Recommendation.objects.order_by("unit_id"))
    assert [r.unit_id for r in recs] == sorted(ids)
    assert {r.zone_id for r in recs} == {w.zones[0].pk} and {r.by for r in recs} == {zone_user}
    for unit_id in ids:
        assert _state(w, unit_id) == "recommended"
        event = ParticipationEvent.objects.get(participation__unit_id=unit_id)
        assert event.to_state == "recommended"
        assert event.reason == f"办学条件好，信息化基础扎实{unit_id}"
    page = zone_client.get(_url(w)).content.decode()
    assert 'id="zone-left">0<' in page


def test_over_quota_is_refused_and_nothing_is_saved(tree, office_user, zone_client):
    from shidian.apps.selection.models import Recommendation

    w = _world(tree, office_user)
    _set(w, office_user, A1=1)
    ids = _candidates(w, w.zones[0])[:2]
    response = zone_client.post(_url(w), _pick(ids))
    assert response.status_code == 400
    assert "最多还能推荐 1 所" in response.content.decode()
    assert not Recommendation.objects.exists()
    assert {_state(w, i) for i in ids} == {"eligible"}


def test_another_zones_school_a_draft_and_a_missing_reason_are_refused(
    tree, office_user, zone_client
):
    from shidian.apps.selection.models import Recommendation

    w = _world(tree, office_user)
    _set(w, office_user, A1=5, A3=5)
    mine = _candidates(w, w.zones[0])[0]
    theirs = _candidates(w, w.zones[1])[0]
    response = zone_client.post(_url(w), _pick([mine, theirs]))
    assert response.status_code == 400
    assert "不是本片区" in response.content.decode()
    draft = w.drafts[0]
    zone3 = make_user("zone3", w.zones[2], "zone")
    zone_client.force_login(zone3)
    response = zone_client.post(_url(w), _pick([draft.pk]))
    assert response.status_code == 400 and "不是本片区" in response.content.decode()
    zone_client.force_login(make_user("zone1b", w.zones[0], "zone"))
    response = zone_client.post(
        _url(w), {"action": "recommend", "pick": [str(mine)], f"reason-{mine}": "  "}
    )
    assert response.status_code == 400 and "推荐理由" in response.content.decode()
    response = zone_client.post(
        _url(w), {"action": "recommend", "pick": [str(mine)], f"reason-{mine}": "长" * 501}
    )
    assert response.status_code == 400 and "500" in response.content.decode()
    assert not Recommendation.objects.exists()
    assert _state(w, mine) == "eligible"


def test_the_deadline_binds_the_zone_not_the_office(tree, office_user, zone_user, zone_client):
    from shidian.apps.selection.models import Recommendation, Selection
    from shidian.apps.selection.services.recommend import recommend_todos

    w = _world(tree, office_user)
    _set(w, office_user, A1=2)
    ids = _candidates(w, w.zones[0])[:2]
    zone_client.post(_url(w), _pick(ids[:1]))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Selection.objects.filter(pk=w.selection.pk).update(recommend_due=yesterday)
    response = zone_client.post(_url(w), _pick(ids[1:]))
    assert response.status_code == 400 and "截止日期" in response.content.decode()
    withdraw = zone_client.post(_url(w), {"action": "withdraw", "unit": ids[0]})
    assert withdraw.status_code == 400
    assert Recommendation.objects.count() == 1
    assert recommend_todos(zone_user, timezone.now()) == []
    office_client = zone_client
    office_client.force_login(office_user)
    behalf = {"action": "behalf", "unit": ids[1], "reason": "片区逾期，办公室代报"}
    assert office_client.post(_url(w), behalf).status_code == 302
    assert Recommendation.objects.get(unit_id=ids[1]).by == office_user


def test_zone_withdraws_and_the_school_is_eligible_again(tree, office_user, zone_client):
    from shidian.apps.programmes.models import ParticipationEvent
    from shidian.apps.selection.models import Recommendation, ShortlistRun

    w = _world(tree, office_user)
    _set(w, office_user, A1=2)
    ids = _candidates(w, w.zones[0])[:2]
    zone_client.post(_url(w), _pick(ids))
    response = zone_client.post(_url(w), {"action": "withdraw", "unit": ids[0]})
    assert response.status_code == 302
    assert list(Recommendation.objects.values_list("unit_id", flat=True)) == [ids[1]]
    assert _state(w, ids[0]) == "eligible"
    back = ParticipationEvent.objects.filter(participation__unit_id=ids[0]).last()
    assert back.to_state == "eligible" and "撤回推荐" in back.reason
    # Once the shortlist is adopted, nothing here moves.
    run = ShortlistRun.objects.create(selection=w.selection, number=1)
    type(w.selection).objects.filter(pk=w.selection.pk).update(shortlist=run)
    response = zone_client.post(_url(w), {"action": "withdraw", "unit": ids[1]})
    assert response.status_code == 400 and "入围名单已采用" in response.content.decode()
    assert _state(w, ids[1]) == "recommended"


def test_the_home_page_asks_the_zone_to_recommend(tree, office_user, zone_user, zone_client):
    from shidian.apps.core.todos import FILL_TASK, todos_for

    w = _world(tree, office_user)
    assert not [t for t in todos_for(user=zone_user, now=timezone.now()) if "遴选" in t.title]
    due = timezone.localdate() + datetime.timedelta(days=5)
    type(w.selection).objects.filter(pk=w.selection.pk).update(recommend_due=due)
    _set(w, office_user, A1=1)
    todos = [
        t for t in todos_for(user=zone_user, now=timezone.now()) if t.title == w.selection.name
    ]
    assert len(todos) == 1 and todos[0].kind == FILL_TASK
    assert todos[0].url == _url(w) and todos[0].due.date() == due
    home = zone_client.get("/").content.decode()
    assert w.selection.name in home
    zone_client.post(_url(w), _pick(_candidates(w, w.zones[0])[:1]))
    assert not [t for t in todos_for(user=zone_user, now=timezone.now()) if t.url == _url(w)]


# --- the office ---------------------------------------------------------------------------


def test_office_recommends_on_behalf_and_sees_who_recommended_whom(
    tree, office_user, office_client, zone_client
):
    from shidian.apps.selection.models import Recommendation

    w = _world(tree, office_user)
    _set(w, office_user, A1=2, A2=1)
    zone_client.post(_url(w), _pick(_candidates(w, w.zones[0])[:1]))
    theirs = _candidates(w, w.zones[1])[0]
    response = office_client.post(_url(w), {"action": "behalf", "unit": theirs, "reason": ""})
    assert response.status_code == 400
    response = office_client.post(
        _url(w), {"action": "behalf", "unit": theirs, "reason": "特色鲜明"}
    )
    assert response.status_code == 302
    rec = Recommendation.objects.get(unit_id=theirs)
    assert rec.zone == w.zones[1] and rec.by == office_user
    page = office_client.get(_url(w)).content.decode()
    assert "特色鲜明" in page and "办公室王老师" in page
    filtered = office_client.get(_url(w) + f"?zone={w.zones[0].pk}").content.decode()
    assert "特色鲜明" not in filtered and "办学条件好" in filtered
    # Over the zone's quota, even for the office.
    more = _candidates(w, w.zones[1])[1]
    response = office_client.post(_url(w), {"action": "behalf", "unit": more, "reason": "好"})
    assert response.status_code == 400
    # The office withdraws on the zone's behalf.
    assert office_client.post(_url(w), {"action": "withdraw", "unit": theirs}).status_code == 302
    assert not Recommendation.objects.filter(unit_id=theirs).exists()


def test_export_writes_codes_as_text(tree, office_user, office_client, zone_client):
    from openpyxl import load_workbook

    from shidian.apps.orgs.models import OrgUnit

    w = _world(tree, office_user)
    OrgUnit.objects.filter(pk=tree.school.pk).update(code="0012")
    _set(w, office_user, A1=2)
    zone_client.post(_url(w), _pick([tree.school.pk]))
    response = office_client.get(_url(w, "selection:recommend_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "学校代码"
    assert rows[1][0] == "0012" and rows[1][2] == "A1"
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert rows[1][5].startswith("办学条件好")
    assert zone_client.get(_url(w, "selection:recommend_export")).status_code == 200


def test_who_may_see_the_page(tree, office_user, zone_user, outsider, coordinator, client):
    w = _world(tree, office_user)
    for name in ("selection:recommend", "selection:recommend_export"):
        assert _client(outsider).get(_url(w, name)).status_code == 404
        assert _client(coordinator).get(_url(w, name)).status_code == 404
    # A zone without a quota does not see the selection at all.
    client.force_login(zone_user)
    assert client.get(_url(w)).status_code == 404
    _set(w, office_user, A1=1)
    assert client.get(_url(w)).status_code == 200
    # A zone without a quota in this selection is still out, even with one elsewhere.
    other = make_user("zone2", w.zones[1], "zone")
    client.force_login(other)
    assert client.get(_url(w)).status_code == 404
    assert client.post(_url(w), _pick([tree.school.pk])).status_code == 404


def test_services_refuse_people_without_the_right(tree, office_user, coordinator, zone_user):
    from shidian.apps.selection.services.recommend import (
        recommendation_withdraw,
        recommendations_add,
    )

    w = _world(tree, office_user)
    _set(w, office_user, A1=2, A2=2)
    with pytest.raises(PermissionDenied):
        recommendations_add(
            by=coordinator, selection=w.selection, zone=w.zones[0], picks=[(tree.school.pk, "x")]
        )
    with pytest.raises(PermissionDenied):  # a zone filling another zone's quota
        recommendations_add(
            by=zone_user,
            selection=w.selection,
            zone=w.zones[1],
            picks=[(_candidates(w, w.zones[1])[0], "x")],
        )
    recommendations_add(
        by=office_user,
        selection=w.selection,
        zone=w.zones[1],
        picks=[(_candidates(w, w.zones[1])[0], "办公室代报")],
    )
    with pytest.raises(PermissionDenied):  # nor withdraw it
        recommendation_withdraw(
            by=zone_user, selection=w.selection, unit_id=_candidates(w, w.zones[1])[0]
        )


def test_english_page_renders_translated(tree, office_user, office_client, zone_client):
    w = _world(tree, office_user)
    _set(w, office_user, A1=2)
    office_client.cookies["shidian_language"] = "en"
    page = office_client.get(_url(w)).content.decode()
    assert "Quotas by zone" in page and "各片区推荐名额" not in page
    zone_client.cookies["shidian_language"] = "en"
    page = zone_client.get(_url(w)).content.decode()
    assert "Submit recommendations" in page and "提交推荐" not in page
