"""Business events pushed to endpoints: a sheet submitted, a report gone late, a rectification
item overdue, a selection approved. Each reaches the county's endpoint once, signed, retried
after a 500; another county's endpoint and an endpoint of another category never get it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from shidian.apps.notifications import webhooks
from shidian.apps.notifications.models import DeliveryStatus, WebhookDelivery
from shidian.apps.notifications.services import webhooks as hooks
from tests.conftest import make_user
from tests.notifications.receiver import Receiver

pytestmark = pytest.mark.django_db


def submit_a_sheet(tree, office):
    from shidian.apps.campaigns import sheets
    from shidian.apps.campaigns.models import Evidence
    from tests.campaigns.factories import full_answers, sheet

    coordinator = make_user("ev-coord", tree.school, "coordinator")
    target = sheet(tree)
    standard = target.campaign.version.as_standard()
    target = sheets.sheet_save_all(
        sheet=target, user=coordinator, answers=full_answers(standard), base_version=0
    )
    for item in standard.items():
        if item.evidence_required:
            Evidence.objects.create(
                submission=target,
                item_code=item.code,
                file="x.pdf",
                original_name="x.pdf",
                kind="pdf",
                size=1,
            )
    done = sheets.sheet_submit(sheet=target, user=coordinator)

    def again():
        from shidian.apps.campaigns.events import sheet_submitted

        return sheet_submitted(done)

    return "campaigns.sheet_submitted", tree.school.code, done.pk, again


def let_a_report_go_late(tree, office):
    from shidian.apps.reports.lateness import reports_flag_late
    from shidian.apps.submissions.models import Submission
    from tests.reports.scoping_filing import report_world

    world = report_world(tree)
    period = world.periods["2026-05"]
    # Every pilot but tree.school reported May: only tree.school's report goes late.
    Submission.objects.filter(round=period.round).exclude(unit=tree.school).update(  # scoping: ok
        status="submitted", submitted_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    )
    late = Submission.objects.get(round=period.round, unit=tree.school)  # scoping: ok test
    today = period.closes_on + dt.timedelta(days=1)
    reports_flag_late(today=today)
    return "reports.late", tree.school.code, late.pk, lambda: reports_flag_late(today=today)


def let_an_item_go_overdue(tree, office):
    from shidian.apps.inspections.services.rectification import (
        items_escalate_overdue,
        rectification_issue,
    )

    due = dt.date(2026, 3, 1)
    item = rectification_issue(by=office, unit=tree.school, title="补齐录播教室设备", due_on=due)
    today = due + dt.timedelta(days=1)
    items_escalate_overdue(today=today)
    return (
        "inspections.item_overdue",
        tree.school.code,
        item.pk,
        lambda: items_escalate_overdue(today=today),
    )


def approve_a_selection(tree, office):
    from shidian.apps.selection.events import selection_approved
    from shidian.apps.selection.services.approval import selection_approve, selection_submit
    from tests.selection.test_approval_helpers import leader, ready

    w, _rows = ready(tree, office)
    selection_submit(by=office, selection=w.selection, note="请审批")
    version = selection_approve(by=leader(tree), selection=w.selection)
    return (
        "selection.approved",
        tree.county.code,
        w.selection.pk,
        lambda: selection_approved(w.selection, version),
    )


EMITTERS = [submit_a_sheet, let_a_report_go_late, let_an_item_go_overdue, approve_a_selection]


def endpoint(office, unit, url, **extra):
    found, _secret = hooks.endpoint_create(
        by=office, unit=unit, name=extra.pop("name", "推送"), url=url, **extra
    )
    return found


def deliveries(ep):
    return list(WebhookDelivery.objects.filter(endpoint=ep).order_by("pk"))  # scoping: ok test


@pytest.mark.parametrize("emit", EMITTERS, ids=lambda f: f.__name__)
def test_event_reaches_the_county_once_signed_and_retried(
    emit, tree, office_user, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_WEBHOOK_BACKOFF = 60
    other_office = make_user("ev-office-b", tree.other_county, "office")
    with Receiver(status=500) as rx, Receiver() as other_rx:
        mine = endpoint(office_user, tree.county, rx.url)
        theirs = endpoint(other_office, tree.other_county, other_rx.url)
        elsewhere = endpoint(office_user, tree.county, other_rx.url, categories=["plans"])
        with django_capture_on_commit_callbacks(execute=True):
            name, unit_code, object_id, again = emit(tree, office_user)
        events = [d for d in deliveries(mine) if d.event_kind == name]
        assert len(events) == 1, [d.event_kind for d in deliveries(mine)]
        [row] = events
        # The first attempt met a 500: pending, retried after the backoff.
        assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
        assert row.next_attempt_at - row.created_at >= dt.timedelta(seconds=55)
        rx.status = 200
        hooks.deliveries_retry_due(now=row.next_attempt_at + dt.timedelta(seconds=1))
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_status_code) == (
            DeliveryStatus.SUCCEEDED,
            2,
            200,
        )
        # Publishing the same occurrence again (a job run twice) adds nothing.
        with django_capture_on_commit_callbacks(execute=True):
            again()
        assert len([d for d in deliveries(mine) if d.event_kind == name]) == 1
        sent = [r for r in rx.requests if json.loads(r["body"])["event"] == name]
        assert not deliveries(theirs) and not deliveries(elsewhere)
        assert not other_rx.requests
    assert len(sent) == 2  # the 500, then the retry
    for request in sent:
        header = request["headers"]["X-Shidian-Signature"]
        assert webhooks.verify_signature(mine.secret, request["body"], header)
        assert not webhooks.verify_signature(theirs.secret, request["body"], header)
    body = json.loads(sent[-1]["body"])
    assert body["event"] == name and body["category"] == name.split(".")[0]
    assert body["id"].startswith(f"{name}:{object_id}")
    assert body["unit"]["code"] == unit_code
    assert body["object"]["id"] == object_id
    assert body["object"]["url"].startswith("http://127.0.0.1:8000/")
    assert dt.datetime.fromisoformat(body["occurred_at"])
    assert body["programme"] is None or set(body["programme"]) == {"id", "name"}
    assert body["timestamp"] == int(sent[-1]["headers"]["X-Shidian-Timestamp"])
    assert body["items"] and body["title"]


def test_a_later_escalation_level_is_another_event(
    tree, office_user, django_capture_on_commit_callbacks
):
    from shidian.apps.inspections.services.rectification import (
        items_escalate_overdue,
        rectification_issue,
    )

    due = dt.date(2026, 3, 1)
    with Receiver() as rx:
        mine = endpoint(office_user, tree.county, rx.url)
        item = rectification_issue(by=office_user, unit=tree.school, title="整改", due_on=due)
        with django_capture_on_commit_callbacks(execute=True):
            items_escalate_overdue(today=due + dt.timedelta(days=1))
            items_escalate_overdue(today=due + dt.timedelta(days=8))
            items_escalate_overdue(today=due + dt.timedelta(days=8))
    rows = [d for d in deliveries(mine) if d.event_kind == "inspections.item_overdue"]
    assert [r.payload["data"]["escalation_level"] for r in rows] == [1, 2]
    assert {r.payload["object"]["id"] for r in rows} == {item.pk}
    # The escalation notification itself is carried by the event, not pushed besides it.
    assert not [d for d in deliveries(mine) if d.event_kind == "inspections.item_escalated"]


def test_a_school_endpoint_hears_only_its_own_school(
    tree, office_user, django_capture_on_commit_callbacks
):
    from shidian.apps.notifications.services.events import event_publish

    # Endpoints are made by whoever manages the unit: the county office for a school's.
    with Receiver() as rx:
        ep = endpoint(office_user, tree.school2, rx.url)
        with django_capture_on_commit_callbacks(execute=True):
            event_publish(
                event="reports.late",
                key="x1",
                unit=tree.school,
                obj=tree.school,
                link="/",
                title="别校",
            )
            event_publish(
                event="reports.late",
                key="x2",
                unit=tree.school2,
                obj=tree.school2,
                link="/",
                title="本校",
            )
        assert [json.loads(r["body"])["title"] for r in rx.requests] == ["本校"]
    assert len(deliveries(ep)) == 1


def test_late_reports_without_any_endpoint_queue_nothing(tree):
    from shidian.apps.reports.lateness import late_reports, reports_flag_late
    from tests.reports.scoping_filing import report_world

    world = report_world(tree)
    today = world.periods["2026-05"].closes_on + dt.timedelta(days=1)
    assert late_reports(today=today).exists()
    assert reports_flag_late(today=today) == 0
    assert not WebhookDelivery.objects.exists()  # scoping: ok test


def test_the_events_are_registered_and_documented():
    from pathlib import Path

    from shidian.apps.notifications.services.events import registered_events

    names = {e.name for e in registered_events()}
    assert names >= {
        "campaigns.sheet_submitted",
        "reports.late",
        "inspections.item_overdue",
        "selection.approved",
    }
    docs = (Path(__file__).resolve().parents[2] / "docs" / "notifications.md").read_text()
    for name in names:
        assert f"`{name}`" in docs, name
