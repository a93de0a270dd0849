"""The office's dashboards and exports: only submitted sheets are ranked (drafts shown apart),
the weakest items per school type, local times with the zone named in every export."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shidian.apps.campaigns import selectors, sheets
from shidian.apps.campaigns.models import Sheet, SheetStatus
from tests.campaigns.factories import campaign, full_answers, sheet
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(tree, coordinator):
    """School 1 submitted a weak sheet; school 2's draft scores higher but is unfinished."""
    from shidian.apps.orgs.services import unit_create

    opened = campaign(tree)
    standard = opened.version.as_standard()
    weak = full_answers(standard, level="D", yes="否", ratio=(1, 10), number=0)
    sheets.sheet_save_all(sheet=sheet(tree), user=coordinator, answers=weak, base_version=0)
    Sheet.objects.filter(unit=tree.school).update(
        status=SheetStatus.SUBMITTED, submitted_at=datetime(2026, 3, 1, 0, 30, tzinfo=UTC)
    )
    draft_user = make_user("coord-b", tree.school2, "coordinator")
    sheets.sheet_save_all(
        sheet=sheet(tree, tree.school2),
        user=draft_user,
        answers=full_answers(standard),
        base_version=0,
    )
    # A third school, submitted, of the same type as the draft (junior high).
    third = unit_create(
        code="A1-3",
        name="甲县第三初中",
        level="school",
        parent=tree.zone,
        school_type="junior_high",
        zone=tree.zone,
    )
    Sheet.objects.create(campaign=opened, unit=third)
    third_user = make_user("coord-c", third, "coordinator")
    sheets.sheet_save_all(
        sheet=Sheet.objects.get(round=opened, unit=third),
        user=third_user,
        answers=full_answers(standard, level="B", yes="是", ratio=(5, 10), number=10),
        base_version=0,
    )
    Sheet.objects.filter(unit=third).update(status=SheetStatus.ACCEPTED)
    return opened


def _export(client, opened, table: str):
    url = reverse("campaigns:export", kwargs={"campaign_id": opened.pk})
    response = client.get(url + f"?table={table}")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


# --- 4. Ranking ----------------------------------------------------------------------------


def test_drafts_are_not_ranked(tree, mixed):
    draft = Sheet.objects.get(unit=tree.school2)
    assert draft.status == SheetStatus.DRAFT
    assert draft.total > max(s.total for s in Sheet.objects.exclude(pk=draft.pk))
    rows = selectors.ranking(sheets=mixed.sheets.all())
    assert [(r["rank"], r["unit__name"]) for r in rows] == [
        (1, "甲县第三初中"),
        (2, "甲县第一小学"),
    ]


def test_the_ranking_page_shows_drafts_apart(office_client, tree, mixed):
    body = office_client.get(
        reverse("campaigns:ranking", kwargs={"campaign_id": mixed.pk})
    ).content.decode()
    ranked, _, unranked = body.partition('id="unranked"')
    assert "甲县第三初中" in ranked and "甲县第一小学" in ranked
    assert "甲县第二初中" not in body
    assert "不参加排名" in unranked and "?status=draft" in unranked


def test_the_top_ten_leaves_drafts_out(office_client, tree, mixed):
    body = office_client.get(
        reverse("campaigns:detail", kwargs={"campaign_id": mixed.pk})
    ).content.decode()
    top = body[body.index("前十名") : body.index('id="unranked"')]
    assert "甲县第三初中" in top and "甲县第二初中" not in top


def test_the_ranking_export_ranks_submitted_sheets_and_lists_the_rest(office_client, mixed):
    wb = _export(office_client, mixed, "ranking")
    ranking, rest = wb.worksheets
    ranked = [(r[0], r[2]) for r in ranking.iter_rows(min_row=2, values_only=True)]
    assert ranked == [(1, "甲县第三初中"), (2, "甲县第一小学")]
    assert "不参加排名" in rest.title
    assert [(r[1], r[4]) for r in rest.iter_rows(min_row=2, values_only=True)] == [
        ("甲县第二初中", "草稿")
    ]


def test_distributions_count_submitted_sheets_only(mixed):
    by_type = {r["label"]: r for r in selectors.distribution(sheets=mixed.sheets.all(), by="type")}
    assert by_type["初中"]["n"] == 1


