"""The offline workbook: download, fill, upload with a diff, apply; LibreOffice round trip;
every bad upload gives a clear message naming the cell and stores nothing."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shidian.apps.campaigns.models import Sheet, SheetRevision
from shidian.apps.campaigns.workbook import ID_SHEET, SHEET
from tests.campaigns.factories import campaign, sheet, xlsx_bytes

pytestmark = pytest.mark.django_db


def download(client, target) -> bytes:
    response = client.get(reverse("campaigns:workbook", kwargs={"sheet_id": target.pk}))
    assert response.status_code == 200
    return response.content


def fill(data: bytes, values: dict[str, object]) -> bytes:
    """Set answer cells by item code: {"D1.1.3": "B", "D1.2.1": (8, 10)}."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    for row in ws.iter_rows(min_row=4):
        code = row[0].value
        if code in values:
            value = values[code]
            if isinstance(value, tuple):
                row[8].value, row[9].value = value
            else:
                row[7].value = value
    return xlsx_bytes(wb)


def upload(client, target, data: bytes, name="sheet.xlsx"):
    url = reverse("campaigns:upload", kwargs={"sheet_id": target.pk})
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def test_workbook_is_protected_prefilled_and_signed(coordinator_client, tree, coordinator):
    from shidian.apps.campaigns import sheets

    target = sheet(tree)
    sheets.sheet_save_item(
        sheet=target, user=coordinator, code="D1.1.3", answer={"value": "B"}, base_version=0
    )
    wb = load_workbook(io.BytesIO(download(coordinator_client, target)))
    ws = wb[SHEET]
    assert ws.protection.sheet
    assert wb[ID_SHEET].sheet_state == "veryHidden"
    row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == "D1.1.3")
    assert row[7].value == "B" and not row[7].protection.locked
    assert row[3].protection.locked and str(row[10].value).startswith("=")
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert '"A,B,C,D"' in lists and '"是,否"' in lists


def test_fill_upload_diff_and_apply(coordinator_client, tree):
    target = sheet(tree)
    data = fill(download(coordinator_client, target), {"D1.1.3": "A", "D1.2.1": (8, 10)})
    preview = upload(coordinator_client, target, data)
    body = preview.content.decode()
    assert preview.status_code == 200 and "D1.1.3" in body and "8/10" in body
    target.refresh_from_db()
    assert target.version == 0  # nothing stored before the confirmation
    confirm = preview.context["confirm"]
    done = coordinator_client.post(
        reverse("campaigns:upload", kwargs={"sheet_id": target.pk}), {"confirm": confirm}
    )
    assert done.status_code == 302
    target.refresh_from_db()
    assert target.answers == {
        "D1.1.3": {"value": "A"},
        "D1.2.1": {"numerator": 8, "denominator": 10},
    }
    assert target.revisions.get().kind == "upload"


def test_a_workbook_resaved_by_libreoffice_still_uploads(coordinator_client, tree, tmp_path):
    # .ci/run and `make demo` install libreoffice-calc-nogui: a missing soffice fails the test.
    assert shutil.which("soffice"), "LibreOffice is needed: apt-get install libreoffice-calc-nogui"
    target = sheet(tree)
    data = fill(download(coordinator_client, target), {"D1.1.3": "C", "D1.1.1": "是"})
    source = tmp_path / "in" / "sheet.xlsx"
    source.parent.mkdir()
    source.write_bytes(data)
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    resaved = (out / "sheet.xlsx").read_bytes()
    assert resaved != data
    preview = upload(coordinator_client, target, resaved)
    assert preview.status_code == 200, preview.content.decode()[-800:]
    coordinator_client.post(
        reverse("campaigns:upload", kwargs={"sheet_id": target.pk}),
        {"confirm": preview.context["confirm"]},
    )
    target.refresh_from_db()
    assert target.answers == {"D1.1.3": {"value": "C"}, "D1.1.1": {"value": "是"}}


