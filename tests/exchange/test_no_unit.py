"""An account without a unit (a superuser) may import at once, but a background import needs a
unit to hang the run on: it is refused with a sentence, never a server error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.api.helpers import bearer
from tests.exchange.helpers import REPORT_COLUMNS, csv_bytes, report_rows, submission
from tests.reports.scoping_filing import report_world

URL = "/api/v1/exchange/report-values"
REFUSED = "您的账号不属于任何单位，不能发起后台导入；请分批直接导入。"


@pytest.fixture
def world(tree):
    return report_world(tree)


@pytest.fixture
def root(db):
    from shidian.apps.accounts.models import User

    return User.objects.create_superuser("root", "root@example.org", "x")


def _runs():
    from shidian.apps.runs.models import Run

    return Run.objects.filter(kind="exchange.import")  # scoping: ok test


def test_api_async_without_a_unit_is_refused_and_at_once_works(client, world, tree, root):
    data = csv_bytes(REPORT_COLUMNS, report_rows(world, tree.school, rooms="8"))
    got = client.generic("POST", URL + "?async=true", data, content_type="text/csv", **bearer(root))
    assert got.status_code == 422
    assert got.json()["code"] == "no_unit" and got.json()["message"] == REFUSED
    assert not _runs().exists()
    done = client.generic("POST", URL, data, content_type="text/csv", **bearer(root))
    assert done.status_code == 200 and done.json()["counts"]["imported"] == 1
    assert submission(world, tree.school).answers == {"rooms": 8.0}


def test_page_large_import_without_a_unit_is_refused(client, world, tree, root, monkeypatch):
    from shidian.apps.exchange import views

    monkeypatch.setattr(views, "RUN_ROWS", 0)
    client.force_login(root)
    data = csv_bytes(REPORT_COLUMNS, report_rows(world, tree.school, rooms="3"))
    tried = client.post(
        reverse("exchange:try"),
        {
            "dataset": "report-values",
            "strategy": "CREATE",
            "file": SimpleUploadedFile("v.csv", data, content_type="text/csv"),
        },
    )
    assert tried.status_code == 200
    got = client.post(reverse("exchange:apply"), follow=True)
    assert got.status_code == 200
    assert REFUSED in got.content.decode()
    assert not _runs().exists()
    assert submission(world, tree.school).answers == {}
