"""Who sees a community: its members across zones, its office, nobody else."""

from __future__ import annotations

import pytest

from shidian.apps.communities.access import is_lead, is_member, steers
from shidian.apps.communities.models import Community
from shidian.apps.core.access import FILL, MANAGE, VIEW, can
from tests.community_world import community_world


@pytest.mark.django_db
def test_members_see_their_community_only(tree):
    w = community_world(tree)
    member = w.coordinators["A1-2"]
    assert set(Community.objects.restrict(member, VIEW)) == {w.first}
    assert can(member, FILL, w.first) and not can(member, MANAGE, w.first)
    assert not can(member, VIEW, w.second)
    assert is_member(member, w.first) and not is_member(member, w.second)


@pytest.mark.django_db
def test_lead_steers_office_manages_zone_and_outsider_see_nothing(tree, zone_user, outsider):
    w = community_world(tree)
    assert steers(w.lead_user, w.first) and is_lead(w.lead_user, w.first)
    assert not steers(w.lead_user, w.second)
    assert set(Community.objects.restrict(w.office, MANAGE)) == {w.first, w.second}
    assert not Community.objects.restrict(zone_user, VIEW).exists()
    assert not Community.objects.restrict(outsider, VIEW).exists()
    assert not Community.objects.restrict(w.expert, VIEW).exists()


@pytest.mark.django_db
def test_a_school_that_left_no_longer_sees_it(tree):
    from shidian.apps.communities.services import community_set_members

    w = community_world(tree)
    s = w.schools
    counts = community_set_members(
        by=w.office, community=w.first, lead=s["A1-1"], members=[s["A1-2"], s["A1-3"]]
    )
    assert counts == {"joined": 0, "left": 1, "kept": 3}
    assert not can(w.coordinators["A1-4"], VIEW, w.first)
    assert can(w.coordinators["A1-3"], VIEW, w.first)