# --- 5. Weakest items per school type -----------------------------------------------------


def test_weakest_items_per_school_type(tree, mixed):
    types = selectors.submitted_types(sheets=mixed.sheets.all())
    assert [(t["code"], t["n"]) for t in types] == [("junior_high", 1), ("primary", 1)]
    junior = selectors.weakest_items(
        campaign=mixed, sheets=mixed.sheets.all(), school_type="junior_high", limit=1000
    )
    primary = selectors.weakest_items(
        campaign=mixed, sheets=mixed.sheets.all(), school_type="primary", limit=1000
    )
    third = Sheet.objects.get(unit__code="A1-3")
    first = Sheet.objects.get(unit=tree.school)
    # One submitted sheet per type: its own item scores, the draft (also junior high) left out.
    assert {r["code"]: r["avg"] for r in junior} == {
        c: round(v, 2) for c, v in third.scores.items() if c in {r["code"] for r in junior}
    }
    assert all(r["n"] == 1 for r in junior + primary)
    assert {r["code"]: r["avg"] for r in primary} == {
        c: round(v, 2) for c, v in first.scores.items() if c in {r["code"] for r in primary}
    }


def test_the_analysis_page_has_a_school_type_selector(office_client, tree, mixed):
    url = reverse("campaigns:analysis", kwargs={"campaign_id": mixed.pk})
    body = office_client.get(url).content.decode()
    assert "?type=junior_high#weakest" in body and "?type=primary#weakest" in body
    response = office_client.get(url + "?type=junior_high")
    assert response.context["chosen_type"] == "junior_high"
    expected = selectors.weakest_items(
        campaign=mixed, sheets=mixed.sheets.all(), school_type="junior_high"
    )
    assert response.context["weakest"] == expected
    assert "最薄弱的评分要点：初中" in response.content.decode()
    # An unknown type shows all types rather than an empty table.
    assert office_client.get(url + "?type=nonsense").context["chosen_type"] == ""


def test_the_weakest_export_has_every_school_type(office_client, mixed):
    ws = _export(office_client, mixed, "weakest").active
    header = next(ws.iter_rows(max_row=1, values_only=True))
    assert header[0] == "学校类型"
    groups = {r[0] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert groups == {"全部类型", "小学", "初中"}
    junior = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "初中"]
    assert all(r[-1] == 1 for r in junior)  # one submitted junior high school, not the draft


# --- 6. Local times in exports --------------------------------------------------------------


def test_the_completeness_export_writes_local_time_and_names_the_zone(office_client, mixed):
    ws = _export(office_client, mixed, "completeness").active
    header = next(ws.iter_rows(max_row=1, values_only=True))
    assert "提交时间（北京时间 UTC+8）" in header
    column = header.index("提交时间（北京时间 UTC+8）")
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "甲县第一小学")
    assert row[column] == "2026-03-01 08:30"  # stored 00:30 UTC


def test_the_zone_in_the_header_follows_the_setting(office_client, mixed, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    ws = _export(office_client, mixed, "completeness").active
    header = next(ws.iter_rows(max_row=1, values_only=True))
    column = next(i for i, h in enumerate(header) if h.startswith("提交时间"))
    assert header[column] in ("提交时间（Europe/Berlin UTC+1）", "提交时间（Europe/Berlin UTC+2）")
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "甲县第一小学")
    assert row[column] == "2026-03-01 01:30"


def test_every_export_with_a_time_names_the_zone(office_client, mixed):
    for table in ("ranking", "completeness", "type", "zone", "weakest", "gaps"):
        for ws in _export(office_client, mixed, table).worksheets:
            header = next(ws.iter_rows(max_row=1, values_only=True), ()) or ()
            for title in header:
                if title and "时间" in str(title):
                    assert "UTC" in str(title), (table, title)


def test_zone_labels():
    from datetime import timedelta

    from shidian.apps.campaigns.localtime import utc_offset_text

    assert utc_offset_text(timedelta(hours=8)) == "UTC+8"
    assert utc_offset_text(timedelta(hours=5, minutes=30)) == "UTC+5:30"
    assert utc_offset_text(timedelta(hours=-3)) == "UTC-3"
    assert utc_offset_text(timedelta(0)) == "UTC"
