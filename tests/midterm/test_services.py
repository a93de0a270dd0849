"""Mid-term services: opening a round for a batch, gap reports, one-step rectification items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shidian.apps.campaigns.models import Sheet
from shidian.apps.core.models import AuditEvent
from shidian.apps.midterm import selectors, services
from shidian.apps.midterm.models import GapItem, MidtermRound
from tests.conftest import make_user
from tests.midterm.factories import create, experts, scored_round
from tests.standards.factories import published_version
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def test_create_invites_only_the_batch_pilots(tree):
    w = pilot_world(tree)
    midterm = create(tree)
    units = set(Sheet.objects.filter(round=midterm.campaign).values_list("unit_id", flat=True))
    assert units == {u.pk for u in w.pilots}
    assert midterm.campaign.programme_id == w.programme.pk
    assert AuditEvent.objects.filter(action="midterm.create").count() == 1
    assert set(midterm.campaign.reviewers.values_list("username", flat=True)) == {
        "mt-expert1",
        "mt-expert2",
    }


def test_create_in_the_midterm_phase_when_there_is_one(tree):
    from shidian.apps.programmes.models import Phase

    w = pilot_world(tree)
    phase = Phase.objects.create(
        programme=w.programme,
        name="中期评估",
        order=3,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 6, 30),
    )
    assert create(tree).campaign.phase_id == phase.pk


@pytest.mark.parametrize(
    "bad",
    [
        {"share": 0},
        {"share": 1.5},
        {"pass_mark": -1},
        {"pass_mark": 10_000},
        {"veto_codes": ["NOPE"]},
        {"name": "  "},
        {"level": 3},
        {"scorer": "self"},
    ],
)
def test_bad_input_changes_nothing(tree, bad):
    pilot_world(tree)
    experts(tree)
    published_version(tree.county)
    before = (MidtermRound.objects.count(), Sheet.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError):
        create(tree, **bad)
    after = (MidtermRound.objects.count(), Sheet.objects.count(), AuditEvent.objects.count())
    assert before == after


def test_another_county_cannot_create(tree, outsider):
    with pytest.raises(PermissionDenied):
        create(tree, by=outsider)
    assert not MidtermRound.objects.exists()


def test_office_scorer_gets_a_review_grant(tree):
    midterm = create(tree, scorer="office")
    assert list(midterm.campaign.reviewers.values_list("username", flat=True)) == ["tw-office"]


def test_gap_reports_follow_the_expert_scores(tree):
    midterm = scored_round(tree)
    w = pilot_world(tree)
    rows = {r.unit.pk: r for r in selectors.school_gaps(midterm)}
    standard = midterm.campaign.version.as_standard()
    first = standard.dimensions[0].indicators[0]
    gap_a = rows[w.pilots[0].pk].report.gaps
    assert [g.code for g in gap_a] == [first.code]
    assert gap_a[0].score == 0 and gap_a[0].gap == pytest.approx(gap_a[0].threshold)
    assert rows[w.pilots[1].pk].report.gaps == ()
    assert rows[w.pilots[1].pk].report.passed
    half = rows[w.pilots[2].pk].report
    assert len(half.gaps) == len(half.indicators)
    for g in half.gaps:
        assert g.gap == pytest.approx(0.1 * g.max_score)


def test_threshold_at_exactly_the_score_is_no_gap(tree):
    # Half marks against a 50% line: every indicator exactly at its threshold.
    midterm = scored_round(tree, share=0.5, name="五成线")
    w = pilot_world(tree)
    rows = {r.unit.pk: r for r in selectors.school_gaps(midterm)}
    assert rows[w.pilots[2].pk].report.gaps == ()


def test_expert_scores_wait_for_release(tree):
    midterm = scored_round(tree, release=False, name="未公布")
    assert all(r.report is None for r in selectors.school_gaps(midterm))
    w = pilot_world(tree)
    with pytest.raises(ValidationError):
        services.gaps_to_items(by=w.office, midterm=midterm, due_on=timezone.localdate())


def test_office_scores_count_at_once(tree):
    midterm = scored_round(tree, release=False, scorer="office", name="项目办评分")
    assert all(r.report is not None for r in selectors.school_gaps(midterm))


def test_gaps_to_items_once_per_gap(tree, fake_issue):
    midterm = scored_round(tree)
    w = pilot_world(tree)
    due = timezone.localdate() + dt.timedelta(days=30)
    result = services.gaps_to_items(by=w.office, midterm=midterm, due_on=due)
    rows = selectors.school_gaps(midterm)
    expected = sum(len(r.report.gaps) for r in rows)
    assert result.created == expected == len(fake_issue.calls) == GapItem.objects.count()
    assert result.schools == 5  # every pilot but the one with full marks
    call = fake_issue.calls[0]
    assert call["due_on"] == due and call["programme"] == w.programme
    assert call["source"] == GapItem.objects.get(pk=call["source"].pk)
    assert call["title"].startswith("中期初评整改")
    assert call["severity"] in ("minor", "normal", "major")
    first = next(c for c in fake_issue.calls if c["unit"] == w.pilots[0])
    assert first["severity"] == "major"  # nothing of 60% reached
    # Pressing again issues nothing new.
    again = services.gaps_to_items(by=w.office, midterm=midterm, due_on=due)
    assert again.created == 0 and again.existing == expected
    assert len(fake_issue.calls) == expected == GapItem.objects.count()
    assert set(GapItem.objects.values_list("item_id", flat=True)) == set(range(1, expected + 1))


def test_gaps_to_items_for_chosen_schools(tree, fake_issue):
    midterm = scored_round(tree)
    w = pilot_world(tree)
    due = timezone.localdate() + dt.timedelta(days=30)
    result = services.gaps_to_items(
        by=w.office, midterm=midterm, due_on=due, unit_ids=[w.pilots[0].pk]
    )
    assert result.created == 1 and {c["unit"] for c in fake_issue.calls} == {w.pilots[0]}


@pytest.mark.parametrize("bad", ["past", "no_gap_school", "outsider_school"])
def test_gaps_to_items_bad_input_changes_nothing(tree, fake_issue, bad):
    midterm = scored_round(tree)
    w = pilot_world(tree)
    kwargs = {"due_on": timezone.localdate() + dt.timedelta(days=30)}
    if bad == "past":
        kwargs["due_on"] = timezone.localdate() - dt.timedelta(days=1)
    elif bad == "no_gap_school":
        kwargs["unit_ids"] = [w.pilots[0].pk, w.pilots[1].pk]
    else:
        kwargs["unit_ids"] = [tree.other_school.pk]
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.gaps_to_items(by=w.office, midterm=midterm, **kwargs)
    assert not fake_issue.calls and not GapItem.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_failing_issue_rolls_everything_back(tree, monkeypatch):
    from shidian.apps.inspections.services import rectification

    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise ValidationError("boom")
        return type("Item", (), {"pk": len(calls)})()

    monkeypatch.setattr(rectification, "rectification_issue", failing)
    midterm = scored_round(tree)
    w = pilot_world(tree)
    with pytest.raises(ValidationError):
        services.gaps_to_items(
            by=w.office, midterm=midterm, due_on=timezone.localdate() + dt.timedelta(days=9)
        )
    assert not GapItem.objects.exists()


def test_only_the_office_turns_gaps_into_items(tree, fake_issue):
    midterm = scored_round(tree)
    w = pilot_world(tree)
    school = w.coordinators[w.pilots[0].pk]
    expert = make_user("mt-x", tree.county, "expert")
    for user in (school, expert):
        with pytest.raises(PermissionDenied):
            services.gaps_to_items(by=user, midterm=midterm, due_on=timezone.localdate())
    assert not fake_issue.calls


def test_matrix_orders_indicators_by_summed_gap(tree):
    midterm = scored_round(tree)
    table = selectors.matrix(selectors.school_gaps(midterm))
    totals = [i["total"] for i in table["indicators"]]
    assert totals == sorted(totals, reverse=True)
    assert len(table["rows"]) == 6


def test_home_todos(tree, fake_issue):
    from shidian.apps.midterm.todos import midterm_todos, school_todos

    midterm = scored_round(tree)
    w = pilot_world(tree)
    now = timezone.now()
    assert [t.title for t in midterm_todos(w.office, now)] == [midterm.name]
    school = w.coordinators[w.pilots[0].pk]
    assert [t.title for t in school_todos(school, now)] == [midterm.name]
    assert midterm_todos(school, now) == []
    services.gaps_to_items(by=w.office, midterm=midterm, due_on=timezone.localdate())
    assert midterm_todos(w.office, now) == []
