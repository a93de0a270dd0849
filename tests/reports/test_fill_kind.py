"""The periodic report kind: who is expected, how answers are stored (zero is not n/a), the
values copied on submit and resubmit, prefill, late never lost, autosave conflicts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shidian.apps.reports import rules
from shidian.apps.reports.expected import expected_units
from shidian.apps.reports.kind import NA
from shidian.apps.reports.models import ReportValue
from shidian.apps.reports.rules import RuleFailure
from shidian.apps.reports.services.filing import period_open, periods_open_due
from shidian.apps.submissions import services
from shidian.apps.submissions.models import Revision, Submission
from tests.reports.scoping_filing import make_form, report_world

pytestmark = [pytest.mark.django_db]

GOOD = {"rooms": "12", "connected": "10", "share": "0", "trained": "1", "level": "顺利"}


def fake_rules(rule_rows, values, *, labels):
    """connected <= rooms, as the report-definition helper's check_rules will say it."""
    out = []
    for rule in rule_rows:
        left, right = values.get(rule.left), values.get(rule.right)
        if isinstance(left, float) and isinstance(right, float) and left > right:
            out.append(
                RuleFailure(
                    (rule.left, rule.right), f"{labels[rule.left]}应不超过{labels[rule.right]}"
                )
            )
    return out


@pytest.fixture(autouse=True)
def _rules(monkeypatch):
    monkeypatch.setattr(rules, "check_rules", fake_rules)


def sub_of(world, key, unit):
    return Submission.objects.get(round=world.periods[key].round, unit=unit)  # scoping: ok test


def fill(sub, user, answers):
    sub = services.submission_save(
        submission=sub, user=user, answers=answers, base_version=sub.version
    )
    return services.submission_submit(submission=sub, user=user)


def test_expected_follows_the_dates_of_participation(tree):
    w = report_world(tree)
    pilots, late = w.pilots.pilots, w.pilots.late_joiner
    feb = expected_units(w.form, w.periods["2026-02"])
    assert feb == set()  # everybody joined on 1 March
    march = expected_units(w.form, w.periods["2026-03"])
    assert march == {p.pk for p in pilots if p != late}  # controls are not in a pilots form
    assert late.pk in expected_units(w.form, w.periods["2026-09"])  # joined in September
    assert expected_units(w.form, w.periods["2026-08"]) == set()  # the vacation month
    # Opened periods hold exactly the expected units: no submission before joining.
    assert not Submission.objects.filter(round=w.periods["2026-03"].round, unit=late).exists()
    assert w.periods["2026-02"].round is not None
    assert w.periods["2026-08"].round is None


def test_controls_only_in_a_pilots_and_controls_form(tree):
    w = report_world(tree)
    both = make_form(w.pilots.programme, name="对照表", audience="pilots_controls")
    period = both.periods.get(key="2026-04")
    owed = expected_units(both, period)
    assert {c.pk for c in w.pilots.controls} <= owed
    both.batch_numbers = [2]
    both.save()
    assert expected_units(both, period) == {c.pk for c in w.pilots.controls}


def test_period_open_is_idempotent_and_the_deadline_is_the_end_of_the_grace_day(tree):
    w = report_world(tree)
    period = w.periods["2026-04"]
    count = Submission.objects.filter(round=period.round).count()
    assert count == 5 and period_open(period=period) == 0
    assert periods_open_due(w.form, dt.date(2026, 6, 15)) == 0
    deadline = timezone.localtime(period.round.deadline)
    assert deadline.date() == period.closes_on and deadline.hour == 23
    assert period.round.accept_late and period.round.opens_on == period.starts_on


def test_zero_and_not_applicable_are_stored_apart(tree):
    w = report_world(tree)
    coord = w.pilots.coordinators[tree.school.pk]
    sub = fill(sub_of(w, "2026-04", tree.school), coord, {**GOOD, "share": "0"})
    assert sub.answers["share"] == 0 and sub.answers["share"] is not NA
    other = fill(
        sub_of(w, "2026-04", tree.school2),
        w.pilots.coordinators[tree.school2.pk],
        {**GOOD, "share": "na"},
    )
    assert other.answers["share"] == NA
    zero = ReportValue.objects.get(submission=sub, field__code="share")
    na = ReportValue.objects.get(submission=other, field__code="share")
    assert (zero.number, zero.na) == (0.0, False)
    assert (na.number, na.na) == (None, True)
    with pytest.raises(ValidationError, match="不适用"):  # rooms does not allow n/a
        services.submission_save_item(
            submission=sub_of(w, "2026-05", tree.school),
            user=coord,
            code="rooms",
            answer="na",
            base_version=0,
        )


@pytest.mark.parametrize(
    ("code", "raw", "stored"),
    [
        ("rooms", "1,200", 1200.0),
        ("share", "85%", 85.0),
        ("trained", "否", 0),
        ("level", "一般", "一般"),
        ("notes", " 做了 ", "做了"),
    ],
)
def test_clean_item_per_type(tree, code, raw, stored):
    w = report_world(tree)
    sub = sub_of(w, "2026-05", tree.school)
    coord = w.pilots.coordinators[tree.school.pk]
    sub = services.submission_save_item(
        submission=sub, user=coord, code=code, answer=raw, base_version=0
    )
    assert sub.answers[code] == stored


