"""Commendation pages: list and create, nominate, zone proposal, approval with the notice link,
export, outsider 404, bad input 400 with nothing changed."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from tests.commendations.factories import commendation, leader, passed_world, zone_account


@pytest.fixture
def world(tree):
    return passed_world(tree)


def test_list_and_create(client, tree, world):
    client.force_login(world.office)
    url = reverse("commendations:list", kwargs={"programme_id": world.programme.pk})
    page = client.get(url)
    assert page.status_code == 200 and "新建表彰名单" in page.content.decode()
    assert client.post(url, {"title": " "}).status_code == 400
    response = client.post(url, {"title": "2028年通报表彰"})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "2028年通报表彰" in detail and "nomination-form" in detail
    cockpit = client.get(reverse("programmes:detail", kwargs={"programme_id": world.programme.pk}))
    assert "commendations-links" in cockpit.content.decode()


def test_outsider_gets_404(client, tree, world, outsider):
    c = commendation(tree)
    client.force_login(outsider)
    for name in ("detail", "export"):
        url = reverse(f"commendations:{name}", kwargs={"commendation_id": c.pk})
        assert client.get(url).status_code == 404
    url = reverse("commendations:nominate", kwargs={"commendation_id": c.pk})
    assert client.post(url, {"category": "unit", "unit": "A1-1", "reason": "x"}).status_code == 404
    assert c.nominations.count() == 0


def test_nominate_approve_and_export(client, tree, world):
    c = commendation(tree)
    client.force_login(world.office)
    nominate = reverse("commendations:nominate", kwargs={"commendation_id": c.pk})
    bad = client.post(nominate, {"category": "unit", "unit": "A1-4", "reason": "x"})
    assert bad.status_code == 400 and "没有通过验收" in bad.content.decode()
    assert c.nominations.count() == 0
    ok = client.post(nominate, {"category": "unit", "unit": "A1-1", "reason": "成效突出"})
    assert ok.status_code == 302 and c.nominations.count() == 1
    client.post(
        nominate,
        {"category": "person", "unit": "A1-2", "name": "王校长", "role": "校长", "reason": "好"},
    )
    submit = reverse("commendations:submit", kwargs={"commendation_id": c.pk})
    assert client.post(submit, {"comment": ""}).status_code == 302
    decide = reverse("commendations:decide", kwargs={"commendation_id": c.pk})
    # the office may not approve: 403 (it sees the list)
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    client.force_login(leader(tree))
    page = client.get(reverse("commendations:detail", kwargs={"commendation_id": c.pk}))
    assert "decision-form" in page.content.decode()
    assert client.post(decide, {"decision": "return", "comment": ""}).status_code == 400
    assert client.post(decide, {"decision": "approve", "comment": "同意"}).status_code == 302
    c.refresh_from_db()
    assert c.status == "approved" and c.notice is not None
    page = client.get(reverse("commendations:detail", kwargs={"commendation_id": c.pk}))
    assert "notice-link" in page.content.decode()
    client.force_login(world.office)
    xlsx = client.get(reverse("commendations:export", kwargs={"commendation_id": c.pk}))
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in ws.iter_rows()]
    assert values[0][0] == "类别" and {r[2] for r in values[1:]} == {"甲县第一小学", "甲县第二初中"}


def test_zone_proposes_through_the_page(client, tree, world):
    c = commendation(tree)
    client.force_login(zone_account(tree))
    page = client.get(reverse("commendations:detail", kwargs={"commendation_id": c.pk}))
    assert page.status_code == 200 and "推荐表彰对象" in page.content.decode()
    nominate = reverse("commendations:nominate", kwargs={"commendation_id": c.pk})
    response = client.post(
        nominate, {"category": "team", "unit": "A1-2", "name": "教研组", "reason": "带动"}
    )
    assert response.status_code == 302
    n = c.nominations.get()
    assert n.status == "proposed"
    # the zone cannot include it, nor export the list
    url = reverse("commendations:nomination_decide", kwargs={"nomination_id": n.pk})
    assert client.post(url, {"decision": "include"}).status_code in (403, 404)
    client.force_login(world.office)
    page = client.get(reverse("commendations:detail", kwargs={"commendation_id": c.pk}))
    assert "下级推荐" in page.content.decode()
    assert client.post(url, {"decision": "decline", "note": ""}).status_code == 400
    assert client.post(url, {"decision": "include"}).status_code == 302
    n.refresh_from_db()
    assert n.status == "included"
