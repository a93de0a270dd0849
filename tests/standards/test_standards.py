"""Standards: import with row-level problems, publish and freeze, revise, compare, export."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from shidian.apps.standards import selectors, services
from shidian.apps.standards.models import Standard, StandardVersion
from shidian.engine.scoring import Direction, Problem, load_yaml, read_xlsx
from tests.standards.factories import INFO, SMART, example, published_version

pytestmark = pytest.mark.django_db


def test_examples_are_valid_and_sized():
    for path in (INFO, SMART):
        standard = example(path)
        assert 40 <= len(standard.items()) <= 120
        assert {d.name for d in standard.dimensions} >= {"基础设施", "网络安全", "保障机制"}
        assert any(i.method == "veto" for i in standard.items())
        assert any(i.method == "ratio" for i in standard.items())


def test_import_yaml_through_the_page(office_client, tree):
    upload = SimpleUploadedFile("info.yaml", INFO.read_bytes())
    response = office_client.post(reverse("standards:list"), {"file": upload})
    version = StandardVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("standards:version", kwargs={"version_id": version.pk})
    assert version.item_count == 47 and not version.is_published
    page = office_client.get(response["Location"])
    assert "校园无线网络覆盖" in page.content.decode()


def _bad_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["一级指标", "二级指标", "评分要点编号", "评分要点", "分值", "评分方式", "等级/阈值"])
    ws.append(["基础", "网络", "A1", "光纤", "两分", "是否", None])
    ws.append([None, None, "A1", "无线", 3, "等级", None])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_problems_are_listed_with_rows_and_nothing_stored(office_client, tree):
    upload = SimpleUploadedFile("bad.xlsx", _bad_workbook())
    response = office_client.post(reverse("standards:list"), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "代码 A1 重复" in body and "不是数字" in body and "缺少等级表" in body
    assert '<td class="num">3</td>' in body and '<td class="num">2</td>' in body
    assert not Standard.objects.exists()
    office_client.cookies["shidian_language"] = "en"
    upload = SimpleUploadedFile("bad.xlsx", _bad_workbook())
    body = office_client.post(reverse("standards:list"), {"file": upload}).content.decode()
    assert "Code A1 is used twice (first on row 2)." in body
    assert "is not a number" in body and "has no level table" in body
    assert "代码" not in body and "不是数字" not in body


def test_dry_run_stores_nothing(office_client, tree):
    upload = SimpleUploadedFile("info.yaml", INFO.read_bytes())
    office_client.post(reverse("standards:list"), {"file": upload, "dry_run": "on"})
    assert not Standard.objects.exists()


def test_published_is_frozen_and_revising_makes_a_new_version(office_client, tree, office_user):
    version = published_version(tree.county)
    with pytest.raises(ValidationError):
        services.version_update_item(
            version=version, user=office_user, code="D1.1.1", changes={"text": "x"}
        )
    response = office_client.post(reverse("standards:revise", kwargs={"version_id": version.pk}))
    draft = StandardVersion.objects.get(number=2)
    assert response["Location"].endswith(f"/versions/{draft.pk}/")
    edit = reverse("standards:item_edit", kwargs={"version_id": draft.pk}) + "?code=D1.1.1"
    office_client.post(edit, {"text": "学校接入千兆光纤", "max_score": "3", "guidance": ""})
    draft.refresh_from_db()
    version.refresh_from_db()
    assert draft.as_standard().items()[0].text == "学校接入千兆光纤"
    assert version.as_standard().items()[0].text == "学校接入光纤宽带"
    changes = selectors.versions_compare(old=version, new=draft)
    changed = [c for c in changes if c.kind == "changed"]
    assert [c.code for c in changed] == ["D1.1.1"]
    assert set(changed[0].fields) == {"evidence_required", "guidance", "max_score", "text"}
    page = office_client.get(reverse("standards:compare", kwargs={"version_id": draft.pk}))
    assert "学校接入千兆光纤" in page.content.decode()


def test_export_both_formats_round_trip(office_client, tree):
    version = published_version(tree.county)
    url = reverse("standards:export", kwargs={"version_id": version.pk})
    xlsx = office_client.get(url + "?format=xlsx")
    assert read_xlsx(xlsx.content)[0] == version.as_standard()
    yaml_text = office_client.get(url + "?format=yaml").content.decode()
    assert load_yaml(yaml_text)[0] == version.as_standard()


def test_coordinator_cannot_reach_standards(coordinator_client, tree):
    published_version(tree.county)
    refused = coordinator_client.get(reverse("standards:list"))
    # The same styled refusal as every other page (core.access.action_required).
    assert refused.status_code == 403
    assert "没有权限" in refused.content.decode()


def test_usable_versions_include_the_units_above(tree, office_user):
    published_version(tree.province, SMART)
    codes = {v.standard.code for v in selectors.usable_versions(user=office_user)}
    assert "SMART-CAMPUS" in codes


def test_problems_are_told_in_the_users_language_from_one_table():
    from django.utils import translation

    from shidian.apps.core.engine_messages import describe
    from shidian.engine.scoring import problem

    found = problem("duplicate_code", row=7, item="D1.1.1", first=3)
    assert found.message == "D1.1.1: duplicate code (first on row 3)"  # the command line's
    with translation.override("zh-hans"):
        assert describe(found) == "代码 D1.1.1 重复（首次出现在第 3 行）。"
    with translation.override("en"):
        assert describe(found) == "Code D1.1.1 is used twice (first on row 3)."
    unknown = Problem("something_new", "plain English", item="X")
    assert describe(unknown) == "plain English"


# --- the defects of the test report: every bad file is a list of problems, never a 500 --------
def _post(client, name: str, data: bytes):
    return client.post(reverse("standards:list"), {"file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize(
    "text",
    [
        "code: S\nname: x\ndimensions: 5\n",
        "code: S\nname: x\ndimensions: [a, b]\n",
        "code: S\nname: x\ndimensions:\n  - code: D1\n    indicators: {a: 1}\n",
        "code: S\nname: x\ndimensions:\n  - code: D1\n    indicators:\n"
        "      - code: I1\n        items: [abc]\n",
    ],
)
def test_a_yaml_of_the_wrong_shape_is_a_problem_on_the_page(office_client, tree, text):
    response = _post(office_client, "s.yaml", text.encode())
    body = response.content.decode()
    assert response.status_code == 200
    assert "未保存任何内容" in body and 'class="row-error"' in body
    assert not Standard.objects.exists()


def test_a_broken_sheet_xml_is_a_problem_on_the_page(office_client, tree):
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(_bad_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>&foo;")
            target.writestr(name, data)
    body = _post(office_client, "s.xlsx", out.getvalue()).content.decode()
    assert "文件无法读取" in body
    assert not Standard.objects.exists()


def test_an_over_long_code_is_refused_on_sqlite_too(office_client, tree):
    wb = Workbook()
    ws = wb.active
    ws.append(["一级指标", "二级指标", "评分要点编号", "评分要点", "分值"])
    ws.append(["基础", "网络", "X" * 10_004, "光纤", 2])
    buffer = io.BytesIO()
    wb.save(buffer)
    body = _post(office_client, "s.xlsx", buffer.getvalue()).content.decode()
    assert "的代码有 10004 个字符，超过上限 64。" in body
    assert '<td class="num">2</td>' in body
    assert not Standard.objects.exists()


def test_the_item_edit_form_cleans_pasted_text_and_checks_lengths(office_client, tree):
    version = services.standard_import(unit=tree.county, user=None, parsed=example())
    edit = reverse("standards:item_edit", kwargs={"version_id": version.pk}) + "?code=D1.1.1"
    response = office_client.post(
        edit, {"text": "第一行\x0b第二行\x00", "guidance": "说明\x07", "max_score": "2"}
    )
    assert response.status_code == 302
    version.refresh_from_db()
    item = version.as_standard().items()[0]
    assert (item.text, item.guidance) == ("第一行\n第二行", "说明")
    stored = version.data["dimensions"][0]["indicators"][0]["items"][0]
    assert stored["text"] == "第一行\n第二行"
    response = office_client.post(edit, {"text": "字" * 2001, "max_score": "2"})
    assert response.status_code == 200 and "2000" in response.content.decode()
    version.refresh_from_db()
    assert version.as_standard().items()[0].text == "第一行\n第二行"


def test_the_item_edit_service_refuses_what_an_import_would(tree, office_user):
    version = services.standard_import(unit=tree.county, user=None, parsed=example())
    with pytest.raises(ValidationError) as caught:
        services.version_update_item(
            version=version, user=office_user, code="D1.1.3", changes={"max_score": 1}
        )
    assert "超出 0～1" in " ".join(caught.value.messages)  # its level A scores 3
    with pytest.raises(ValidationError):
        services.version_update_item(
            version=version, user=office_user, code="D1.1.1", changes={"text": "字" * 2001}
        )
    version.refresh_from_db()
    assert version.as_standard().items()[2].max_score == 3


def _store_control_characters(version: StandardVersion) -> None:
    from shidian.apps.standards.models import _cached_standard

    data = version.data
    item = data["dimensions"][0]["indicators"][0]["items"][0]
    item["text"] = "学校接入\x01光纤\x0b宽带"  # PostgreSQL refuses a NUL in jsonb
    item["guidance"] = "\x01以合同为准"
    StandardVersion.objects.filter(pk=version.pk).update(data=data)  # stored before the fix
    _cached_standard.cache_clear()


def test_the_export_survives_control_characters_already_stored(office_client, tree):
    version = published_version(tree.county)
    _store_control_characters(version)
    url = reverse("standards:export", kwargs={"version_id": version.pk})
    response = office_client.get(url + "?format=xlsx")
    assert response.status_code == 200
    item = read_xlsx(response.content)[0].items()[0]
    assert (item.text, item.guidance) == ("学校接入光纤\n宽带", "以合同为准")


def test_the_campaign_workbook_survives_control_characters_already_stored(coordinator_client, tree):
    from tests.campaigns.factories import sheet

    target = sheet(tree)
    _store_control_characters(target.campaign.version)
    url = reverse("campaigns:workbook", kwargs={"sheet_id": target.pk})
    assert coordinator_client.get(url).status_code == 200


def test_a_changed_direction_is_named_in_the_comparison(office_client, tree):
    import dataclasses

    version = published_version(tree.county)
    engine = version.as_standard()
    dims = list(engine.dimensions)
    first = dims[0]
    indicator = first.indicators[1]
    items = list(indicator.items)
    items[1] = dataclasses.replace(items[1], direction=Direction.LOWER)  # D1.2.2, a number
    indicators = (first.indicators[0], dataclasses.replace(indicator, items=tuple(items)))
    dims[0] = dataclasses.replace(first, indicators=(*indicators, *first.indicators[2:]))
    draft = services.standard_import(
        unit=tree.county, user=None, parsed=dataclasses.replace(engine, dimensions=tuple(dims))
    )
    changes = [c for c in selectors.versions_compare(old=version, new=draft) if c.fields]
    assert [(c.code, c.fields) for c in changes] == [("D1.2.2", ["direction"])]
    page = office_client.get(reverse("standards:compare", kwargs={"version_id": draft.pk}))
    assert "分档方向" in page.content.decode()
