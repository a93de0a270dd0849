"""Roll-out services: remaining candidates, picking, pairing within the limits, refusals that
name the schools and change nothing, hand moves, approval into the next cycle's participation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.rollout.factories import leader, plan, rollout_world, unit

NEAR = ["A1-7", "A1-8", "A1-9", "A1-10"]


def _ids(codes):
    return [unit(c).pk for c in codes]


def _pairs(p):
    return {s.unit.code: (s.lead.code if s.lead else None) for s in p.schools.all()}


@pytest.fixture
def world(tree):
    return rollout_world(tree)


def test_remaining_candidates_and_leads(tree, world):
    from shidian.apps.rollout.selectors import possible_leads, remaining_candidates

    codes = [c.unit.code for c in remaining_candidates(world.programme)]
    assert set(codes) == {"A1-7", "A1-8", "A1-9", "A1-10", "A1-11"}
    assert [u.code for u in possible_leads(world.programme)] == ["A1-1", "A1-2", "A1-3"]


def test_pick_and_pair_nearest_within_the_load(tree, world):
    from shidian.apps.rollout.pairing import plan_pair
    from shidian.apps.rollout.services import plan_pick

    p = plan(tree)
    with pytest.raises(ValidationError):  # a pilot is not a remaining candidate
        plan_pick(by=world.office, plan=p, unit_ids=_ids(["A1-7", "A1-1"]))
    assert p.schools.count() == 0
    plan_pick(by=world.office, plan=p, unit_ids=_ids(NEAR))
    plan_pair(by=world.office, plan=p)
    assert _pairs(p) == {"A1-7": "A1-1", "A1-9": "A1-1", "A1-8": "A1-2", "A1-10": "A1-2"}
    assert all(s.km <= 20 for s in p.schools.all())
    # with one place per lead, two schools go to the far lead A1-3? it is ~60 km away: refused
    with pytest.raises(ValidationError) as exc:
        plan_pair(by=world.office, plan=p, max_km=20, max_load=1)
    assert "超过了带动容量" in str(exc.value) or "只能由" in str(exc.value)
    p.refresh_from_db()
    assert p.max_load == 2 and _pairs(p)["A1-10"] == "A1-2"  # nothing changed


def test_out_of_reach_names_the_school(tree, world):
    from shidian.apps.rollout.pairing import plan_pair
    from shidian.apps.rollout.services import plan_pick

    p = plan(tree)
    plan_pick(by=world.office, plan=p, unit_ids=_ids(["A1-7", "A1-11"]))
    with pytest.raises(ValidationError) as exc:
        plan_pair(by=world.office, plan=p)
    text = str(exc.value)
    assert "甲县第11学校" in text and "20 公里" in text
    assert all(s.lead_id is None for s in p.schools.all())


def test_crowded_names_schools_and_leads(tree, world):
    from shidian.apps.rollout.pairing import plan_pair
    from shidian.apps.rollout.services import plan_pick

    p = plan(tree)
    plan_pick(by=world.office, plan=p, unit_ids=_ids(NEAR[:3]))
    with pytest.raises(ValidationError) as exc:
        plan_pair(by=world.office, plan=p, max_km=20, max_load=1)
    text = str(exc.value)
    assert "只能由" in text and "甲县第一小学" in text and "最多容纳 2 所" in text


def test_hand_move_and_its_limits(tree, world):
    from shidian.apps.rollout.pairing import plan_pair
    from shidian.apps.rollout.services import plan_pick, plan_set_lead

    p = plan(tree)
    plan_pick(by=world.office, plan=p, unit_ids=_ids(NEAR))
    plan_pair(by=world.office, plan=p)
    school = p.schools.get(unit__code="A1-10")
    with pytest.raises(ValidationError):  # A1-1 already leads two
        plan_set_lead(by=world.office, plan=p, school=school, lead=unit("A1-1"))
    with pytest.raises(ValidationError):  # not a passed pilot
        plan_set_lead(by=world.office, plan=p, school=school, lead=unit("A1-7"))
    moved = plan_set_lead(by=world.office, plan=p, school=school, lead=unit("A1-3"))
    assert moved.by_hand and moved.km > 20  # beyond the limit is allowed, and shown
    with pytest.raises(PermissionDenied):
        coordinator = world.coordinators[unit("A1-1").pk]
        plan_set_lead(by=coordinator, plan=p, school=school, lead=unit("A1-2"))


def test_approval_creates_the_next_cycle_participation(tree, world):
    from shidian.apps.programmes.models import Participation, ParticipationEvent
    from shidian.apps.rollout.pairing import plan_pair
    from shidian.apps.rollout.services import (
        plan_approve,
        plan_pick,
        plan_return,
        plan_submit,
    )

    p = plan(tree)
    plan_pick(by=world.office, plan=p, unit_ids=_ids(NEAR))
    with pytest.raises(ValidationError):  # no leads yet
        plan_submit(by=world.office, plan=p)
    plan_pair(by=world.office, plan=p)
    plan_submit(by=world.office, plan=p)
    with pytest.raises(PermissionDenied):
        plan_approve(by=world.office, plan=p)
    with pytest.raises(ValidationError):
        plan_return(by=leader(tree), plan=p, comment="")
    plan_return(by=leader(tree), plan=p, comment="再看看")
    plan_submit(by=world.office, plan=p)
    plan_approve(by=leader(tree), plan=p, comment="同意")
    p.refresh_from_db()
    assert p.status == "approved" and p.cycle.year == 2029 and p.cycle.number == 4
    rows = Participation.objects.filter(programme=world.programme, unit__code__in=NEAR)
    assert {(r.state, r.batch_id) for r in rows} == {("pilot", p.cycle.pk)}
    events = ParticipationEvent.objects.filter(participation__in=rows, to_state="pilot")
    assert events.count() == 4 and all(e.by == leader(tree) for e in events)
    # the pairs stay: lead pilot -> school
    assert _pairs(p)["A1-7"] == "A1-1"


def test_approval_refused_when_a_school_moved_meanwhile(tree, world):
    from shidian.apps.programmes.models import Participation
    from shidian.apps.programmes.services import participation_move
    from shidian.apps.rollout.pairing import plan_pair
    from shidian.apps.rollout.services import plan_approve, plan_pick, plan_submit

    p = plan(tree)
    plan_pick(by=world.office, plan=p, unit_ids=_ids(NEAR))
    plan_pair(by=world.office, plan=p)
    plan_submit(by=world.office, plan=p)
    row = Participation.objects.get(programme=world.programme, unit__code="A1-9")
    participation_move(by=None, participation=row, to="withdrawn", reason="撤并")
    with pytest.raises(ValidationError):
        plan_approve(by=leader(tree), plan=p)
    p.refresh_from_db()
    assert p.status == "pending" and p.cycle is None
    still = Participation.objects.filter(programme=world.programme, unit__code__in=NEAR)
    assert not still.filter(state="pilot").exists()
    assert world.programme.cycles.count() == 3


def test_candidates_follow_the_selection_ranking(tree, world, monkeypatch):
    from shidian.apps.rollout import selectors
    from shidian.apps.selection.services import batches

    ranking = [
        {"unit_id": unit("A1-1").pk, "score": 99.0},  # piloted already: skipped
        {"unit_id": unit("A1-9").pk, "score": 90.0},
        {"unit_id": unit("A1-7").pk, "score": 80.0},
    ]
    monkeypatch.setattr(selectors, "ranking_selection", lambda programme: object())
    monkeypatch.setattr(batches, "ranking_of", lambda selection: ("shortlist", ranking))
    found = selectors.remaining_candidates(world.programme)
    assert [(c.unit.code, c.rank, c.score) for c in found[:2]] == [
        ("A1-9", 1, 90.0),
        ("A1-7", 2, 80.0),
    ]
    assert {c.rank for c in found[2:]} == {None}


def test_todos_for_the_leading_group_and_the_office(tree, world):
    from django.utils import timezone

    from shidian.apps.rollout.pairing import plan_pair
    from shidian.apps.rollout.services import plan_pick, plan_return, plan_submit
    from shidian.apps.rollout.todos import rollout_todos

    p = plan(tree)
    plan_pick(by=world.office, plan=p, unit_ids=_ids(NEAR))
    plan_pair(by=world.office, plan=p)
    plan_submit(by=world.office, plan=p)
    assert [t.kind for t in rollout_todos(leader(tree), timezone.now())] == ["approve"]
    assert rollout_todos(world.office, timezone.now()) == []
    plan_return(by=leader(tree), plan=p, comment="改")
    assert [t.kind for t in rollout_todos(world.office, timezone.now())] == ["returned"]
