"""Pages: the office's tables, compute/publish/bulletin buttons, the 督办 list; a school sees
its own row only; another county gets 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.supervision.models import LeagueTable
from shidian.apps.supervision.services import league_compute, league_publish
from tests.conftest import make_user

RATES = [0.9, 0.8, 0.7, 0.6, 0.3, 0.2]


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def published(world, fake_inputs):
    fake_inputs.month("2026-05", world.pilots, rates=RATES)
    table = league_compute(
        programme=world.programme, cycle=world.batch1, month="2026-05", by=world.office
    )
    league_publish(table=table, by=world.office)
    return table


def test_office_computes_and_sees_the_table(client, world, fake_inputs):
    login(client, world.office)
    page = client.get(reverse("supervision:list", kwargs={"programme_id": world.programme.pk}))
    assert page.status_code == 200 and "compute-form" in page.content.decode()
    fake_inputs.month("2026-05", world.pilots, rates=RATES)
    response = client.post(
        reverse("supervision:compute", kwargs={"programme_id": world.programme.pk}),
        {
            "cycle": world.batch1.pk,
            "month": "2026-05",
            "w_plan_rate": 50,
            "w_timeliness": 30,
            "w_completeness": 0,
            "w_goal_progress": 20,
        },
    )
    table = LeagueTable.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    for unit in world.pilots:
        assert unit.name in page
    assert 'id="publish"' in page and "sv-grade-A" in page
    response = client.post(reverse("supervision:publish", kwargs={"league_table_id": table.pk}))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'id="bulletin-generate"' in page and "sv-notice" in page


def test_bad_compute_input_changes_nothing(client, world, fake_inputs):
    login(client, world.office)
    url = reverse("supervision:compute", kwargs={"programme_id": world.programme.pk})
    response = client.post(url, {"cycle": world.batch1.pk, "month": "2026/5"})
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "cycle": world.batch1.pk,
            "month": "2026-05",
            "w_plan_rate": 0,
            "w_timeliness": 0,
            "w_completeness": 0,
            "w_goal_progress": 0,
        },
    )
    assert response.status_code == 400
    assert not LeagueTable.objects.exists()


def test_a_school_sees_only_its_own_row(client, world, published):
    school = world.pilots[5]
    login(client, world.coordinators[school.pk])
    page = client.get(reverse("supervision:mine"))
    text = page.content.decode()
    assert page.status_code == 200
    assert world.programme.name in text and "sv-notice" in text
    assert 'id="mine-rows"' in text
    others = [u.name for u in world.pilots if u != school]
    assert not any(name in text for name in others)
    for name in ("table", "publish", "bulletin"):
        url = reverse(f"supervision:{name}", kwargs={"league_table_id": published.pk})
        assert client.get(url).status_code in (404, 405)
        assert client.post(url).status_code == 404
    url = reverse("supervision:cases", kwargs={"programme_id": world.programme.pk})
    assert client.get(url).status_code == 404


def test_the_cases_page_shows_history(client, world, published):
    login(client, world.office)
    page = client.get(reverse("supervision:cases", kwargs={"programme_id": world.programme.pk}))
    text = page.content.decode()
    assert page.status_code == 200
    assert world.pilots[5].name in text and "2026-05" in text and "sv-notice" in text


def test_another_county_gets_404(client, world, published, tree):
    login(client, make_user("sv-v-other", tree.other_county, "office"))
    assert (
        client.get(
            reverse("supervision:table", kwargs={"league_table_id": published.pk})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("supervision:list", kwargs={"programme_id": world.programme.pk})
        ).status_code
        == 404
    )
    mine = client.get(reverse("supervision:mine")).content.decode()
    assert world.pilots[0].name not in mine


def test_publish_twice_says_so(client, world, published):
    login(client, world.office)
    response = client.post(reverse("supervision:publish", kwargs={"league_table_id": published.pk}))
    assert response.status_code == 400 and "已经发布" in response.content.decode()


def test_a_school_under_supervision_has_a_todo(world, published):
    from django.utils import timezone

    from shidian.apps.supervision.todos import supervision_todos

    late = world.coordinators[world.pilots[5].pk]
    todos = supervision_todos(late, timezone.now())
    assert len(todos) == 1 and todos[0].url == reverse("supervision:mine")
    assert supervision_todos(world.coordinators[world.pilots[0].pk], timezone.now()) == []
    assert supervision_todos(world.office, timezone.now()) == []
