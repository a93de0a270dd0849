"""Importing report values: strategies, dry run, idempotence, rejects by row, scope, locks."""

from __future__ import annotations

import pytest

from shidian.apps.exchange.services.imports import DATASETS, exchange_export, exchange_import
from shidian.apps.submissions.models import Revision
from shidian.apps.submissions.services import submission_save, submission_submit
from tests.conftest import make_user
from tests.exchange.helpers import REPORT_COLUMNS, csv_bytes, report_rows, submission
from tests.reports.scoping_filing import report_world

DATASET = DATASETS["report-values"]


@pytest.fixture
def world(tree):
    return report_world(tree)


def run(user, rows, strategy="CREATE_AND_UPDATE", dry_run=False, columns=REPORT_COLUMNS):
    return exchange_import(
        user=user,
        dataset=DATASET,
        data=csv_bytes(columns, rows),
        fmt="csv",
        strategy=strategy,
        dry_run=dry_run,
    )


def reasons(summary):
    return {(r["row"], r["code"]) for r in summary["rows"]}


def test_office_imports_on_behalf_through_the_submission_service(world, tree, office_user):
    rows = report_rows(world, tree.school, rooms="12", connected="10", trained="是")
    summary = run(office_user, rows)
    assert summary["counts"] == {"imported": 3, "updated": 0, "ignored": 0, "rejected": 0}
    sub = submission(world, tree.school)
    assert sub.answers == {"rooms": 12.0, "connected": 10.0, "trained": 1}
    assert sub.status == "draft" and sub.version == 1
    revision = Revision.objects.get(submission=sub)  # scoping: ok test
    assert revision.kind == "upload" and revision.created_by == office_user


def test_dry_run_changes_nothing_and_counts_the_same(world, tree, office_user):
    rows = report_rows(world, tree.school, rooms="12", connected="10")
    dry = run(office_user, rows, dry_run=True)
    assert dry["dry_run"] and dry["counts"]["imported"] == 2
    sub = submission(world, tree.school)
    assert sub.answers == {} and sub.version == 0
    assert run(office_user, rows)["counts"] == dry["counts"]


def test_second_import_is_all_ignored_and_the_database_unchanged(world, tree, office_user):
    rows = report_rows(world, tree.school, rooms="12", share="na", level="顺利", notes="好")
    run(office_user, rows)
    before = submission(world, tree.school)
    again = run(office_user, rows)
    assert again["counts"] == {"imported": 0, "updated": 0, "ignored": 4, "rejected": 0}
    after = submission(world, tree.school)
    assert (after.version, after.answers, after.updated_at) == (
        before.version,
        before.answers,
        before.updated_at,
    )
    assert Revision.objects.filter(submission=after).count() == 1  # scoping: ok test


def test_strategies(world, tree, office_user):
    run(office_user, report_rows(world, tree.school, rooms="12"))
    rows = report_rows(world, tree.school, rooms="14", connected="3")
    create = run(office_user, rows, strategy="CREATE")
    assert create["counts"] == {"imported": 1, "updated": 0, "ignored": 1, "rejected": 0}
    assert reasons(create) == {(1, "exists")}
    assert submission(world, tree.school).answers == {"rooms": 12.0, "connected": 3.0}

    rows = report_rows(world, tree.school, rooms="15", trained="否")
    update = run(office_user, rows, strategy="UPDATE")
    assert update["counts"] == {"imported": 0, "updated": 1, "ignored": 1, "rejected": 0}
    assert reasons(update) == {(2, "not_existing")}
    assert submission(world, tree.school).answers == {"rooms": 15.0, "connected": 3.0}

    both = run(office_user, rows)
    assert both["counts"] == {"imported": 1, "updated": 0, "ignored": 1, "rejected": 0}


def test_rejects_name_the_row_and_the_reason(world, tree, office_user):
    form = world.form.pk
    rows = [
        ("A1-1", form, "2026-04", "rooms", "12"),
        ("A1-1", form, "2026-04", "nothing", "1"),
        ("A1-1", form, "2026-04", "rooms", "13"),
        ("A1-1", form, "2026-04", "connected", "-1"),
        ("A1-1", form, "2026-04", "trained", "也许"),
        ("A1-1", form, "2099-01", "rooms", "1"),
        ("A1-1", 999999, "2026-04", "rooms", "1"),
        ("A1-1", form, "2026-04", "level", ""),
        ("", form, "2026-04", "rooms", "1"),
        ("A1-1", form, "2026-08", "rooms", "1"),
        ("A1-1", form, "2026-04", "share", "101"),
    ]
    summary = run(office_user, rows)
    assert summary["status"] == "ERROR"
    assert summary["counts"] == {"imported": 1, "updated": 0, "ignored": 0, "rejected": 10}
    assert reasons(summary) == {
        (2, "field_not_found"),
        (3, "duplicate"),
        (4, "invalid_value"),
        (5, "invalid_value"),
        (6, "period_not_found"),
        (7, "form_not_found"),
        (8, "blank_value"),
        (9, "missing_key"),
        (10, "not_expected"),
        (11, "invalid_value"),
    }
    messages = {r["row"]: r["message"] for r in summary["rows"]}
    assert "联网教室数" in messages[4] and "不能小于" in messages[4]
    assert submission(world, tree.school).answers == {"rooms": 12.0}


