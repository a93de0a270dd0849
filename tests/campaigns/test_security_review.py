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
