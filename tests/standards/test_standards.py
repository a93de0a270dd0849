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
from shidian.engine.scoring import load_yaml, read_xlsx
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
    assert "duplicate code" in body and "is not a number" in body and "level table" in body


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
    assert coordinator_client.get(reverse("standards:list")).status_code == 404


def test_usable_versions_include_the_units_above(tree, office_user):
    published_version(tree.province, SMART)
    codes = {v.standard.code for v in selectors.usable_versions(user=office_user)}
    assert "SMART-CAMPUS" in codes


def test_problems_are_told_in_chinese_and_keep_the_engine_detail_in_english():
    from django.utils import translation

    from shidian.apps.standards.problems import SENTENCES, describe
    from shidian.engine.scoring.model import Problem

    problem = Problem(
        "duplicate_code", "D1.1.1: duplicate code (first on row 3)", row=7, item="D1.1.1"
    )
    with translation.override("zh-hans"):
        assert describe(problem) == "代码 D1.1.1 重复。"
    with translation.override("en"):
        assert describe(problem) == "D1.1.1: duplicate code (first on row 3)"
    unknown = Problem("something_new", "plain English", item="X")
    with translation.override("zh-hans"):
        assert describe(unknown) == "plain English"
    assert len(SENTENCES) >= 20
