"""Pairing as a Run: the pairs written at the end in one go, refusals stored as codes that name
the schools, a cancel or a change meanwhile leaving the plan as it was; and a lead's load
counting the schools it leads in the programme's approved plans."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shidian.apps.rollout.jobs import pairing_start
from shidian.apps.rollout.pairing import plan_pair
from shidian.apps.rollout.services import plan_approve, plan_pick, plan_set_lead, plan_submit
from tests.rollout.factories import leader, plan, rollout_world, unit
from tests.runs.helpers import execute

NEAR = ["A1-7", "A1-8", "A1-9", "A1-10"]


def _ids(codes):
    return [unit(c).pk for c in codes]


def _pairs(p):
    return {s.unit.code: (s.lead.code if s.lead else None) for s in p.schools.all()}


@pytest.fixture
def world(tree):
    return rollout_world(tree)


def _picked(tree, world, codes=NEAR, **extra):
    p = plan(tree, **extra) if extra else plan(tree)
    plan_pick(by=world.office, plan=p, unit_ids=_ids(codes))
    return p


def test_the_run_writes_the_pairs_and_the_limits(tree, world):
    from shidian.apps.runs.presenters import result_text

    p = _picked(tree, world)
    run = pairing_start(by=world.office, plan=p, max_km=25, max_load=2)
    assert pairing_start(by=world.office, plan=p, max_km=25, max_load=2) == run  # one at a time
    assert not p.schools.filter(lead__isnull=False).exists()  # nothing before the run
    run = execute(run)
    assert run.status == "succeeded" and run.progress_done == run.progress_total == 3
    p.refresh_from_db()
    assert p.max_km == 25 and _pairs(p)["A1-7"] == "A1-1"
    assert run.result["schools"] == 4 and run.result["leads"] == 2
    assert "已为 4 所学校安排带动试点" in result_text(run)


def test_a_refusal_names_the_school_and_changes_nothing(tree, world):
    from shidian.apps.runs.presenters import error_text
    from shidian.apps.runs.services import can_retry

    p = _picked(tree, world, ["A1-7", "A1-11"])
    run = execute(pairing_start(by=world.office, plan=p, max_km=30, max_load=2))
    assert run.status == "failed" and run.error_code == "pairing_out_of_reach"
    text = error_text(run)
    assert "甲县第11学校" in text and "30 公里" in text
    assert not can_retry(run)  # the same limits would refuse again: a new run instead
    p.refresh_from_db()
    assert p.max_km == 20 and all(s.lead_id is None for s in p.schools.all())


def test_cancel_and_change_meanwhile_leave_the_plan_unchanged(tree, world, monkeypatch):
    from shidian.apps.rollout import jobs
    from shidian.apps.runs.models import Run

    p = _picked(tree, world)
    run = pairing_start(by=world.office, plan=p, max_km=25, max_load=2)
    compute = jobs.pairing_compute

    def then_cancel(*args, **kwargs):  # someone presses 取消 while the engine computes
        found = compute(*args, **kwargs)
        Run.objects.filter(pk=run.pk).update(cancel_requested=True)
        return found

    monkeypatch.setattr(jobs, "pairing_compute", then_cancel)
    assert execute(run).status == "cancelled"
    p.refresh_from_db()
    assert p.max_km == 20 and not p.schools.filter(lead__isnull=False).exists()

    def then_pick(*args, **kwargs):  # the office drops a school while the engine computes
        found = compute(*args, **kwargs)
        plan_pick(by=world.office, plan=p, unit_ids=_ids(NEAR[:3]))
        return found

    monkeypatch.setattr(jobs, "pairing_compute", then_pick)
    run = execute(pairing_start(by=world.office, plan=p, max_km=25, max_load=2))
    assert run.status == "failed" and run.error_code == "pairing_changed"
    assert not p.schools.filter(lead__isnull=False).exists()


def test_a_submitted_plan_is_not_paired(tree, world):
    p = _picked(tree, world)
    plan_pair(by=world.office, plan=p)
    run = pairing_start(by=world.office, plan=p, max_km=25, max_load=1)
    plan_submit(by=world.office, plan=p)
    run = execute(run)
    assert run.status == "failed" and run.error_code == "pairing_input"
    assert _pairs(p)["A1-9"] == "A1-1"
    with pytest.raises(ValidationError):
        pairing_start(by=world.office, plan=p, max_km=25, max_load=2)


def _first_approved(tree, world):
    """A1-7 and A1-9 paired with A1-1 (both nearest to it) and approved."""
    first = _picked(tree, world, ["A1-7", "A1-9"], name="第一批")
    plan_pair(by=world.office, plan=first)
    assert set(_pairs(first).values()) == {"A1-1"}
    plan_submit(by=world.office, plan=first)
    plan_approve(by=leader(tree), plan=first)
    return first


def test_load_counts_the_approved_plans_of_the_programme(client, tree, world):
    from django.urls import reverse

    from shidian.apps.runs.presenters import error_text

    _first_approved(tree, world)
    # one place per pilot: counting this plan only, A1-1 would take A1-8 (total 11 km); it
    # already leads two, so A1-10 goes to the far A1-3
    second = _picked(tree, world, ["A1-8", "A1-10"], name="第二批", max_km=80, max_load=1)
    plan_pair(by=world.office, plan=second)
    assert _pairs(second) == {"A1-8": "A1-2", "A1-10": "A1-3"}
    school = second.schools.get(unit__code="A1-10")
    with pytest.raises(ValidationError) as exc:  # a hand move counts them too
        plan_set_lead(by=world.office, plan=second, school=school, lead=unit("A1-1"))
    assert "已带动 2 所学校" in str(exc.value)
    client.force_login(world.office)
    page = client.get(reverse("rollout:detail", kwargs={"rollout_id": second.pk}))
    assert "2 / 1" in page.content.decode() and "含已批准计划 2 所" in page.content.decode()
    # within 20 km only A1-1 (full) and A1-2 (one place) reach both schools
    run = execute(pairing_start(by=world.office, plan=second, max_km=20, max_load=1))
    assert run.status == "failed" and run.error_code == "pairing_crowded"
    assert "最多容纳 1 所" in error_text(run) and "甲县第一小学" in error_text(run)
    assert _pairs(second)["A1-10"] == "A1-3"  # unchanged


def test_capacity_refusal_tells_the_places_taken(tree, world):
    _first_approved(tree, world)
    codes = ["A1-8", "A1-10", "A1-11"]
    second = _picked(tree, world, codes, name="第二批", max_km=300, max_load=1)
    with pytest.raises(ValidationError) as exc:
        plan_pair(by=world.office, plan=second)
    assert "已批准的推广计划占用 1 个名额，余 2 所" in str(exc.value)


def test_approval_refused_when_an_approved_plan_filled_the_lead(tree, world):
    second = _picked(tree, world, ["A1-8", "A1-10"], name="第二批", max_km=20, max_load=2)
    plan_pair(by=world.office, plan=second)  # paired before the first plan was approved
    plan_submit(by=world.office, plan=second)
    second.schools.update(lead=unit("A1-1"))
    _first_approved(tree, world)
    with pytest.raises(ValidationError) as exc:
        plan_approve(by=leader(tree), plan=second)
    assert "甲县第一小学" in str(exc.value) and "超过了每所最多带动 2 所" in str(exc.value)


def test_an_interrupted_pairing_does_not_block_a_new_one(tree, world):
    import datetime as dt

    from django.utils import timezone

    from shidian.apps.runs.models import Run

    p = _picked(tree, world)
    stuck = pairing_start(by=world.office, plan=p, max_km=25, max_load=2)
    long_ago = timezone.now() - dt.timedelta(days=1)
    Run.objects.filter(pk=stuck.pk).update(status="running", heartbeat_at=long_ago)
    fresh = pairing_start(by=world.office, plan=p, max_km=25, max_load=2)
    assert fresh.pk != stuck.pk and execute(fresh).status == "succeeded"
