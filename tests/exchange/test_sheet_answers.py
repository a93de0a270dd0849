"""Importing sheet answers: cleaned and scored like the sheet page; round trip; scope; locks."""

from __future__ import annotations

import pytest

from shidian.apps.exchange.services.imports import (
    DATASETS,
    exchange_export,
    exchange_import,
    export_bytes,
)
from tests.campaigns.factories import campaign, full_answers, sheet
from tests.exchange.helpers import SHEET_COLUMNS, csv_bytes

DATASET = DATASETS["sheet-answers"]


@pytest.fixture
def items(tree):
    found = campaign(tree)
    by_method = {}
    for item in found.version.as_standard().items():
        by_method.setdefault(item.method, item)
    return found, by_method


def run(user, rows, strategy="CREATE_AND_UPDATE", dry_run=False):
    return exchange_import(
        user=user,
        dataset=DATASET,
        data=csv_bytes(SHEET_COLUMNS, rows),
        fmt="csv",
        strategy=strategy,
        dry_run=dry_run,
    )


def test_answers_are_cleaned_and_scored(tree, items, coordinator):
    found, by_method = items
    rows = [("A1-1", found.pk, by_method["levels"].code, "b")]
    if "ratio" in by_method:
        rows.append(("A1-1", found.pk, by_method["ratio"].code, "9/10"))
    summary = run(coordinator, rows)
    assert summary["counts"]["imported"] == len(rows)
    stored = sheet(tree)
    assert stored.answers[by_method["levels"].code] == {"value": "B"}
    if "ratio" in by_method:
        assert stored.answers[by_method["ratio"].code] == {"numerator": 9, "denominator": 10}
    assert stored.total > 0 and stored.status == "draft"
    assert run(coordinator, rows)["counts"]["ignored"] == len(rows)


def test_rejects_and_scope(tree, items, coordinator):
    found, by_method = items
    code = by_method["levels"].code
    rows = [
        ("A1-1", found.pk, code, "Z"),
        ("A1-1", found.pk, "NO.SUCH", "A"),
        ("A1-1", 999999, code, "A"),
        ("A1-2", found.pk, code, "A"),
        ("B-1", found.pk, code, "A"),
    ]
    summary = run(coordinator, rows)
    codes = [(r["row"], r["code"]) for r in summary["rows"]]
    assert codes == [
        (1, "invalid_value"),
        (2, "item_not_found"),
        (3, "campaign_not_found"),
        (4, "unit_out_of_scope"),
        (5, "unit_out_of_scope"),
    ]
    assert sheet(tree).answers == {}


def test_a_submitted_sheet_is_locked(tree, items, coordinator, office_user):
    from shidian.apps.campaigns.models import Sheet
    from shidian.apps.campaigns.sheets import sheet_save_all

    found, by_method = items
    answers = full_answers(found.version.as_standard())
    target = sheet(tree)
    target = sheet_save_all(sheet=target, user=coordinator, answers=answers, base_version=0)
    # Submitted (its evidence is not the point here).
    Sheet.objects.filter(pk=target.pk).update(status="submitted")  # scoping: ok test
    code = by_method["levels"].code
    other = "C" if answers[code]["value"] != "C" else "D"
    summary = run(office_user, [("A1-1", found.pk, code, other)])
    assert [r["code"] for r in summary["rows"]] == ["locked"]
    assert sheet(tree).answers[code] == answers[code]


def test_export_round_trip_csv_and_json(tree, items, coordinator, office_user):
    found, _by_method = items
    answers = full_answers(found.version.as_standard())
    sheet_rows = []
    for code, answer in answers.items():
        value = (
            f"{answer['numerator']}/{answer['denominator']}"
            if "numerator" in answer
            else answer["value"]
        )
        sheet_rows.append(("A1-1", found.pk, code, value))
    assert run(office_user, sheet_rows)["counts"]["imported"] == len(answers)
    exported = list(exchange_export(user=office_user, dataset=DATASET, filters={}))
    assert [r["item"] for r in exported] == list(answers)
    assert all(r["status"] == "draft" for r in exported)
    for fmt in ("csv", "json"):
        data = export_bytes(dataset=DATASET, rows=iter(exported), fmt=fmt)
        summary = exchange_import(
            user=office_user, dataset=DATASET, data=data, fmt=fmt, strategy="UPDATE", dry_run=False
        )
        assert summary["counts"]["ignored"] == len(answers), summary["rows"][:3]
    assert (
        list(exchange_export(user=coordinator, dataset=DATASET, filters={"unit_code": "A1-2"}))
        == []
    )
