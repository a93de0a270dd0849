"""Security review: an XLSX standard is checked as a ZIP package before openpyxl reads it."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.standards import services
from shidian.apps.standards.models import StandardVersion
from shidian.engine.scoring import xlsx

pytestmark = pytest.mark.django_db


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        # 40 MB of one byte deflates to ~40 KB: a ratio of about 1000.
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_parsing(monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("read_xlsx ran on a zip bomb")

    monkeypatch.setattr(xlsx, "read_xlsx", must_not_parse)
    parsed = services.standard_parse(name="bomb.xlsx", data=_zip_bomb())
    assert not parsed.ok
    assert [p.code for p in parsed.problems] == ["bad_file"]


def test_zip_bomb_through_the_page(office_client, tree, monkeypatch):
    monkeypatch.setattr(
        xlsx, "read_xlsx", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed"))
    )
    upload = SimpleUploadedFile("bomb.xlsx", _zip_bomb())
    response = office_client.post(reverse("standards:list"), {"file": upload})
    assert response.status_code == 200
    assert not StandardVersion.objects.exists()


class _Upload:
    name = "big.xlsx"
    size = services.MAX_STANDARD_BYTES + 1

    def read(self, *args):
        raise AssertionError("an oversized upload was read into memory")


def test_oversized_standard_is_refused_before_reading():
    parsed = services.standard_parse_upload(upload=_Upload())
    assert [p.code for p in parsed.problems] == ["too_large"]
