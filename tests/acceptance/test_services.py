"""Acceptance writes: opening a round, the report kind, expert scores, the proposals and the
leading group's confirmation (states move, rectification items, all or nothing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shidian.apps.acceptance import selectors, services
from shidian.apps.acceptance.models import AcceptanceRound, Status, Verdict
from shidian.apps.core.models import AuditEvent
from shidian.apps.inspections.models import RectificationItem
from shidian.apps.programmes.models import Participation
from shidian.apps.reviews.models import Review
from shidian.apps.submissions.models import Submission
from tests.acceptance.factories import (
    create,
    experts,
    file_report,
    leader,
    score,
    scored_round,
    submission_of,
)
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def _rows(acceptance):
    return {r.unit.code: r for r in selectors.pilot_rows(acceptance)}


def _states(w):
    rows = Participation.objects.filter(programme=w.programme, unit__in=w.pilots)
    return {p.unit.code: p.state for p in rows.select_related("unit")}


def test_create_opens_one_submission_per_pilot_with_the_panel(tree):
    w = pilot_world(tree)
    acceptance = create(tree)
    subs = Submission.objects.filter(round=acceptance.round)
    assert sorted(s.unit.code for s in subs) == sorted(u.code for u in w.pilots)
    assert set(acceptance.round.reviewers.all()) == set(experts(tree))
    # The standard's two veto items are taken when the office names none.
    assert [v["code"] for v in acceptance.veto_items] == ["D6.2.1", "D6.2.2"]
    assert acceptance.round.kind == "acceptance_report"
    assert AuditEvent.objects.filter(action="acceptance.create").count() == 1


def test_create_refuses_bad_input_and_writes_nothing(tree):
    w = pilot_world(tree)
    before = Submission.objects.count()
    cases = [
        {"pass_threshold": 200},
        {"conditional_threshold": 90},
        {"experts": []},
        {"experts": [w.office]},
        {"documents": ["甲", "甲"]},
        {"deadline": timezone.now() - dt.timedelta(days=1)},
        {"name": "  "},
        {"cycle": w.programme.cycles.get(number=2)},  # no pilots yet
    ]
    for extra in cases:
        with pytest.raises(ValidationError):
            create(tree, **extra)
    assert AcceptanceRound.objects.count() == 0 and Submission.objects.count() == before
    with pytest.raises(PermissionDenied):
        create(tree, by=w.coordinators[w.pilots[0].pk])


def test_report_needs_summary_file_and_every_document(tree):
    w = pilot_world(tree)
    acceptance = create(tree)
    unit = w.pilots[0]
    user = w.coordinators[unit.pk]
    sub = submission_of(acceptance, unit)
    services.report_save(
        submission=sub, user=user, answers={"summary": "总结"}, base_version=sub.version
    )
    sub.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.report_submit(submission=sub, user=user)
    text = " ".join(exc.value.messages)
    assert "总结报告文件" in text and "会议记录" in text
    # Marking missing needs a note.
    with pytest.raises(ValidationError):
        services.report_save(
            submission=sub, user=user, base_version=sub.version,
            answers={"summary": "总结", "doc1": {"missing": True, "note": ""}},
        )  # fmt: skip
    sub = file_report(acceptance, w, unit, missing=["会议记录"])
    assert sub.status == "submitted"
    assert sub.answers["doc2"] == {"missing": True, "note": "原件遗失，正在补办"}
    # Another school cannot write it.
    with pytest.raises(PermissionDenied):
        services.report_save(
            submission=sub, user=w.coordinators[w.pilots[1].pk], answers={}, base_version=0
        )


def test_scores_are_checked_and_bad_input_changes_nothing(tree):
    w = pilot_world(tree)
    acceptance = create(tree)
    sub = submission_of(acceptance, w.pilots[0])
    expert = experts(tree)[0]
    with pytest.raises(ValidationError):
        services.score_put(by=expert, submission=sub, scores={"D1.1.1": "99"}, vetoes={})
    with pytest.raises(ValidationError):
        services.score_put(
            by=expert, submission=sub, scores={"D1.1.1": "abc"}, vetoes={"D6.2.1": "也许"}
        )
    assert not Review.objects.filter(submission=sub).exists()
    with pytest.raises(PermissionDenied):
        score(acceptance, sub, w.office, 1.0)
    review = score(acceptance, sub, expert, 1.0)
    assert review.total == pytest.approx(106) and not review.vetoed


def test_proposals_threshold_veto_missing_archive_spread(tree):
    acceptance = scored_round(tree)
    rows = _rows(acceptance)
    assert rows["A1-1"].proposed == "pass" and not rows["A1-1"].proposal.reasons
    assert rows["A1-2"].proposed == "conditional"
    assert [r.code for r in rows["A1-2"].proposal.reasons] == ["below_pass"]
    assert rows["A1-3"].proposed == "fail"
    assert [r.code for r in rows["A1-3"].proposal.reasons] == ["below_conditional"]
    assert rows["A1-4"].proposed == "conditional" and rows["A1-4"].missing == ["会议记录"]
    assert rows["A1-5"].proposed == "fail" and rows["A1-5"].proposal.vetoes == ("D6.2.1",)
    six = rows["A1-6"]
    assert six.proposed == "conditional" and six.proposal.flagged
    assert six.proposal.mean == pytest.approx(101) and six.proposal.spread == pytest.approx(10)
    assert "report_missing" in [r.code for r in six.proposal.reasons]
    texts = selectors.reasons_of(acceptance, rows["A1-5"].proposal)
    assert texts == ["触及否决项：本年度发生重大网络安全事件或数据泄露"]


def _proposed(acceptance):
    return {r.unit.pk: (r.proposed, "") for r in selectors.pilot_rows(acceptance)}


def test_confirmation_moves_states_creates_items_and_closes(tree):
    w = pilot_world(tree)
    acceptance = scored_round(tree)
    decisions = _proposed(acceptance)
    # The leading group lifts A1-3 to a conditional pass, with a reason.
    a13 = w.pilots[2]
    decisions[a13.pk] = ("conditional", "疫情影响，给予整改机会")
    due = timezone.localdate() + dt.timedelta(days=60)
    verdicts = services.acceptance_confirm(
        by=leader(tree), acceptance=acceptance, decisions=decisions, due_on=due
    )
    assert len(verdicts) == 6
    assert _states(w) == {
        "A1-1": "accepted", "A1-2": "conditional", "A1-3": "conditional",
        "A1-4": "conditional", "A1-5": "not_accepted", "A1-6": "conditional",
    }  # fmt: skip
    items = RectificationItem.objects.filter(source_type="acceptance.verdict")
    by_unit = {}
    for item in items.select_related("unit"):
        by_unit.setdefault(item.unit.code, []).append(item.title)
        assert item.due_on == due and item.programme_id == w.programme.pk
    assert by_unit["A1-4"] == ["验收整改：补齐档案“会议记录”"]
    assert by_unit["A1-2"] == ["验收整改：总分未达通过分数线"]
    assert "验收整改：提交总结报告" in by_unit["A1-6"]
    assert "A1-1" not in by_unit and "A1-5" not in by_unit
    v13 = Verdict.objects.get(acceptance=acceptance, unit=a13)
    assert v13.proposed == "fail" and v13.outcome == "conditional"
    assert v13.override_reason == "疫情影响，给予整改机会"
    acceptance.refresh_from_db()
    assert acceptance.status == Status.CONFIRMED
    assert acceptance.round.reviews_released_at is not None
    assert AuditEvent.objects.filter(action="acceptance.confirm").count() == 1
    # Confirmed: no second confirmation, no more scores.
    with pytest.raises(ValidationError):
        services.acceptance_confirm(
            by=leader(tree), acceptance=acceptance, decisions=decisions, due_on=due
        )
    with pytest.raises(ValidationError):
        score(acceptance, submission_of(acceptance, w.pilots[0]), experts(tree)[0], 1.0)


def test_confirmation_refuses_and_changes_nothing(tree):
    w = pilot_world(tree)
    acceptance = scored_round(tree)
    before = _states(w)
    decisions = _proposed(acceptance)
    bad = [
        # A change without a reason.
        {**decisions, w.pilots[0].pk: ("fail", "")},
        # An unknown outcome.
        {**decisions, w.pilots[0].pk: ("maybe", "x")},
    ]
    for d in bad:
        with pytest.raises(ValidationError):
            services.acceptance_confirm(
                by=leader(tree), acceptance=acceptance, decisions=d,
                due_on=timezone.localdate() + dt.timedelta(days=30),
            )  # fmt: skip
    # Conditional passes need a due date not in the past.
    with pytest.raises(ValidationError):
        services.acceptance_confirm(
            by=leader(tree), acceptance=acceptance, decisions=decisions,
            due_on=timezone.localdate() - dt.timedelta(days=1),
        )  # fmt: skip
    # A pilot that was withdrawn meanwhile refuses the whole confirmation.
    Participation.objects.filter(programme=w.programme, unit=w.pilots[0]).update(state="withdrawn")
    with pytest.raises(ValidationError) as exc:
        services.acceptance_confirm(
            by=leader(tree), acceptance=acceptance, decisions=decisions,
            due_on=timezone.localdate() + dt.timedelta(days=30),
        )  # fmt: skip
    assert w.pilots[0].name in " ".join(exc.value.messages)
    Participation.objects.filter(programme=w.programme, unit=w.pilots[0]).update(state="pilot")
    assert _states(w) == before
    assert not Verdict.objects.exists() and not RectificationItem.objects.exists()
    acceptance.refresh_from_db()
    assert acceptance.status == Status.OPEN
    # The office manages but does not approve; an expert neither.
    with pytest.raises(PermissionDenied):
        services.acceptance_confirm(
            by=experts(tree)[0], acceptance=acceptance, decisions=decisions, due_on=None
        )
