"""Per-pilot expert assignment and score drafts: the proposal (k a pilot, balanced, no
conflict), hand edits, scope through narrowed grants, drafts counted nowhere, incomplete pilots
pending and held at confirmation; a round without assignments works as before."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shidian.apps.acceptance import selectors, services
from shidian.apps.acceptance.models import AcceptanceRound, Assignment
from shidian.apps.acceptance.services.scoring import scored_items
from shidian.apps.core.access import REVIEW, VIEW
from shidian.apps.reviews.models import Review
from shidian.apps.submissions.models import Submission
from shidian.apps.submissions.reviewers import reviewer_grants
from tests.acceptance.factories import (
    create,
    experts,
    file_report,
    item_scores,
    leader,
    score,
    submission_of,
)
from tests.conftest import make_user
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def own_school_expert(tree):
    """An expert working at the first pilot (A1-1): in conflict with it."""
    return make_user("ac-own-expert", pilot_world(tree).pilots[0], "expert")


def three_panel(tree):
    panel = [*experts(tree), own_school_expert(tree)]
    return create(tree, experts=panel), panel


def _pairs(acceptance):
    rows = Assignment.objects.filter(acceptance=acceptance).select_related("unit", "expert")
    return {(a.unit.code, a.expert.username) for a in rows}


def _reviewable(user, acceptance):
    qs = Submission.objects.restrict(user, REVIEW).filter(round=acceptance.round)
    return {s.unit.code for s in qs.select_related("unit")}


def test_proposal_is_balanced_conflict_free_and_narrows_grants(tree):
    w = pilot_world(tree)
    acceptance, panel = three_panel(tree)
    counts = services.assignment_propose(by=w.office, acceptance=acceptance, per_pilot=2)
    assert counts["pairs"] == 12
    pairs = _pairs(acceptance)
    per_pilot = Counter(code for code, _ in pairs)
    assert set(per_pilot.values()) == {2} and len(per_pilot) == 6
    assert ("A1-1", "ac-own-expert") not in pairs
    loads = Counter(name for _, name in pairs)
    assert sorted(loads.values()) == [4, 4, 4]
    acceptance.refresh_from_db()
    assert acceptance.per_pilot == 2
    # Grants follow the pairs: no whole-round grant left, one narrowed grant a pair.
    grants = reviewer_grants(acceptance.round)
    assert not grants.filter(unit__isnull=True).exists() and grants.count() == 12
    own = panel[2]
    assert _reviewable(own, acceptance) == {c for c, n in pairs if n == own.username}
    # The expert still sees the round page's round.
    assert AcceptanceRound.objects.restrict(own, VIEW).filter(pk=acceptance.pk).exists()
    assert {u.username for u in services.assign.panel_of(acceptance)} == {u.username for u in panel}


def test_proposal_names_pilots_without_enough_experts(tree):
    w = pilot_world(tree)
    acceptance, _panel = three_panel(tree)
    with pytest.raises(ValidationError) as exc:
        services.assignment_propose(by=w.office, acceptance=acceptance, per_pilot=3)
    assert w.pilots[0].name in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.assignment_propose(by=w.office, acceptance=acceptance, per_pilot=0)
    assert not Assignment.objects.filter(acceptance=acceptance).exists()
    # Nothing changed: the whole panel still scores every pilot.
    assert reviewer_grants(acceptance.round).filter(unit__isnull=True).count() == 3
    with pytest.raises(PermissionDenied):
        services.assignment_propose(by=experts(tree)[0], acceptance=acceptance, per_pilot=1)


def test_hand_edits_and_back_to_everyone(tree):
    w = pilot_world(tree)
    acceptance, panel = three_panel(tree)
    first, second, own = panel
    a1, a2 = w.pilots[0], w.pilots[1]
    with pytest.raises(ValidationError) as exc:
        services.assignment_add(by=w.office, acceptance=acceptance, unit=a1, expert=own)
    assert "利益冲突" in exc.value.messages[0]
    services.assignment_add(by=w.office, acceptance=acceptance, unit=a1, expert=first)
    with pytest.raises(ValidationError):
        services.assignment_add(by=w.office, acceptance=acceptance, unit=a1, expert=first)
    outsider = make_user("ac-not-panel", tree.city, "expert")
    with pytest.raises(ValidationError):
        services.assignment_add(by=w.office, acceptance=acceptance, unit=a2, expert=outsider)
    # One pair: the first expert scores A1-1 only, the others score nothing.
    assert _reviewable(first, acceptance) == {"A1-1"}
    assert _reviewable(second, acceptance) == set()
    services.assignment_remove(by=w.office, acceptance=acceptance, unit=a1, expert=first)
    with pytest.raises(ValidationError):
        services.assignment_remove(by=w.office, acceptance=acceptance, unit=a1, expert=first)
    # No pair left: the whole panel scores every pilot again.
    assert len(_reviewable(second, acceptance)) == 6 and len(_reviewable(own, acceptance)) == 6


def test_unassigned_expert_cannot_score(tree):
    w = pilot_world(tree)
    acceptance, panel = three_panel(tree)
    services.assignment_add(by=w.office, acceptance=acceptance, unit=w.pilots[1], expert=panel[0])
    sub = submission_of(acceptance, w.pilots[0])
    with pytest.raises(PermissionDenied):
        score(acceptance, sub, panel[0], 1.0)
    assert not Review.objects.filter(submission=sub).exists()


def test_drafts_then_submit(tree):
    w = pilot_world(tree)
    acceptance = create(tree)
    expert = experts(tree)[0]
    sub = file_report(acceptance, w, w.pilots[0])
    items = scored_items(acceptance)
    half = {i.code: i.max_score for i in items[:2]}
    draft = services.score_put(by=expert, submission=sub, scores=half, vetoes={}, draft=True)
    assert draft.draft and draft.item_scores == {k: float(v) for k, v in half.items()}
    # Out of range is refused even in a draft.
    with pytest.raises(ValidationError):
        services.score_put(
            by=expert, submission=sub, scores={items[0].code: 999}, vetoes={}, draft=True
        )
    # Submitting the incomplete draft names what is missing and changes nothing.
    with pytest.raises(ValidationError) as exc:
        services.score_put(by=expert, submission=sub, scores=half, vetoes={})
    message = exc.value.messages[0]
    assert items[2].code in message and items[0].code not in message
    assert "否决项尚未选择" in exc.value.messages[-1]
    review = Review.objects.get(submission=sub, reviewer=expert)
    assert review.draft and review.item_scores == draft.item_scores
    # A draft never counts.
    assert selectors.pilot_rows(acceptance)[0].proposal.experts == 0
    assert len(selectors.pilot_rows(acceptance)[0].drafts) == 1
    score(acceptance, sub, expert, 1.0)
    review.refresh_from_db()
    assert not review.draft
    row = selectors.pilot_rows(acceptance)[0]
    assert row.proposal.experts == 1 and not row.drafts and not row.incomplete
    # A submitted score is not turned back into a draft.
    with pytest.raises(ValidationError):
        services.score_put(by=expert, submission=sub, scores=half, vetoes={}, draft=True)


def test_reconciliation_uses_assigned_submitted_scores_and_holds_incomplete(tree):
    w = pilot_world(tree)
    acceptance, panel = three_panel(tree)
    first, second, own = panel
    a1 = w.pilots[0]
    sub = file_report(acceptance, w, a1)
    # Scored before any assignment: the own-school expert's score stops counting afterwards.
    score(acceptance, sub, own, 0.0)
    services.assignment_propose(by=w.office, acceptance=acceptance, per_pilot=2)
    assert {n for c, n in _pairs(acceptance) if c == "A1-1"} == {first.username, second.username}
    score(acceptance, sub, first, 1.0)
    services.score_put(
        by=second,
        submission=sub,
        scores=dict(list(item_scores(acceptance, 0.5).items())[:1]),
        vetoes={},
        draft=True,
    )
    row = {r.unit.code: r for r in selectors.pilot_rows(acceptance)}["A1-1"]
    assert row.incomplete and row.proposed == "" and len(row.reviews) == 1
    assert len(row.drafts) == 1 and len(row.assigned) == 2
    assert "已提交 1/2" in selectors.reasons_of(acceptance, row.proposal)[0]
    # Confirmation is held for the incomplete pilot unless the leading group says why.
    decisions = {u.pk: ("fail", "未报送") for u in w.pilots}
    decisions[a1.pk] = ("pass", "")
    due = timezone.localdate() + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as exc:
        services.acceptance_confirm(
            by=leader(tree), acceptance=acceptance, decisions=decisions, due_on=due
        )
    assert any("评分未完成" in m and a1.name in m for m in exc.value.messages)
    # The second expert submits: complete, the mean of the two assigned experts.
    score(acceptance, sub, second, 1.0)
    row = {r.unit.code: r for r in selectors.pilot_rows(acceptance)}["A1-1"]
    assert not row.incomplete and row.proposed == "pass" and row.proposal.experts == 2
    services.acceptance_confirm(
        by=leader(tree), acceptance=acceptance, decisions=decisions, due_on=due
    )


def test_incomplete_pilot_confirmed_with_a_reason(tree):
    w = pilot_world(tree)
    acceptance, panel = three_panel(tree)
    services.assignment_propose(by=w.office, acceptance=acceptance, per_pilot=1)
    decisions = {u.pk: ("fail", "专家未能到场，按材料审核") for u in w.pilots}
    services.acceptance_confirm(
        by=leader(tree),
        acceptance=acceptance,
        decisions=decisions,
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    acceptance.refresh_from_db()
    assert acceptance.status == "confirmed"
    with pytest.raises(ValidationError):
        services.assignment_add(
            by=w.office, acceptance=acceptance, unit=w.pilots[0], expert=panel[0]
        )


def test_repropose_keeps_submitted_pairs_and_refuses_their_removal(tree):
    w = pilot_world(tree)
    acceptance, panel = three_panel(tree)
    first = panel[0]
    a3 = w.pilots[2]
    sub = file_report(acceptance, w, a3)
    score(acceptance, sub, first, 1.0)
    services.assignment_propose(by=w.office, acceptance=acceptance, per_pilot=1)
    assert (a3.code, first.username) in _pairs(acceptance)
    with pytest.raises(ValidationError):
        services.assignment_remove(by=w.office, acceptance=acceptance, unit=a3, expert=first)
    services.assignment_propose(by=w.office, acceptance=acceptance, per_pilot=2)
    assert (a3.code, first.username) in _pairs(acceptance)
    assert len(_pairs(acceptance)) == 12


def test_round_without_assignments_is_unchanged(tree):
    w = pilot_world(tree)
    acceptance = create(tree)
    sub = file_report(acceptance, w, w.pilots[0])
    for expert in experts(tree):
        score(acceptance, sub, expert, 1.0)
    row = selectors.pilot_rows(acceptance)[0]
    assert row.proposed == "pass" and row.proposal.experts == 2
    assert not row.assigned and not row.incomplete
    assert all(len(_reviewable(e, acceptance)) == 6 for e in experts(tree))
