"""The selection's own pages: create, overview with its steps, edit; who may see them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.selection.factories import world

pytestmark = pytest.mark.django_db


def test_world_ranks_only_submitted_sheets(tree, office_user):
    from shidian.apps.selection.candidates import candidate_frame

    w = world(tree, office=office_user)
    frame = candidate_frame(w.selection)
    assert len(frame) == len(w.schools) - len(w.drafts)
    assert not set(frame["unit_id"]) & {s.pk for s in w.drafts}
    assert frame["id"].map(type).eq(str).all()


def test_office_creates_a_selection_from_the_programme(tree, office_client, office_user):
    from shidian.apps.selection.models import Selection

    w = world(tree, office=office_user)
    url = reverse("selection:create", kwargs={"programme_id": w.programme.pk})
    page = office_client.get(url)
    assert page.status_code == 200
    response = office_client.post(
        url, {"name": "第二轮遴选", "round": w.round.pk, "pilot_count": 14, "recommend": "on"}
    )
    assert response.status_code == 302
    made = Selection.objects.get(name="第二轮遴选")
    assert made.recommend and made.pilot_count == 14
    overview = office_client.get(reverse("selection:detail", kwargs={"selection_id": made.pk}))
    assert overview.status_code == 200
    assert "推荐上报" in overview.content.decode()


def test_bad_input_changes_nothing(tree, office_client, office_user):
    from shidian.apps.selection.models import Selection

    w = world(tree, office=office_user)
    url = reverse("selection:create", kwargs={"programme_id": w.programme.pk})
    before = Selection.objects.count()
    response = office_client.post(url, {"name": " ", "round": w.round.pk, "pilot_count": 0})
    assert response.status_code == 400
    assert Selection.objects.count() == before


def test_outsider_and_coordinator_cannot_see_a_selection(
    tree, office_user, outsider_client, coordinator_client
):
    w = world(tree, office=office_user)
    url = reverse("selection:detail", kwargs={"selection_id": w.selection.pk})
    assert outsider_client.get(url).status_code == 404
    assert coordinator_client.get(url).status_code == 404
    create = reverse("selection:create", kwargs={"programme_id": w.programme.pk})
    assert outsider_client.get(create).status_code == 404