def test_units_outside_the_subtree_are_rejected_alike(world, tree, coordinator):
    form = world.form.pk
    rows = [
        ("A1-2", form, "2026-04", "rooms", "1"),  # a sibling school: exists, not the caller's
        ("B-1", form, "2026-04", "rooms", "1"),  # another county
        ("NO-SUCH", form, "2026-04", "rooms", "1"),  # does not exist
        ("A1-1", form, "2026-04", "rooms", "7"),  # the coordinator's own school
    ]
    summary = run(coordinator, rows)
    outside = [r for r in summary["rows"] if r["code"] == "unit_out_of_scope"]
    assert [r["row"] for r in outside] == [1, 2, 3]
    assert len({r["message"] for r in outside}) == 1
    assert summary["counts"]["imported"] == 1
    assert submission(world, tree.school).answers == {"rooms": 7.0}
    assert submission(world, tree.school2).answers == {}


def test_a_unit_that_only_sees_may_not_write(world, tree, zone_user):
    summary = run(zone_user, report_rows(world, tree.school, rooms="3"))
    assert reasons(summary) == {(1, "forbidden")}
    assert submission(world, tree.school).answers == {}


def test_submitted_reports_are_locked_but_unchanged_values_are_ignored(
    world, tree, coordinator, office_user
):
    sub = submission(world, tree.school)
    answers = {"rooms": "12", "connected": "10", "trained": "是", "level": "顺利"}
    sub = submission_save(submission=sub, user=coordinator, answers=answers, base_version=0)
    submission_submit(submission=sub, user=coordinator)
    rows = report_rows(world, tree.school, rooms="12", connected="11")
    summary = run(office_user, rows)
    assert summary["counts"] == {"imported": 0, "updated": 0, "ignored": 1, "rejected": 1}
    assert reasons(summary) == {(2, "locked")}
    assert submission(world, tree.school).answers["connected"] == 10.0


def test_export_reads_back_unchanged_in_csv_and_json(world, tree, office_user):
    run(office_user, report_rows(world, tree.school, rooms="12.5", share="na", trained="否"))
    run(office_user, report_rows(world, tree.school2, rooms="3", level="一般", notes='a,"b"\nc'))
    rows = list(exchange_export(user=office_user, dataset=DATASET, filters={}))
    assert {(r["unit"], r["field"], r["value"]) for r in rows} == {
        ("A1-1", "rooms", "12.5"),
        ("A1-1", "share", "na"),
        ("A1-1", "trained", "0"),
        ("A1-2", "rooms", "3"),
        ("A1-2", "level", "一般"),
        ("A1-2", "notes", 'a,"b"\nc'),
    }
    from shidian.apps.exchange.services.imports import export_bytes

    for fmt in ("csv", "json"):
        data = export_bytes(dataset=DATASET, rows=iter(rows), fmt=fmt)
        summary = exchange_import(
            user=office_user,
            dataset=DATASET,
            data=data,
            fmt=fmt,
            strategy="CREATE_AND_UPDATE",
            dry_run=False,
        )
        assert summary["counts"] == {"imported": 0, "updated": 0, "ignored": 6, "rejected": 0}


def test_export_filters_and_scope(world, tree, office_user, coordinator):
    run(office_user, report_rows(world, tree.school, rooms="1"))
    run(office_user, report_rows(world, tree.school2, rooms="2"))
    run(office_user, report_rows(world, tree.school, key="2026-05", rooms="3"))

    def export(user, **filters):
        rows = exchange_export(user=user, dataset=DATASET, filters=filters)
        return sorted((r["unit"], r["period"]) for r in rows)

    assert len(export(office_user)) == 3
    assert export(office_user, unit_code="A1-2") == [("A1-2", "2026-04")]
    assert export(office_user, unit_code="B-1") == []
    import datetime as dt

    may = {"start": dt.date(2026, 5, 1), "end": dt.date(2026, 5, 31)}
    assert export(office_user, **may) == [("A1-1", "2026-05")]
    assert export(coordinator) == [("A1-1", "2026-04"), ("A1-1", "2026-05")]
    outsider = make_user("far", tree.other_county, "office")
    assert export(outsider) == []


def test_a_failure_midway_writes_nothing(world, tree, office_user, monkeypatch):
    from shidian.apps.exchange.services import apply

    real = apply.submission_services.submission_save
    calls = []

    def save_then_fail(**kwargs):
        calls.append(kwargs["submission"].unit_id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(apply.submission_services, "submission_save", save_then_fail)
    rows = report_rows(world, tree.school, rooms="1") + report_rows(world, tree.school2, rooms="2")
    with pytest.raises(RuntimeError):
        run(office_user, rows)
    assert len(calls) == 2
    assert submission(world, tree.school).answers == {}
    assert submission(world, tree.school2).answers == {}
    assert not Revision.objects.filter(submission__round=world.periods["2026-04"].round).exists()
