"""The office's exchange page: try (nothing written), confirm, download."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.exchange.helpers import REPORT_COLUMNS, csv_bytes, report_rows, submission
from tests.reports.scoping_filing import report_world


@pytest.fixture
def world(tree):
    return report_world(tree)


def upload(world, tree, **values):
    data = csv_bytes(REPORT_COLUMNS, report_rows(world, tree.school, **values))
    return SimpleUploadedFile("values.csv", data, content_type="text/csv")


def test_try_shows_the_summary_then_confirm_imports(office_client, world, tree):
    page = office_client.get(reverse("exchange:page"))
    assert page.status_code == 200
    tried = office_client.post(
        reverse("exchange:try"),
        {
            "dataset": "report-values",
            "strategy": "CREATE_AND_UPDATE",
            "file": upload(world, tree, rooms="9", trained="maybe"),
        },
    )
    assert tried.status_code == 200
    assert tried.context["summary"]["counts"]["imported"] == 1
    assert tried.context["summary"]["counts"]["rejected"] == 1
    assert "invalid_value" in tried.content.decode()
    assert submission(world, tree.school).answers == {}
    done = office_client.post(reverse("exchange:apply"))
    assert done.status_code == 200 and not done.context["summary"]["dry_run"]
    assert submission(world, tree.school).answers == {"rooms": 9.0}
    # The kept file is gone: confirming again needs a new upload.
    again = office_client.post(reverse("exchange:apply"))
    assert again.status_code == 302
    assert submission(world, tree.school).version == 1


def test_a_wrong_file_is_said_on_the_form(office_client, world):
    bad = SimpleUploadedFile("x.csv", b"a,b\n1,2\n", content_type="text/csv")
    got = office_client.post(
        reverse("exchange:try"),
        {"dataset": "sheet-answers", "strategy": "CREATE", "file": bad},
    )
    assert got.status_code == 422 and "unit" in got.content.decode()


def test_download_an_export(office_client, outsider, world, tree):
    office_client.post(
        reverse("exchange:try"),
        {"dataset": "report-values", "strategy": "CREATE", "file": upload(world, tree, rooms="2")},
    )
    office_client.post(reverse("exchange:apply"))
    query = {"dataset": "report-values", "format": "csv", "key": world.form.pk}
    got = office_client.get(reverse("exchange:export"), query)
    assert got.status_code == 200 and b"A1-1" in got.content
    from django.test import Client

    other = Client()
    other.force_login(outsider)
    assert b"A1-1" not in other.get(reverse("exchange:export"), query).content


def test_the_reports_page_links_to_it(office_client, world):
    got = office_client.get(
        reverse("reports:def_list", kwargs={"programme_id": world.form.programme_id})
    )
    assert reverse("exchange:page") in got.content.decode()


def test_a_large_file_is_imported_as_a_run(
    office_client, world, tree, monkeypatch, django_capture_on_commit_callbacks
):
    from shidian.apps.exchange import views
    from shidian.apps.runs.models import Run

    monkeypatch.setattr(views, "RUN_ROWS", 1)
    office_client.post(
        reverse("exchange:try"),
        {
            "dataset": "report-values",
            "strategy": "CREATE",
            "file": upload(world, tree, rooms="3", connected="2"),
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        got = office_client.post(reverse("exchange:apply"))
    run = Run.objects.get(kind="exchange.import")  # scoping: ok test
    assert got.status_code == 302 and got.url == reverse("runs:detail", kwargs={"run_id": run.pk})
    run.refresh_from_db()
    assert run.status == "succeeded" and run.result["counts"]["imported"] == 2
    assert submission(world, tree.school).answers == {"rooms": 3.0, "connected": 2.0}
    page = office_client.get(got.url)
    assert page.status_code == 200 and "新增 2" in page.content.decode()