@pytest.mark.parametrize(
    ("code", "raw"),
    [("rooms", "-1"), ("share", "101"), ("trained", "也许"), ("level", "很好"), ("rooms", "abc")],
)
def test_bad_answers_change_nothing(tree, code, raw):
    w = report_world(tree)
    sub = sub_of(w, "2026-05", tree.school)
    with pytest.raises(ValidationError):
        services.submission_save_item(
            submission=sub,
            user=w.pilots.coordinators[tree.school.pk],
            code=code,
            answer=raw,
            base_version=0,
        )
    sub.refresh_from_db()
    assert sub.version == 0 and not Revision.objects.filter(submission=sub).exists()


def test_submit_names_required_fields_and_rule_failures(tree):
    w = report_world(tree)
    coord = w.pilots.coordinators[tree.school.pk]
    sub = sub_of(w, "2026-05", tree.school)
    sub = services.submission_save(
        submission=sub, user=coord, answers={"rooms": "5", "connected": "9"}, base_version=0
    )
    with pytest.raises(ValidationError) as err:
        services.submission_submit(submission=sub, user=coord)
    text = " ".join(err.value.messages)
    assert "本月开展培训" in text and "进展" in text and "联网教室数应不超过教室数" in text
    assert "多媒体覆盖率" not in text  # not required


def test_values_replaced_on_resubmit(tree, office_user):
    w = report_world(tree)
    coord = w.pilots.coordinators[tree.school.pk]
    sub = fill(sub_of(w, "2026-04", tree.school), coord, {**GOOD, "notes": "第一次"})
    assert ReportValue.objects.filter(submission=sub).count() == 6
    sub = services.submission_return(submission=sub, user=office_user, comments={"rooms": "请核对"})
    sub = services.submission_save(
        submission=sub, user=coord, answers={**GOOD, "rooms": "20"}, base_version=sub.version
    )
    sub = services.submission_submit(submission=sub, user=coord)
    values = {
        v.field.code: v
        for v in ReportValue.objects.filter(period=w.periods["2026-04"], unit=tree.school)
    }
    assert set(values) == {"rooms", "connected", "share", "trained", "level"}  # notes gone
    assert values["rooms"].number == 20.0 and values["trained"].number == 1.0
    assert values["level"].text == "顺利"


def test_late_after_the_grace_period_is_marked_late_never_lost(tree):
    from shidian.apps.reports.completeness import LATE, ON_TIME, period_table

    w = report_world(tree)
    period = w.periods["2026-04"]
    coord = w.pilots.coordinators[tree.school.pk]
    sub = fill(sub_of(w, "2026-04", tree.school), coord, GOOD)  # today is after 2026-05-07
    on_time = fill(sub_of(w, "2026-04", tree.school2), w.pilots.coordinators[tree.school2.pk], GOOD)
    in_time = timezone.make_aware(dt.datetime(2026, 5, 7, 23, 0))
    Revision.objects.filter(submission=on_time).update(created_at=in_time)
    Submission.objects.filter(pk=on_time.pk).update(submitted_at=in_time)
    late = timezone.make_aware(dt.datetime(2026, 5, 8, 0, 5))
    Revision.objects.filter(submission=sub).update(created_at=late)
    Submission.objects.filter(pk=sub.pk).update(submitted_at=late)
    table = period_table(period, today=dt.date(2026, 6, 1))
    status = {r.unit_id: r.status for r in table.rows}
    assert status[tree.school.pk] == LATE and status[tree.school2.pk] == ON_TIME
    assert sub.status == "submitted" and ReportValue.objects.filter(submission=sub).count() == 5


def test_prefill_from_the_last_submitted_period(tree):
    w = report_world(tree)
    coord = w.pilots.coordinators[tree.school.pk]
    fill(sub_of(w, "2026-05", tree.school), coord, {**GOOD, "rooms": "14"})
    july = w.periods["2026-07"]
    assert period_open(period=july) == 5
    new = sub_of(w, "2026-07", tree.school)
    assert new.answers == {"rooms": 14.0}  # only the field marked prefill
    assert sub_of(w, "2026-07", tree.school2).answers == {}


def test_autosave_conflict_only_on_the_same_field(tree):
    w = report_world(tree)
    coord = w.pilots.coordinators[tree.school.pk]
    sub = sub_of(w, "2026-05", tree.school)
    sub = services.submission_save_item(
        submission=sub, user=coord, code="rooms", answer="3", base_version=0
    )
    # a second tab, still at version 0, changes another field: both kept
    sub = services.submission_save_item(
        submission=sub, user=coord, code="connected", answer="2", base_version=0
    )
    assert sub.answers == {"rooms": 3.0, "connected": 2.0}
    with pytest.raises(services.SubmissionConflict):  # the same field changed meanwhile
        services.submission_save_item(
            submission=sub, user=coord, code="rooms", answer="4", base_version=0
        )


def test_a_saved_zero_is_an_answer_not_a_blank_for_conflicts(tree):
    w = report_world(tree)
    coord = w.pilots.coordinators[tree.school.pk]
    sub = sub_of(w, "2026-05", tree.school)
    sub = services.submission_save_item(
        submission=sub, user=coord, code="rooms", answer="0", base_version=0
    )
    sub = services.submission_save_item(
        submission=sub, user=coord, code="connected", answer="0", base_version=1
    )
    # A second tab opened after the zero was saved (it started from "0") saves another value:
    # no conflict, the zero it saw is the zero stored.
    sub = services.submission_save_item(
        submission=sub, user=coord, code="rooms", answer="5", base_version=1, expected="0"
    )
    assert sub.answers["rooms"] == 5.0
    # A tab that started from a blank while a zero was saved meanwhile does conflict.
    with pytest.raises(services.SubmissionConflict):
        services.submission_save_item(
            submission=sub, user=coord, code="connected", answer="7", base_version=1
        )
