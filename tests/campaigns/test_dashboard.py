"""The office dashboard: completeness, ranking, distributions, weakest items, XLSX exports."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shidian.apps.campaigns import selectors, sheets
from shidian.apps.campaigns.models import Sheet, SheetStatus
from tests.campaigns.factories import campaign, full_answers, sheet
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(tree, coordinator):
    opened = campaign(tree)
    standard = opened.version.as_standard()
    first = sheet(tree)
    sheets.sheet_save_all(
        sheet=first, user=coordinator, answers=full_answers(standard), base_version=0
    )
    second_user = make_user("coord-b", tree.school2, "coordinator")
    second = sheet(tree, tree.school2)
    sheets.sheet_save_all(
        sheet=second,
        user=second_user,
        answers=full_answers(standard, level="D", yes="否", ratio=(1, 10)),
        base_version=0,
    )
    Sheet.objects.filter(pk__in=[first.pk, second.pk]).update(status=SheetStatus.SUBMITTED)
    return opened


def test_completeness_counts_and_lists(office_client, tree, filled):
    url = reverse("campaigns:completeness", kwargs={"campaign_id": filled.pk})
    body = office_client.get(url + "?status=submitted").content.decode()
    assert "甲县第一小学" in body and "甲县第二初中" in body
    counts = selectors.completeness(sheets=filled.sheets.all())
    assert counts["submitted"] == 2 and counts["not_opened"] == 0


def test_ranking_orders_by_total(office_client, tree, filled):
    rows = selectors.ranking(sheets=filled.sheets.all())
    assert [r["unit__name"] for r in rows] == ["甲县第一小学", "甲县第二初中"]
    assert rows[0]["total"] > rows[1]["total"]
    body = office_client.get(
        reverse("campaigns:ranking", kwargs={"campaign_id": filled.pk})
    ).content.decode()
    assert body.index("甲县第一小学") < body.index("甲县第二初中")
    assert "基础设施" in body  # dimension columns


def test_analysis_has_chart_data_and_weakest_items(office_client, tree, filled):
    response = office_client.get(reverse("campaigns:analysis", kwargs={"campaign_id": filled.pk}))
    body = response.content.decode()
    assert 'id="campaign-chart-data"' in body and "echarts.min.js" in body
    assert "<script>" not in body  # no inline script under the CSP
    weakest = selectors.weakest_items(campaign=filled, sheets=filled.sheets.all())
    assert weakest[0]["share"] <= weakest[-1]["share"]
    by_type = {r["label"]: r for r in selectors.distribution(sheets=filled.sheets.all(), by="type")}
    assert set(by_type) == {"小学", "初中"}


@pytest.mark.parametrize("table", ["ranking", "completeness", "type", "zone", "weakest", "gaps"])
def test_every_table_exports_to_xlsx(office_client, tree, filled, table):
    url = reverse("campaigns:export", kwargs={"campaign_id": filled.pk})
    response = office_client.get(url + f"?table={table}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.active.max_row >= 1


def test_zone_user_sees_only_their_subtree(client, tree, filled):
    zone = make_user("zone-user", tree.zone, "zone")
    client.force_login(zone)
    response = client.get(reverse("campaigns:ranking", kwargs={"campaign_id": filled.pk}))
    assert response.status_code == 200 and "甲县第一小学" in response.content.decode()


def test_outsider_gets_404(outsider_client, tree, filled):
    url = reverse("campaigns:detail", kwargs={"campaign_id": filled.pk})
    assert outsider_client.get(url).status_code == 404


def test_coordinator_cannot_open_the_office_dashboard_of_other_units(
    coordinator_client, tree, filled
):
    body = coordinator_client.get(
        reverse("campaigns:ranking", kwargs={"campaign_id": filled.pk})
    ).content.decode()
    assert "甲县第二初中" not in body


def test_a_zone_follows_its_schools_campaigns_and_only_its_schools(client, tree, filled):
    other_zone = make_user("zone-b", tree.other_county, "zone")
    zone = make_user("zone-a", tree.zone, "zone")
    client.force_login(zone)
    listing = client.get(reverse("campaigns:list")).content.decode()
    assert filled.name in listing
    detail = client.get(reverse("campaigns:completeness", kwargs={"campaign_id": filled.pk}))
    assert detail.status_code == 200
    client.force_login(other_zone)
    assert filled.name not in client.get(reverse("campaigns:list")).content.decode()
    assert (
        client.get(reverse("campaigns:detail", kwargs={"campaign_id": filled.pk})).status_code
        == 404
    )
