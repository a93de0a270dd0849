"""Security review: a new template's file is size-checked by the form, before it is read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.documents import forms, services
from shidian.apps.documents.models import DocumentTemplate

pytestmark = pytest.mark.django_db


def test_template_create_refuses_an_oversized_file(office_client, monkeypatch):
    monkeypatch.setattr(forms, "MAX_TEMPLATE_UPLOAD", 100)

    def must_not_run(**kwargs):
        raise AssertionError("template_create got an oversized file")

    monkeypatch.setattr(services, "template_create", must_not_run)
    upload = SimpleUploadedFile("big.docx", b"PK\x03\x04" + b"x" * 200)
    response = office_client.post(
        reverse("documents:template_create"), {"kind": "notice", "name": "大文件", "file": upload}
    )
    assert response.status_code == 200
    assert "10 MB" in response.content.decode()
    assert not DocumentTemplate.objects.exists()
