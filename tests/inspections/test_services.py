"""Services of inspections: visits, findings, items and their rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shidian.apps.inspections.models import (
    Finding,
    InspectionVisit,
    RectificationEvent,
    RectificationItem,
)
from shidian.apps.inspections.services import rectification as r
from shidian.apps.inspections.services import visits as v
from tests.conftest import make_user
from tests.inspections.factories import DUE, world
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def png(name="p.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def test_contract_issue_links_back_audits_and_notifies(tree):
    from shidian.apps.core.models import AuditEvent
    from shidian.apps.notifications.models import Notification

    pw = pilot_world(tree)
    source = pw.programme
    item = r.rectification_issue(
        by=pw.office,
        unit=tree.school,
        title="补齐教师培训记录",
        due_on=DUE,
        programme=pw.programme,
        source=source,
        evidence_required="培训签到表",
    )
    assert item.status == "issued"
    assert (item.source_type, item.source_id) == ("programmes.programme", source.pk)
    assert item.issuer_unit == tree.county
    assert AuditEvent.objects.filter(action="inspections.item_issue").count() == 1
    coord = pw.coordinators[tree.school.pk]
    assert Notification.objects.filter(user=coord).exists()


def test_issue_bad_input_changes_nothing(tree):
    pw = pilot_world(tree)
    with pytest.raises(ValidationError) as err:
        r.rectification_issue(
            by=pw.office,
            unit=tree.other_school,
            title="",
            due_on="tomorrow",
            severity="huge",
            programme=pw.programme,
        )
    assert len(err.value.messages) == 4
    assert not RectificationItem.objects.exists()


def test_issue_needs_manage(tree):
    pw = pilot_world(tree)
    with pytest.raises(PermissionDenied):
        r.rectification_issue(
            by=pw.coordinators[tree.school.pk],
            unit=tree.school,
            title="x",
            due_on=DUE,
            programme=pw.programme,
        )
    # Without a programme the check is MANAGE on the unit: the county office may.
    item = r.rectification_issue(by=pw.office, unit=tree.school, title="x", due_on=DUE)
    assert item.issuer_unit == tree.county


def test_multi_school_finding_closes_per_school(tree):
    w = world(tree)
    first, second = w.items
    assert [i.unit for i in w.items] == [tree.school, tree.school2]
    coord = w.pw.coordinators[tree.school.pk]
    r.item_answer(by=coord, item=first, text="已更换交换机", files=[png()])
    r.item_verify_close(by=w.pw.office, item=first)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "closed" and first.closed_at
    assert second.status == "issued"
    assert list(first.events.values_list("to_status", flat=True)) == [
        "issued",
        "answered",
        "closed",
    ]


def test_answer_only_by_the_school_itself(tree):
    w = world(tree)
    other = w.pw.coordinators[tree.school2.pk]
    with pytest.raises(PermissionDenied):
        r.item_answer(by=other, item=w.items[0], text="x", files=[png()])
    with pytest.raises(PermissionDenied):
        r.item_answer(by=w.pw.office, item=w.items[0], text="x", files=[png()])


def test_answer_needs_evidence_and_good_files(tree):
    w = world(tree)
    coord = w.pw.coordinators[tree.school.pk]
    item = w.items[0]
    with pytest.raises(ValidationError):
        r.item_answer(by=coord, item=item, text="已整改", files=[])
    fake = SimpleUploadedFile("p.png", b"MZ not an image", content_type="image/png")
    with pytest.raises(ValidationError):
        r.item_answer(by=coord, item=item, text="已整改", files=[png(), fake])
    item.refresh_from_db()
    assert item.status == "issued" and not item.answers.exists()
    assert RectificationEvent.objects.filter(item=item).count() == 1


def test_reopen_needs_reason_and_closed_is_final(tree):
    w = world(tree)
    coord = w.pw.coordinators[tree.school.pk]
    item = w.items[0]
    r.item_answer(by=coord, item=item, text="已整改", files=[png()])
    with pytest.raises(ValidationError):
        r.item_reopen(by=w.pw.office, item=item, reason="  ")
    item.refresh_from_db()
    assert item.status == "answered"
    r.item_reopen(by=w.pw.office, item=item, reason="照片看不出整改效果")
    item.refresh_from_db()
    assert item.status == "reopened"
    assert item.events.last().reason == "照片看不出整改效果"
    r.item_answer(by=coord, item=item, text="补拍照片", files=[png()])
    r.item_verify_close(by=w.pw.office, item=item)
    with pytest.raises(ValidationError):
        r.item_reopen(by=w.pw.office, item=item, reason="再看看")
    with pytest.raises(ValidationError):
        r.item_answer(by=coord, item=item, text="again", files=[png()])
    with pytest.raises(PermissionDenied):
        r.item_verify_close(by=coord, item=item)


def test_escalation_is_by_days_overdue_and_idempotent(tree):
    from shidian.apps.notifications.models import Notification

    w = world(tree)
    late = DUE + dt.timedelta(days=8)
    assert r.items_escalate_overdue(today=late) == 2
    notes = Notification.objects.count()
    assert r.items_escalate_overdue(today=late) == 0
    assert Notification.objects.count() == notes
    levels = set(RectificationItem.objects.values_list("escalation_level", flat=True))
    assert levels == {2}
    assert r.items_escalate_overdue(today=DUE) == 0  # not yet overdue on the due date
    # An answered item is not overdue: the school has done its part.
    coord = w.pw.coordinators[tree.school.pk]
    r.item_answer(by=coord, item=w.items[0], text="已整改", files=[png()])
    assert r.items_escalate_overdue(today=DUE + dt.timedelta(days=40)) == 1


def test_finding_to_items_once_and_all_or_nothing(tree):
    w = world(tree)
    with pytest.raises(ValidationError):
        v.finding_to_items(by=w.pw.office, finding=w.finding, due_on=DUE)
    f = v.finding_add(by=w.pw.office, visit=w.visit, text="台账不全", units=[tree.school])
    with pytest.raises(ValidationError):
        v.finding_to_items(by=w.pw.office, finding=f, due_on="soon")
    assert not f.items.exists()
    other = v.finding_add(
        by=w.pw.office, visit=w.visit, text="仅提醒", units=[tree.school], needs_action=False
    )
    with pytest.raises(ValidationError):
        v.finding_to_items(by=w.pw.office, finding=other, due_on=DUE)


def test_inspector_records_findings_others_may_not(tree):
    w = world(tree)
    found = v.finding_add(
        by=w.inspector, visit=w.visit, text="创客教室未开课", units=[tree.school2], photos=[png()]
    )
    assert found.photos.count() == 1
    stranger = make_user("expert-x", tree.county, "expert")
    with pytest.raises(PermissionDenied):
        v.finding_add(by=stranger, visit=w.visit, text="x", units=[tree.school])
    with pytest.raises(PermissionDenied):
        v.finding_to_items(by=w.inspector, finding=found, due_on=DUE)


def test_finding_bad_input_changes_nothing(tree):
    w = world(tree)
    before = Finding.objects.count()
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    with pytest.raises(ValidationError):
        v.finding_add(by=w.pw.office, visit=w.visit, text="x", units=[tree.school], photos=[pdf])
    with pytest.raises(ValidationError):
        v.finding_add(by=w.pw.office, visit=w.visit, text="x", units=[w.pw.pilots[3]])
    with pytest.raises(ValidationError):
        v.finding_add(by=w.pw.office, visit=w.visit, text="", units=[], severity="x")
    assert Finding.objects.count() == before


def test_visit_moves(tree):
    w = world(tree)
    v.visit_start(by=w.pw.office, visit=w.visit)
    with pytest.raises(ValidationError):
        v.visit_start(by=w.pw.office, visit=w.visit)
    v.visit_complete(by=w.pw.office, visit=w.visit)
    with pytest.raises(ValidationError):
        v.visit_cancel(by=w.pw.office, visit=w.visit)
    with pytest.raises(ValidationError):
        v.finding_add(by=w.pw.office, visit=w.visit, text="late", units=[tree.school])
    with pytest.raises(PermissionDenied):
        v.visit_cancel(by=w.inspector, visit=w.visit)


def _create(pw, **kw):
    return v.visit_create(
        by=pw.office,
        programme=pw.programme,
        title="抽查",
        scheduled_on=dt.date(2026, 11, 1),
        **kw,
    )


def test_random_draw_reproducible_and_seed_recorded(tree):
    pw = pilot_world(tree)
    a = _create(pw, method="random", size=3, strata=["locality"], seed=42)
    b = _create(pw, method="random", size=3, strata=["locality"], seed=42)
    units = lambda visit: sorted(visit.visit_units.values_list("unit_id", flat=True))  # noqa: E731
    assert units(a) == units(b) and len(units(a)) == 3
    assert a.params["seed"] == 42
    assert sum(row["drawn"] for row in a.params["allocation"]) == 3
    auto = _create(pw, method="random", size=2, strata=[])
    assert isinstance(auto.params["seed"], int)
    assert set(units(a)) <= {u.pk for u in pw.pilots}


def test_random_draw_too_large_is_refused(tree):
    pw = pilot_world(tree)
    with pytest.raises(ValidationError) as err:
        _create(pw, method="random", size=99, strata=["zone"])
    assert "99" in err.value.messages[0] and "6" in err.value.messages[0]
    assert not InspectionVisit.objects.exists()


def test_performance_uses_the_bottom_of_the_league(tree, monkeypatch):
    pw = pilot_world(tree)
    calls = []

    def fake(programme, *, month, count, cycle_number=None):
        calls.append((month, count, cycle_number))
        return [pw.pilots[4].pk, pw.pilots[2].pk]

    monkeypatch.setattr("shidian.apps.supervision.selectors.bottom_units", fake)
    visit = _create(pw, method="performance", month="2026-10", count=2)
    assert calls == [("2026-10", 2, None)]
    assert set(visit.visit_units.values_list("unit_id", flat=True)) == {
        pw.pilots[4].pk,
        pw.pilots[2].pk,
    }
    with pytest.raises(ValidationError):
        _create(pw, method="performance", month="2026/10", count=2)
    monkeypatch.setattr("shidian.apps.supervision.selectors.bottom_units", lambda *a, **k: [])
    with pytest.raises(ValidationError):
        _create(pw, method="performance", month="2026-11", count=2)


def test_direct_units_must_be_pilots(tree):
    pw = pilot_world(tree)
    with pytest.raises(ValidationError):
        _create(pw, method="direct", units=[pw.controls[0]])
    with pytest.raises(ValidationError):
        _create(pw, method="direct", units=[])
    with pytest.raises(PermissionDenied):
        v.visit_create(
            by=pw.coordinators[tree.school.pk],
            programme=pw.programme,
            title="x",
            scheduled_on=dt.date(2026, 11, 1),
            method="direct",
            units=[tree.school],
        )


def test_notice_lists_the_units_open_items(tree):
    from shidian.apps.inspections.services.notice import rectification_notice_generate

    w = world(tree)
    document = rectification_notice_generate(by=w.pw.office, unit=tree.school, visit=w.visit)
    assert document.subject_unit == tree.school
    assert "限期整改" in document.title
    rows = document.inputs["attachments"][0]["body"][0]["table"]["rows"]
    assert any("2026-12-31" in cell for row in rows for cell in row)
    with pytest.raises(PermissionDenied):
        rectification_notice_generate(by=w.pw.coordinators[tree.school.pk], unit=tree.school)
