"""The selection's own pages: create, overview with its steps, edit; who may see them."""

from __future__ import annotations

import pytest
from django.http import Http404
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


def test_a_selection_fills_the_batches_not_yet_filled(tree, office_user):
    """Five pilots announced before (batch 1) leave batches 2 and 3 (5 + 4) to a selection,
    and those five are neither candidates nor controls of it."""
    from shidian.apps.programmes.models import Participation
    from shidian.apps.programmes.services import participation_move_bulk
    from shidian.apps.selection.candidates import candidate_frame, placed_elsewhere
    from shidian.apps.selection.services.selections import default_pilot_count, open_cycles

    w = world(tree, office=office_user)
    assert default_pilot_count(w.programme) == 14
    rows = list(
        Participation.objects.filter(programme=w.programme, unit__in=w.schools[:5])  # scoping: ok
    )
    batch1 = w.programme.cycles.get(number=1)
    participation_move_bulk(
        by=None, programme=w.programme, participations=rows, to="shortlisted", reason="t"
    )
    participation_move_bulk(
        by=None, programme=w.programme, participations=rows, to="pilot", batch=batch1, reason="t"
    )
    assert [c.number for c in open_cycles(w.programme, w.selection)] == [2, 3]
    assert default_pilot_count(w.programme) == 9
    frame = candidate_frame(w.selection)
    placed = set(frame.loc[placed_elsewhere(w.selection, frame), "unit_id"])
    assert placed == {s.pk for s in w.schools[:5]}


def test_a_zone_with_a_quota_sees_only_its_recommendation_step(
    tree, office_user, zone_user, client
):
    from shidian.apps.selection.models import Selection, ZoneQuota
    from shidian.apps.selection.selectors import followed_selection

    w = world(tree, office=office_user)
    Selection.objects.filter(pk=w.selection.pk).update(recommend=True)  # scoping: ok test
    client.force_login(zone_user)
    url = reverse("selection:detail", kwargs={"selection_id": w.selection.pk})
    assert client.get(url).status_code == 404
    ZoneQuota.objects.create(selection=w.selection, zone=tree.zone, quota=2)
    page = client.get(url)
    assert page.status_code == 200
    steps = [s["key"] for s in page.context["steps"]]
    assert steps == ["recommend"]
    with pytest.raises(Http404):
        followed_selection(user=zone_user, selection_id=w.selection.pk)
    assert followed_selection(user=office_user, selection_id=w.selection.pk) == w.selection


def test_a_zone_reads_its_own_recommendation_count_on_the_overview(
    tree, office_user, zone_user, client
):
    from shidian.apps.selection.models import Recommendation, Selection, ZoneQuota

    w = world(tree, office=office_user)
    Selection.objects.filter(pk=w.selection.pk).update(recommend=True)  # scoping: ok test
    ZoneQuota.objects.create(selection=w.selection, zone=tree.zone, quota=3)
    other_zone = w.zones[1]
    others = [s for s in w.schools if s.zone_id == other_zone.pk][:2]
    for school in others:
        Recommendation.objects.create(
            selection=w.selection, unit=school, zone=other_zone, reason="r", by=office_user
        )
    Recommendation.objects.create(
        selection=w.selection, unit=tree.school, zone=tree.zone, reason="r", by=office_user
    )
    client.force_login(zone_user)
    page = client.get(reverse("selection:detail", kwargs={"selection_id": w.selection.pk}))
    assert "已推荐 1 所" in page.content.decode()
