"""The evidence app's upload checks: type from the first bytes, Office files through the zip
guard, size and name limits. Nothing here needs a submission."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from shidian.apps.evidence.files import MAX_NAME_BYTES, check_upload, clean_name, sniff


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _docx(extra: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if extra:
            archive.writestr("word/media/big.bin", extra)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,data,kind",
    [
        ("a.png", PNG, "image"),
        ("a.pdf", b"%PDF-1.7 x", "pdf"),
        ("a.docx", _docx(), "office"),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 8, "office"),
    ],
)
def test_accepted_types(name, data, kind):
    upload = SimpleUploadedFile(name, data)
    assert check_upload(upload) == (name, kind)
    assert upload.tell() == 0  # rewound for storage


@pytest.mark.parametrize(
    "name,data",
    [
        ("a.pdf", PNG),  # bytes and name disagree
        ("a.exe", b"MZ\x90\0"),
        ("a.xlsx", _docx()),  # a Word package named as a workbook
        ("a.docx", b"PK\x03\x04 not a zip"),
    ],
)
def test_refused_types(name, data):
    with pytest.raises(ValidationError, match="只接受图片"):
        check_upload(SimpleUploadedFile(name, data))


def test_a_zip_bomb_is_refused_by_the_shared_guard():
    bomb = _docx(b"\0" * (210 * 1024 * 1024))
    with pytest.raises(ValidationError, match="只接受图片"):
        check_upload(SimpleUploadedFile("a.docx", bomb), max_bytes=len(bomb) + 1)


def test_size_limit():
    with pytest.raises(ValidationError, match="20 MB"):
        check_upload(SimpleUploadedFile("a.png", PNG), max_bytes=10)


@given(st.text(min_size=1, max_size=400))
def test_clean_names_fit_and_carry_no_folders(name):
    cleaned = clean_name(name)
    assert cleaned and "/" not in cleaned and "\\" not in cleaned
    assert len(cleaned.encode("utf-8")) <= MAX_NAME_BYTES


def test_sniff_reads_nothing_past_the_head_for_images():
    assert sniff(PNG[:16], "x.PNG", io.BytesIO(PNG)) == "image"