def _assert_refused(response, *fragments):
    assert response.status_code == 400
    error = response.context["error"]
    for fragment in fragments:
        assert fragment in error, error
    assert not SheetRevision.objects.exists()
    assert not Sheet.objects.exclude(version=0).exists()


def test_another_schools_workbook(coordinator_client, tree):
    other = sheet(tree, tree.school2)
    from shidian.apps.campaigns.workbook import build_workbook

    data = build_workbook(sheet=other, standard=other.campaign.version.as_standard(), title="x")
    _assert_refused(upload(coordinator_client, sheet(tree), data), "其他单位")


def test_an_older_versions_workbook(coordinator_client, tree, office_user):
    from shidian.apps.standards import services as std_services

    old = sheet(tree)
    old_data = download(coordinator_client, old)
    draft = std_services.version_new_draft(version=old.campaign.version, user=office_user)
    newer = std_services.version_publish(version=draft, user=office_user)
    from django.utils import timezone

    from shidian.apps.campaigns.services import campaign_create

    second = campaign_create(
        unit=tree.county,
        user=office_user,
        name="第二次",
        version=newer,
        opens_on=timezone.localdate(),
        deadline=timezone.now() + timezone.timedelta(days=3),
        notify=False,
    )
    target = second.sheets.get(unit=tree.school)
    _assert_refused(upload(coordinator_client, target, old_data), "第 1 版", "第 2 版")


def test_an_altered_signature(coordinator_client, tree):
    target = sheet(tree)
    wb = load_workbook(io.BytesIO(download(coordinator_client, target)))
    token = wb[ID_SHEET]["A1"].value
    wb[ID_SHEET]["A1"] = token.replace(f"{target.pk}:", f"{target.pk + 1}:", 1)
    _assert_refused(upload(coordinator_client, target, xlsx_bytes(wb)), "签名无效")


def test_a_corrupted_file(coordinator_client, tree):
    target = sheet(tree)
    data = download(coordinator_client, target)
    _assert_refused(upload(coordinator_client, target, data[: len(data) // 2]), "损坏")
    _assert_refused(upload(coordinator_client, target, b"\x00" * 100), "损坏")


def test_a_zip_bomb(coordinator_client, tree):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 200_000_000)
    assert len(buffer.getvalue()) < 1_000_000
    _assert_refused(upload(coordinator_client, sheet(tree), buffer.getvalue()), "压缩炸弹")


def test_a_level_not_in_the_list_names_the_cell(coordinator_client, tree):
    target = sheet(tree)
    data = fill(download(coordinator_client, target), {"D1.1.3": "E"})
    wb = load_workbook(io.BytesIO(data))
    row = next(r for r in wb[SHEET].iter_rows(min_row=4) if r[0].value == "D1.1.3")
    _assert_refused(upload(coordinator_client, target, data), f"H{row[0].row}", "A/B/C/D")


def test_ingest_folder_with_a_per_file_report(tree, tmp_path, coordinator_client):
    from typer.testing import CliRunner

    from shidian.cli.app import app

    opened = campaign(tree)
    good = fill(download(coordinator_client, sheet(tree)), {"D1.1.3": "A"})
    (tmp_path / "good.xlsx").write_bytes(good)
    (tmp_path / "bad.xlsx").write_bytes(fill(good, {"D1.1.3": "Z"}))
    (tmp_path / "junk.xlsx").write_bytes(b"junk")
    runner = CliRunner()
    dry = runner.invoke(app, ["campaign", "ingest", str(opened.pk), str(tmp_path), "--dry-run"])
    assert dry.exit_code == 2, dry.output
    assert "checked" in dry.output and "junk.xlsx" in dry.output
    assert not SheetRevision.objects.exists()
    result = runner.invoke(app, ["campaign", "ingest", str(opened.pk), str(tmp_path)])
    assert "applied" in result.output and result.exit_code == 2
    assert sheet(tree).answers == {"D1.1.3": {"value": "A"}}
