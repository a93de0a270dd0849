"""Roll-out pages: list and create, pick, pair (a run: its card, then the result), the
infeasible message, hand move, approve, export, outsider 404, bad input 400 with nothing
changed."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from shidian.apps.rollout.jobs import PAIR
from tests.rollout.factories import leader, plan, rollout_world, unit
from tests.runs.helpers import execute, run_about


@pytest.fixture
def world(tree):
    return rollout_world(tree)


def _url(name, p):
    return reverse(f"rollout:{name}", kwargs={"rollout_id": p.pk})


def test_list_and_create(client, tree, world):
    client.force_login(world.office)
    url = reverse("rollout:list", kwargs={"programme_id": world.programme.pk})
    assert client.get(url).status_code == 200
    bad = client.post(url, {"name": "x", "year": 2029, "max_km": -1, "max_load": 2})
    assert bad.status_code == 400
    response = client.post(url, {"name": "2029年推广", "year": 2029, "max_km": 15, "max_load": 2})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "尚未试点的候选学校" in page and "甲县第9学校" in page and "new-selection" in page
    cockpit = client.get(reverse("programmes:detail", kwargs={"programme_id": world.programme.pk}))
    assert "rollout-links" in cockpit.content.decode()


def test_outsider_gets_404(client, tree, world, outsider):
    p = plan(tree)
    client.force_login(outsider)
    assert client.get(_url("detail", p)).status_code == 404
    assert client.get(_url("export", p)).status_code == 404
    assert client.post(_url("pick", p), {"top": "2"}).status_code == 404
    assert p.schools.count() == 0


def test_pick_pair_move_approve_export(client, tree, world):
    p = plan(tree)
    client.force_login(world.office)
    assert client.post(_url("pick", p), {"top": "abc"}).status_code == 400
    assert client.post(_url("pick", p), {"unit": [str(unit("A1-1").pk)]}).status_code == 400
    assert p.schools.count() == 0
    codes = ["A1-7", "A1-8", "A1-9", "A1-10"]
    response = client.post(_url("pick", p), {"unit": [str(unit(c).pk) for c in codes]})
    assert response.status_code == 302 and p.schools.count() == 4
    assert client.post(_url("pair", p), {"max_km": -1, "max_load": 1}).status_code == 400
    # pairing is a run: the page shows its card, and the refusal once it ended
    assert client.post(_url("pair", p), {"max_km": 20, "max_load": 1}).status_code == 302
    run = run_about(p, PAIR)
    assert "run-card" in client.get(_url("detail", p)).content.decode()
    execute(run)
    page = client.get(_url("detail", p)).content.decode()
    assert run.status == "failed" and "超过了带动容量" in page
    assert not p.schools.filter(lead__isnull=False).exists()
    response = client.post(_url("pair", p), {"max_km": 20, "max_load": 2})
    assert response.status_code == 302 and response["Location"].endswith("#pairing")
    run = execute(run_about(p, PAIR))
    assert run.status == "succeeded" and not p.schools.filter(lead__isnull=True).exists()
    assert "已为 4 所学校安排带动试点" in client.get(_url("detail", p)).content.decode()
    school = p.schools.get(unit__code="A1-10")
    move = {"school": school.pk, "lead": unit("A1-3").pk}
    assert client.post(_url("lead", p), move).status_code == 302
    page = client.get(_url("detail", p)).content.decode()
    assert "超出距离上限" in page and "手动调整" in page
    assert client.post(_url("lead", p), {"school": "x", "lead": "y"}).status_code == 400
    xlsx = client.get(_url("export", p))
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][1] == "学校代码" and len(values) == 5
    assert client.post(_url("submit", p), {"comment": ""}).status_code == 302
    assert client.post(_url("decide", p), {"decision": "approve"}).status_code == 403
    client.force_login(leader(tree))
    assert "decision-form" in client.get(_url("detail", p)).content.decode()
    assert client.post(_url("decide", p), {"decision": "approve"}).status_code == 302
    p.refresh_from_db()
    assert p.status == "approved" and p.cycle is not None
    assert "approved-cycle" in client.get(_url("detail", p)).content.decode()
