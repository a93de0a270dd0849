"""Definition services: forms, fields, rules, periods, publish; bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shidian.apps.core.models import AuditEvent
from shidian.apps.reports.models import ReportField, ReportForm, ReportPeriod, ReportRule
from shidian.apps.reports.services import definitions as s
from shidian.apps.reports.services.definitions import FieldInput
from tests.reports.scoping import county_calendar, monthly_form
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        ReportForm.objects.count(),  # scoping: ok test
        ReportField.objects.count(),  # scoping: ok test
        ReportRule.objects.count(),  # scoping: ok test
        ReportPeriod.objects.count(),  # scoping: ok test
        AuditEvent.objects.count(),  # scoping: ok test
    )


def test_create_needs_manage_and_sane_input(tree, coordinator):
    world = pilot_world(tree)
    args = dict(
        programme=world.programme,
        name="周报",
        period_type="weekly",
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 6, 28),
    )
    with pytest.raises(PermissionDenied):
        s.form_create(by=coordinator, **args)
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        s.form_create(
            by=world.office,
            **(args | {"ends_on": dt.date(2030, 1, 1), "name": " "}),
            due_days=99,
            batch_numbers=[7],
        )
    text = " ".join(exc.value.messages)
    assert "项目年份" in text and "报表名称" in text and "截止天数" in text and "7" in text
    assert _snapshot() == before
    form = s.form_create(by=world.office, **args)
    assert form.status == "draft"
    assert AuditEvent.objects.filter(action="reports.form_create").exists()  # scoping: ok test


def test_semester_needs_terms(tree):
    world = pilot_world(tree)
    with pytest.raises(ValidationError, match="学期"):
        s.form_create(
            by=world.office,
            programme=world.programme,
            name="学期报",
            period_type="semester",
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2027, 8, 31),
        )


def test_field_validation(tree):
    world = pilot_world(tree)
    form = monthly_form(tree)
    before = _snapshot()
    bad = [
        FieldInput("classrooms", "重复", "number"),
        FieldInput("bad code!", "x", "number"),
        FieldInput("platform", "平台", "choice", choices=["只有一个"]),
        FieldInput("share", "占比", "percent", minimum=50, maximum=10),
    ]
    for data in bad:
        with pytest.raises(ValidationError):
            s.field_add(by=world.office, form=form, data=data)
    assert _snapshot() == before
    field = s.field_add(
        by=world.office,
        form=form,
        data=FieldInput("platform", "平台", "choice", choices=["A", "B"]),
    )
    assert field.order == 3 and field.choices == ["A", "B"]


def test_rule_validation_messages(tree):
    world = pilot_world(tree)
    form = monthly_form(tree)
    s.field_add(by=world.office, form=form, data=FieldInput("summary", "小结", "text"))
    before = _snapshot()
    cases = {
        ("nosuch", "le", "classrooms"): "nosuch",
        ("summary", "le", "classrooms"): "小结",
        ("classrooms", "le", "classrooms"): "自己",
        ("1", "le", "2"): "至少",
    }
    for (left, op, right), needle in cases.items():
        with pytest.raises(ValidationError) as exc:
            s.rule_add(by=world.office, form=form, left=left, operator=op, right=right)
        assert needle in " ".join(exc.value.messages)
    assert _snapshot() == before
    rule = s.rule_add(by=world.office, form=form, left="connected", operator="ge", right="0")
    assert str(rule) == "connected ≥ 0"


def test_field_in_rule_cannot_be_removed(tree):
    world = pilot_world(tree)
    form = monthly_form(tree)
    field = form.fields.get(code="connected")
    with pytest.raises(ValidationError, match="规则"):
        s.field_remove(by=world.office, field=field)
    s.rule_remove(by=world.office, rule=form.rules.get())
    s.field_remove(by=world.office, field=field)
    assert list(form.fields.values_list("code", flat=True)) == ["classrooms"]


def test_move_and_reorder(tree):
    world = pilot_world(tree)
    form = monthly_form(tree)
    second = form.fields.get(code="connected")
    s.field_move(by=world.office, field=second, direction="up")
    assert list(form.fields.values_list("code", flat=True)) == ["connected", "classrooms"]
    s.field_reorder(by=world.office, form=form, codes=["classrooms", "connected"])
    assert list(form.fields.values_list("code", flat=True)) == ["classrooms", "connected"]
    with pytest.raises(ValidationError):
        s.field_reorder(by=world.office, form=form, codes=["classrooms"])


def test_periods_materialize_idempotent_and_vacation(tree):
    world = pilot_world(tree)
    form = monthly_form(tree)
    first = s.periods_materialize(by=world.office, form=form)
    assert first.created == 12
    again = s.periods_materialize(by=world.office, form=form)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    august = form.periods.get(key="2027-08")
    assert august.expected is False and august.not_expected_reason == "vacation"
    assert august.label == "2027年8月"
    assert form.periods.get(key="2027-02").expected is True
    # A draft regenerates freely: shrink the range, the extra periods go.
    s.form_update(by=world.office, form=form, ends_on=dt.date(2027, 6, 30))
    done = s.periods_materialize(by=world.office, form=form)
    assert done.deleted == 2 and form.periods.count() == 10


def test_publish_rules(tree):
    world = pilot_world(tree)
    form = monthly_form(tree)
    with pytest.raises(ValidationError, match="报送期"):
        s.form_publish(by=world.office, form=form)
    form.refresh_from_db()
    assert form.status == "draft"
    s.periods_materialize(by=world.office, form=form)
    s.form_publish(by=world.office, form=form)
    form.refresh_from_db()
    assert form.status == "published"


def test_published_form_is_frozen_but_can_grow(tree):
    world = pilot_world(tree)
    form = monthly_form(tree)
    s.form_update(by=world.office, form=form, ends_on=dt.date(2027, 6, 30))
    s.periods_materialize(by=world.office, form=form)
    s.form_publish(by=world.office, form=form)
    field = form.fields.get(code="classrooms")
    with pytest.raises(ValidationError, match="必填"):
        s.field_add(by=world.office, form=form, data=FieldInput("extra", "新增", "number"))
    s.field_add(
        by=world.office, form=form, data=FieldInput("extra", "新增", "number", required=False)
    )
    with pytest.raises(ValidationError, match="只能修改名称"):
        s.field_update(
            by=world.office, field=field, data=FieldInput("classrooms", "教室", "percent")
        )
    s.field_update(
        by=world.office, field=field, data=FieldInput("classrooms", "教室总数", "number", minimum=0)
    )
    field.refresh_from_db()
    assert field.label == "教室总数" and field.type == "number"
    with pytest.raises(ValidationError, match="不能删除"):
        s.field_remove(by=world.office, field=form.fields.get(code="extra"))
    with pytest.raises(ValidationError, match="报送周期"):
        s.form_update(by=world.office, form=form, period_type="weekly")
    with pytest.raises(ValidationError, match="延后"):
        s.form_update(by=world.office, form=form, ends_on=dt.date(2027, 5, 31))
    # Extending the end date adds periods; a period with a round is kept as it is.
    s.form_update(by=world.office, form=form, ends_on=dt.date(2027, 8, 31))
    done = s.periods_materialize(by=world.office, form=form)
    assert done.created == 2 and done.deleted == 0
    s.form_close(by=world.office, form=form)
    with pytest.raises(ValidationError, match="停用"):
        s.field_add(
            by=world.office, form=form, data=FieldInput("x2", "x", "number", required=False)
        )


def test_period_with_round_is_never_touched(tree):
    from django.utils import timezone

    from shidian.apps.submissions.models import Round

    world = pilot_world(tree)
    form = monthly_form(tree)
    s.periods_materialize(by=world.office, form=form)
    period = form.periods.get(key="2026-09")
    period.round = Round.objects.create(
        kind="periodic_report",
        unit=tree.county,
        name="2026-09",
        opens_on=period.starts_on,
        deadline=timezone.now(),
    )
    period.save()
    s.form_update(by=world.office, form=form, due_days=5, ends_on=dt.date(2026, 10, 15))
    done = s.periods_materialize(by=world.office, form=form)
    assert done.kept == 1 and done.updated == 1 and done.deleted > 0
    period.refresh_from_db()
    assert period.due_on == dt.date(2026, 10, 3)
    assert form.periods.get(key="2026-10").due_on == dt.date(2026, 10, 20)


def test_labels_in_english(tree):
    from django.utils import translation

    from shidian.apps.reports.periods import period_label

    with translation.override("en"):
        assert period_label("2026-W09")  # the English text comes from the catalog
    assert period_label("2026-W09") == "2026年第9周"
    assert period_label("2026-Q1") == "2026年第1季度"
    assert period_label("2026-S2") == "2026—2027学年第2学期"
    assert county_calendar(tree).terms.count() == 2
