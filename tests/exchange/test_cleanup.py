"""Files tried on the exchange page but never confirmed: the daily job deletes them, file and
row, once older than EXCHANGE_UPLOAD_MAX_AGE_HOURS; newer ones wait for their confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shidian.apps.core.daily import daily_jobs
from shidian.apps.exchange.cleanup import purge_pending_uploads
from shidian.apps.exchange.models import PendingUpload
from tests.exchange.helpers import REPORT_COLUMNS, csv_bytes, report_rows, submission
from tests.reports.scoping_filing import report_world


@pytest.fixture
def world(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return report_world(tree)


def _try(client, world, tree, rooms):
    data = csv_bytes(REPORT_COLUMNS, report_rows(world, tree.school, rooms=rooms))
    got = client.post(
        reverse("exchange:try"),
        {
            "dataset": "report-values",
            "strategy": "CREATE_AND_UPDATE",
            "file": SimpleUploadedFile("v.csv", data, content_type="text/csv"),
        },
    )
    assert got.status_code == 200
    return PendingUpload.objects.latest("pk")  # scoping: ok test


def test_the_job_is_a_daily_one():
    assert purge_pending_uploads in daily_jobs()


def test_old_unconfirmed_uploads_are_deleted_file_and_row(
    client, office_user, coordinator, world, tree, settings
):
    settings.EXCHANGE_UPLOAD_MAX_AGE_HOURS = 24
    client.force_login(office_user)
    old = _try(client, world, tree, "3")
    storage, old_name = old.file.storage, old.file.name
    assert storage.exists(old_name) and old_name.startswith(f"exchange/{office_user.pk}/")
    PendingUpload.objects.filter(pk=old.pk).update(  # scoping: ok test
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    client.force_login(coordinator)
    fresh = _try(client, world, tree, "4")

    assert purge_pending_uploads.enqueue().return_value == 1

    assert not storage.exists(old_name)
    assert not PendingUpload.objects.filter(pk=old.pk).exists()  # scoping: ok test
    assert storage.exists(fresh.file.name)
    # The fresh one is still confirmed as usual; the purged one's session finds nothing.
    done = client.post(reverse("exchange:apply"))
    assert done.status_code == 200 and submission(world, tree.school).answers == {"rooms": 4.0}
    assert not PendingUpload.objects.exists()  # scoping: ok test (confirming deletes it too)
    client.force_login(office_user)
    gone = client.post(reverse("exchange:apply"), follow=True)
    assert "请先上传文件并试导入。" in gone.content.decode()


def test_a_row_whose_file_is_already_gone_is_deleted_too(client, office_user, world, tree):
    client.force_login(office_user)
    upload = _try(client, world, tree, "5")
    upload.file.storage.delete(upload.file.name)
    PendingUpload.objects.filter(pk=upload.pk).update(  # scoping: ok test
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    assert purge_pending_uploads.enqueue().return_value == 1
    assert not PendingUpload.objects.exists()  # scoping: ok test
