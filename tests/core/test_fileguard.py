"""The one zip-bomb and package check behind every Office upload."""

import io
import zipfile

import pytest

from shidian.fileguard import PackageRejected, open_package


def package(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_small_package_opens():
    data = package({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    archive = open_package(
        data, max_uncompressed=10_000, required_parts=["[Content_Types].xml", "xl/workbook.xml"]
    )
    assert sorted(archive.namelist()) == ["[Content_Types].xml", "xl/workbook.xml"]


@pytest.mark.parametrize(
    "data,limit,code",
    [
        (b"%PDF-1.7 not a zip", 10_000, "not_zip"),
        (b"PK\x03\x04 truncated", 10_000, "corrupt"),
        (package({"big.xml": b"0" * (5 * 1024 * 1024)}), 100 * 1024 * 1024, "zip_bomb"),
        (package({"a.xml": b"x" * 5000}), 1000, "zip_bomb"),
        (package({"a.xml": b"x"}), 1000, "missing_part"),
    ],
    ids=["not-zip", "truncated", "ratio", "total", "missing-part"],
)
def test_bad_packages_are_refused_before_inflating(data, limit, code):
    with pytest.raises(PackageRejected) as caught:
        open_package(data, max_uncompressed=limit, required_parts=["[Content_Types].xml"])
    assert caught.value.code == code
