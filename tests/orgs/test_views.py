"""The pages, with three personas: office (county A), coordinator (one school), outsider."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shidian.apps.orgs.models import ImportBatch, OrgUnit
from tests.orgs.files import NEW_ZONE_ROWS, csv_bytes, xlsx

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name: str):
    return client.post(reverse("orgs:import"), {"file": SimpleUploadedFile(name, data)})


def test_office_sees_its_county(office_client, tree):
    body = office_client.get(reverse("orgs:list")).content.decode()
    assert "甲县第一小学" in body and "甲县第二初中" in body
    assert "乙县" not in body


def test_coordinator_sees_only_their_school(coordinator_client, tree):
    body = coordinator_client.get(reverse("orgs:list")).content.decode()
    assert "甲县第一小学" in body and "甲县第二初中" not in body
    assert coordinator_client.get(reverse("orgs:detail", args=[tree.school.pk])).status_code == 200
    assert coordinator_client.get(reverse("orgs:detail", args=[tree.school2.pk])).status_code == 404


def test_outsider_gets_404(outsider_client, tree):
    for name in ("orgs:detail", "orgs:move"):
        assert outsider_client.get(reverse(name, args=[tree.school.pk])).status_code == 404


@pytest.mark.parametrize(
    "params,expected,absent",
    [
        ({"q": "第一"}, "甲县第一小学", "甲县第二初中"),
        ({"q": "A1-2"}, "甲县第二初中", "甲县第一小学"),
        ({"school_type": "junior_high"}, "甲县第二初中", "甲县第一小学"),
        ({"locality": "urban"}, "甲县第一小学", "甲县第二初中"),
        ({"level": "zone"}, "甲县东片区", "甲县第一小学"),
    ],
)
def test_filters(office_client, tree, params, expected, absent):
    body = office_client.get(reverse("orgs:list"), params).content.decode()
    results = body.split('id="results"', 1)[1]
    assert expected in results and absent not in results


def test_zone_filter(office_client, tree):
    body = office_client.get(reverse("orgs:list"), {"zone": tree.zone.pk}).content.decode()
    results = body.split('id="results"', 1)[1]
    assert "甲县第一小学" in results and "甲县东片区</a>" not in results


def test_htmx_request_gets_only_the_results_partial(office_client, tree):
    response = office_client.get(
        reverse("orgs:list"), {"q": "第一"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body and "甲县第一小学" in body
    assert "HX-Request" in response["Vary"]


def test_pagination(office_client, tree):
    from shidian.apps.orgs.bulk import bulk_insert_tree

    bulk_insert_tree(
        [{"code": f"PX{i}", "name": f"甲县学校{i}", "level": "school"} for i in range(60)],
        root=tree.zone,
    )
    first = office_client.get(reverse("orgs:list")).content.decode()
    assert "page=2" in first
    second = office_client.get(reverse("orgs:list"), {"page": 2}).content.decode()
    assert "第 2 / 2 页" in second


def test_detail_shows_attributes_counts_and_breadcrumbs(office_client, tree):
    body = office_client.get(reverse("orgs:detail", args=[tree.county.pk])).content.decode()
    assert "小学" in body and "初中" in body  # counts per school type
    assert "城区" in body and "乡村" in body  # counts per locality
    assert "甲县东片区" in body  # a child
    # Ancestors outside the office's scope are shown but are not links.
    assert "测试市" in body
    assert reverse("orgs:detail", args=[tree.city.pk]) not in body


def test_detail_for_the_coordinator(coordinator_client, tree):
    school = coordinator_client.get(reverse("orgs:detail", args=[tree.school.pk])).content.decode()
    assert "800" in school and reverse("orgs:detail", args=[tree.zone.pk]) not in school


def test_export_is_filtered(office_client, tree):
    response = office_client.get(reverse("orgs:export"), {"school_type": "primary"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("代码", "名称", "上级代码")
    assert [r[0] for r in rows[1:]] == ["A1-1"]
    assert rows[1][4] == "小学" and rows[1][6] == "A1"


def test_export_is_scoped(coordinator_client, tree):
    mine = coordinator_client.get(reverse("orgs:export")).content
    codes = [r[0] for r in load_workbook(io.BytesIO(mine)).active.iter_rows(values_only=True)]
    assert codes == ["代码", "A1-1"]


def test_template_has_header_and_explanations(office_client):
    response = office_client.get(reverse("orgs:template"))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["单位", "说明"]
    assert book["单位"].max_row == 1
    explained = [r[0] for r in book["说明"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert "代码" in explained and "学校类型" in explained


def test_template_is_importable_after_filling(office_client, office_user, tree):
    template = load_workbook(io.BytesIO(office_client.get(reverse("orgs:template")).content))
    ws = template["单位"]
    ws.append(["A3", "甲县北片区", "A", "片区"])
    buffer = io.BytesIO()
    template.save(buffer)
    response = upload(office_client, buffer.getvalue(), "filled.xlsx")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.notes["counts"]["create"] == 1


def test_import_flow(office_client, tree, django_capture_on_commit_callbacks):
    response = upload(office_client, xlsx(NEW_ZONE_ROWS), "units.xlsx")
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("orgs:import_review", args=[batch.pk])
    page = office_client.get(response["Location"]).content.decode()
    assert "确认导入" in page and "甲县石桥教学点" in page
    # Applying is a Run (后台任务): it runs when the request commits, the review page shows it.
    with django_capture_on_commit_callbacks(execute=True):
        started = office_client.post(reverse("orgs:import_apply", args=[batch.pk]))
    assert started["Location"] == reverse("orgs:import_review", args=[batch.pk])
    done = office_client.get(started["Location"])
    assert "导入完成" in done.content.decode()
    assert OrgUnit.objects.filter(code__in=["A2", "A2-1", "A2-2"]).count() == 3


def test_import_review_shows_row_level_reasons(office_client, tree):
    rows = [
        ["N1", "新校", "NOPE", "学校", "小学", "", "", ""],
        ["N2", "", "A1", "学校", "小学", "", "", "很多"],
    ]
    response = upload(office_client, csv_bytes(rows), "bad.csv")
    page = office_client.get(response["Location"]).content.decode()
    assert "上级代码 NOPE 既不在文件中，也不是已有单位。" in page
    assert "名称为空。" in page and "学生数“很多”不是有效的数字。" in page
    assert "确认导入" not in page
    batch = ImportBatch.objects.get()
    refused = office_client.post(reverse("orgs:import_apply", args=[batch.pk]), follow=True)
    assert "还有被拒绝的行" in refused.content.decode()
    assert not OrgUnit.objects.filter(code__in=["N1", "N2"]).exists()


def test_import_review_in_english(office_client, tree):
    response = upload(
        office_client, csv_bytes([["N1", "新校", "NOPE", "学校", "", "", "", ""]]), "b.csv"
    )
    office_client.cookies["shidian_language"] = "en"
    page = office_client.get(response["Location"]).content.decode()
    assert "Parent code NOPE" in page


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"code,name\nA,B\n", "fake.xlsx", "不是 Excel 工作簿"),
        (xlsx(NEW_ZONE_ROWS, merge="A1:B1"), "merged.xlsx", "表头有合并单元格（A1:B1）"),
        (b"", "empty.csv", "所提交的是空文件"),
        (b"hello", "units.pdf", "请上传 .xlsx 或 .csv 文件"),
    ],
)
def test_bad_uploads_show_a_clear_message_and_write_nothing(
    office_client, tree, data, name, message
):
    response = upload(office_client, data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_oversized_upload_is_refused(office_client, tree, settings):
    settings.UPLOAD_MAX_BYTES = 200
    response = upload(office_client, csv_bytes(NEW_ZONE_ROWS * 10), "big.csv")
    assert "文件超过" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_coordinator_cannot_import_or_move(coordinator_client, tree):
    assert coordinator_client.get(reverse("orgs:import")).status_code == 403
    assert coordinator_client.get(reverse("orgs:move", args=[tree.school.pk])).status_code == 403


def test_office_cannot_see_another_county_batch(office_client, tree, outsider):
    other = ImportBatch.objects.create(unit=tree.other_county, filename="b.xlsx", sha256="0")
    assert office_client.get(reverse("orgs:import_review", args=[other.pk])).status_code == 404


def test_move_view(office_client, tree):
    from shidian.apps.orgs.services import unit_create

    west = unit_create(code="A2", name="甲县西片区", level="zone", parent=tree.county)
    url = reverse("orgs:move", args=[tree.school.pk])
    assert office_client.get(url).status_code == 200
    cycle = office_client.post(reverse("orgs:move", args=[tree.zone.pk]), {"parent_code": "A1-1"})
    assert "循环" in cycle.content.decode()
    outside = office_client.post(url, {"parent_code": "B"})
    assert "找不到代码为 B 的单位" in outside.content.decode()
    done = office_client.post(url, {"parent_code": "A2"})
    assert done.status_code == 302
    tree.school.refresh_from_db()
    assert tree.school.parent == west


def test_counts_link_to_the_schools_under_the_unit(office_client, tree):
    from shidian.apps.orgs.services import unit_create

    west = unit_create(code="A2", name="甲县西片区", level="zone", parent=tree.county)
    unit_create(code="A2-1", name="甲县西小学", level="school", parent=west, school_type="primary")
    page = office_client.get(reverse("orgs:detail", args=[west.pk])).content.decode()
    link = f"?under={west.pk}&amp;level=school&amp;school_type=primary"
    assert link in page
    params = {"under": west.pk, "level": "school", "school_type": "primary"}
    results = office_client.get(reverse("orgs:list"), params).content.decode()
    assert "甲县西小学" in results and "甲县第一小学" not in results.split('id="results"')[1]


def test_under_filter_cannot_reach_outside_scope(coordinator_client, tree):
    params = {"under": tree.county.pk}
    body = coordinator_client.get(reverse("orgs:list"), params).content.decode()
    assert "甲县第二初中" not in body


def test_move_page_picks_the_new_parent_from_the_scope(office_client, tree):
    body = office_client.get(reverse("orgs:move", args=[tree.zone.pk])).content.decode()
    assert "data-unit-picker" in body and 'name="parent_code"' in body
    hits = office_client.get(reverse("orgs:pick"), {"q": "县", "levels": "county,zone"})
    assert "甲县" in hits.content.decode() and "乙县" not in hits.content.decode()
