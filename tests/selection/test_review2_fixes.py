"""Regressions found in the second review of the selection steps: odd ids, who reads the
recommendations, the matching run's rights, and later steps out of date after an earlier one
changed (the pages say so, approval refuses)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import make_user
from tests.selection.test_approval_helpers import SHORTLIST, pair, place, ready

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


def _url(w, name):
    return reverse(f"selection:{name}", kwargs={"selection_id": w.selection.pk})


def _adopt_pointer(w):
    """Point the selection at a shortlist run (ready() stores the rows only)."""
    from shidian.apps.selection.models import Selection, ShortlistRun

    run = ShortlistRun.objects.create(selection=w.selection, number=1, status="done")
    Selection.objects.filter(pk=w.selection.pk).update(shortlist=run)  # scoping: ok test
    w.selection.refresh_from_db()


def test_huge_ids_are_refused_not_a_server_error(tree, office_user, client):
    w, _rows = ready(tree, office_user)
    w.selection.recommend = True
    w.selection.save()
    client.force_login(office_user)
    r = client.post(_url(w, "recommend"), {"action": "withdraw", "unit": HUGE})
    assert r.status_code == 400
    r = client.post(_url(w, "review_move"), {"unit": HUGE, "from": HUGE, "to": HUGE})
    assert r.status_code == 404


def test_recommendations_only_for_who_follows_or_fills(tree, office_user, client):
    from shidian.apps.core.access import GrantRole
    from shidian.apps.core.services import grant_give
    from shidian.apps.selection.models import ZoneQuota

    w, _rows = ready(tree, office_user)
    w.selection.recommend = True
    w.selection.save()
    ZoneQuota.objects.create(selection=w.selection, zone=tree.zone, quota=2)
    # sees the selection (community member of the programme) but follows none of its steps
    member = make_user("community1", tree.city, "expert")
    grant_give(by=office_user, user=member, role=GrantRole.COMMUNITY_MEMBER, target=w.programme)
    # an expert account of the zone: sees the selection through the zone's quota, fills nothing
    zone_expert = make_user("zexpert", tree.zone, "expert")
    for user in (member, zone_expert):
        client.force_login(user)
        assert client.get(_url(w, "recommend")).status_code == 404
        assert client.get(_url(w, "recommend_export")).status_code == 404
    # the leading group reads the page, and so the export
    leader = make_user("deputy2", tree.city, "expert")
    grant_give(by=office_user, user=leader, role=GrantRole.LEADING_GROUP_MEMBER, target=w.programme)
    client.force_login(leader)
    assert client.get(_url(w, "recommend")).status_code == 200
    assert client.get(_url(w, "recommend_export")).status_code == 200


def test_matching_run_rechecks_the_starters_rights(tree, office_user, coordinator):
    from shidian.apps.runs.errors import RunError
    from shidian.apps.selection.jobs.matching import matching
    from shidian.apps.selection.models import MatchRun

    w, _rows = ready(tree, office_user)
    mr = MatchRun.objects.create(selection=w.selection, number=1, params={}, status="queued")
    run = SimpleNamespace(params={"match_run_id": mr.pk}, created_by=coordinator)
    with pytest.raises(RunError):
        matching(run, lambda *a, **k: None)
    mr.refresh_from_db()
    assert mr.status == "queued" and not mr.result


def test_approval_refuses_pilots_outside_the_adopted_ranking(tree, office_user):
    from shidian.apps.selection.services.approval import selection_submit

    w, rows = ready(tree, office_user, controls=0)
    _adopt_pointer(w)
    place(w, [*rows[:13], rows[SHORTLIST + 2]])  # a school the shortlist does not hold
    with pytest.raises(ValidationError, match="不在采用的排名中"):
        selection_submit(by=office_user, selection=w.selection)
    w.selection.refresh_from_db()
    assert w.selection.status == "open"
    place(w, rows[:14])
    selection_submit(by=office_user, selection=w.selection)


def test_approval_refuses_a_reconciliation_of_an_older_shortlist(tree, office_user):
    from shidian.apps.selection.models import Reconciliation, Selection, Shortlisted
    from shidian.apps.selection.services.approval import selection_submit

    w, rows = ready(tree, office_user, controls=0)
    _adopt_pointer(w)
    ranking = [{"unit_id": r["unit_id"], "rank": i} for i, r in enumerate(rows[:SHORTLIST], 1)]
    rec = Reconciliation.objects.create(
        selection=w.selection, number=1, result={"ranking": ranking}
    )
    Selection.objects.filter(pk=w.selection.pk).update(reconciliation=rec)  # scoping: ok test
    w.selection.refresh_from_db()
    # a new shortlist drops the 18th school
    Shortlisted.objects.filter(
        selection=w.selection, unit_id=rows[SHORTLIST - 1]["unit_id"]
    ).delete()
    with pytest.raises(ValidationError, match="评分汇总与现在的入围名单不一致"):
        selection_submit(by=office_user, selection=w.selection)


def test_later_steps_say_they_are_out_of_date(tree, office_user, client):
    from shidian.apps.selection.models import (
        ExpertAssignment,
        Reconciliation,
        Selection,
        Shortlisted,
    )

    w, rows = ready(tree, office_user, controls=2)
    _adopt_pointer(w)
    client.force_login(office_user)
    for name, marker in (("review", "review-stale"), ("reconcile", "reconcile-stale"),
                         ("controls", "controls-stale"), ("design", "design-stale")):  # fmt: skip
        assert marker not in client.get(_url(w, name)).content.decode()
    dropped = rows[SHORTLIST - 1]
    expert = make_user("exp1", tree.city, "expert")
    ExpertAssignment.objects.create(
        selection=w.selection, unit_id=dropped["unit_id"], expert=expert
    )
    ranking = [{"unit_id": r["unit_id"], "rank": i} for i, r in enumerate(rows[:SHORTLIST], 1)]
    rec = Reconciliation.objects.create(
        selection=w.selection, number=1, result={"ranking": ranking}
    )
    Selection.objects.filter(pk=w.selection.pk).update(reconciliation=rec)  # scoping: ok test
    # a new shortlist without the 18th school; batches without the first pilot
    Shortlisted.objects.filter(selection=w.selection, unit_id=dropped["unit_id"]).delete()
    place(w, rows[1:15])
    pair(w, rows[:2], rows[SHORTLIST : SHORTLIST + 2])
    review = client.get(_url(w, "review")).content.decode()
    assert "review-stale" in review and dropped["name"] in review
    assert "reconcile-stale" in client.get(_url(w, "reconcile")).content.decode()
    controls = client.get(_url(w, "controls")).content.decode()
    assert "controls-stale" in controls and rows[0]["name"] in controls
    design = client.get(_url(w, "design")).content.decode()
    assert "design-stale" in design and rows[0]["name"] in design


def test_a_zones_step_bar_links_only_its_step(tree, office_user, zone_user, client):
    from shidian.apps.selection.models import ZoneQuota

    w, _rows = ready(tree, office_user)
    w.selection.recommend = True
    w.selection.save()
    ZoneQuota.objects.create(selection=w.selection, zone=tree.zone, quota=2)
    client.force_login(zone_user)
    page = client.get(_url(w, "recommend"))
    assert page.status_code == 200
    assert _url(w, "shortlist") not in page.content.decode()
    assert client.get(_url(w, "shortlist")).status_code == 404
