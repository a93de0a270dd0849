"""Evidence uploads are typed by their bytes and bounded in size."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from shidian.apps.campaigns.models import Evidence
from tests.campaigns.factories import sheet, xlsx_bytes

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def post(client, target, name, data, code="D1.1.1"):
    url = reverse("campaigns:evidence_upload", kwargs={"sheet_id": target.pk})
    return client.post(url, {"code": code, "file": SimpleUploadedFile(name, data)}, follow=True)


@pytest.mark.parametrize(
    "name,data",
    [("photo.png", PNG), ("scan.pdf", b"%PDF-1.7\n..."), ("plan.xlsx", xlsx_bytes(Workbook()))],
)
def test_accepted_types(coordinator_client, tree, name, data):
    target = sheet(tree)
    post(coordinator_client, target, name, data)
    evidence = Evidence.objects.get()
    assert evidence.original_name == name
    download = coordinator_client.get(
        reverse("campaigns:evidence", kwargs={"evidence_id": evidence.pk})
    )
    assert b"".join(download.streaming_content) == data


@pytest.mark.parametrize(
    "name,data",
    [
        ("fake.pdf", PNG),
        ("virus.exe", b"MZ\x90\x00"),
        ("page.png", b"<html>"),
        ("zip.docx", io.BytesIO().getvalue() or b"PK\x03\x04broken"),
    ],
)
def test_refused_types(coordinator_client, tree, name, data):
    response = post(coordinator_client, sheet(tree), name, data)
    assert "只接受图片" in response.content.decode()
    assert not Evidence.objects.exists()


def test_size_limit(coordinator_client, tree, settings):
    from shidian.apps.campaigns import evidence

    evidence.MAX_EVIDENCE_BYTES = 10
    try:
        response = post(coordinator_client, sheet(tree), "photo.png", PNG)
    finally:
        evidence.MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
    assert "20 MB" in response.content.decode()
    assert not Evidence.objects.exists()
