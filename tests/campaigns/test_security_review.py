"""Security review: an oversized workbook upload is refused by its size, before it is read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.campaigns import ingest, views_offline
from tests.campaigns.factories import sheet

pytestmark = pytest.mark.django_db


def test_oversized_workbook_is_refused_before_reading(coordinator_client, tree, monkeypatch):
    monkeypatch.setattr(views_offline, "MAX_UPLOAD_BYTES", 100, raising=False)
    monkeypatch.setattr(
        ingest, "workbook_check", lambda **k: (_ for _ in ()).throw(AssertionError("parsed"))
    )
    target = sheet(tree)
    url = reverse("campaigns:upload", kwargs={"sheet_id": target.pk})
    response = coordinator_client.post(url, {"file": SimpleUploadedFile("s.xlsx", b"x" * 200)})
    assert response.status_code == 400
    assert "5 MB" in response.context["error"]


def test_reviewers_are_blind_to_each_other(tree, client, office_user):
    """Experts score blind (PRODUCT.md): one reviewer never sees another's scores or remarks;
    the campaign's office still sees them all."""
    from shidian.apps.campaigns import reviews as review_services
    from tests.campaigns.factories import campaign
    from tests.conftest import make_user

    first = make_user("expert1", tree.county, "expert", full_name="甲专家")
    second = make_user("expert2", tree.county, "expert", full_name="乙专家")
    opened = campaign(tree)
    opened.reviewers.add(first, second)
    target = sheet(tree)
    review_services.review_save(
        sheet=target, reviewer=first, item_scores={"D1.1.3": 1}, strengths="甲的亮点意见"
    )
    url = reverse("campaigns:review", kwargs={"sheet_id": target.pk})
    client.force_login(second)
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "甲的亮点意见" not in body and "甲专家" not in body
    assert all(not g["reviewed"] for g in response.context["gaps"])

    client.force_login(office_user)
    body = client.get(url).content.decode()
    assert "甲的亮点意见" in body


def test_evidence_file_is_deleted_only_after_commit(
    tree, coordinator, django_capture_on_commit_callbacks
):
    """A rolled-back removal must not lose the file: storage is touched after the commit."""
    from shidian.apps.campaigns.evidence import evidence_delete
    from tests.campaigns.factories import evidence

    item = evidence(tree)
    storage, name = item.file.storage, item.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence_delete(evidence=item, user=coordinator)
    assert storage.exists(name)
    for callback in callbacks:
        callback()
    assert not storage.exists(name)


def test_only_the_schools_coordinators_fill_its_sheet(tree, client):
    """An expert whose account sits at a school reviews; they do not fill that school's sheet."""
    from shidian.apps.campaigns.models import Sheet
    from tests.conftest import make_user

    expert = make_user("school-expert", tree.school, "expert")
    target = sheet(tree)
    client.force_login(expert)
    url = reverse("campaigns:sheet_item", kwargs={"sheet_id": target.pk})
    response = client.post(url, {"code": "D1.1.3", "value": "A", "version": target.version})
    assert response.status_code == 404
    assert Sheet.objects.get(pk=target.pk).version == target.version


def test_exported_text_is_never_a_formula():
    """A unit named "=HYPERLINK(...)" is text in the dashboard export, not a live formula."""
    import io

    from openpyxl import load_workbook

    from shidian.apps.campaigns.exports import table_xlsx

    data = table_xlsx("ranking", ["单位", "分"], [['=HYPERLINK("http://x.test","a")', 3]])
    cell = load_workbook(io.BytesIO(data)).active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
