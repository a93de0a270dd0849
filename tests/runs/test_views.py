"""Pages of runs with the Django test client: the list (own runs; the office's subtree;
filters), a run's page and card (polling while active, reload once ended), cancel and retry
(starter or manager only), files (scoped), English."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.runs.models import Run, RunStatus
from shidian.apps.runs.services import run_attach_file, run_start
from tests.conftest import make_user
from tests.runs.helpers import execute


def start(user, unit, **params):
    return run_start("tests.count", by=user, unit=unit, params=params)


def card_url(run, reload=False):
    return reverse("runs:card", kwargs={"run_id": run.pk}) + ("?reload=1" if reload else "")


def test_list_shows_my_runs_and_the_office_sees_its_subtree(
    client, tree, coordinator, office_user, outsider
):
    mine = start(coordinator, tree.school)
    colleague = make_user("coord2", tree.school, "coordinator")
    theirs = start(colleague, tree.school)
    elsewhere = start(outsider, tree.other_school)
    client.force_login(coordinator)
    body = client.get(reverse("runs:list")).content.decode()
    assert f'/runs/{mine.pk}/"' in body and f'/runs/{theirs.pk}/"' not in body
    client.force_login(office_user)
    body = client.get(reverse("runs:list")).content.decode()
    assert f'/runs/{mine.pk}/"' in body and f'/runs/{theirs.pk}/"' in body
    assert f'/runs/{elsewhere.pk}/"' not in body


def test_list_filters_by_kind_and_status(office_client, tree, office_user):
    done = execute(start(office_user, tree.county, n=1))
    queued = start(office_user, tree.county)
    body = office_client.get(reverse("runs:list"), {"status": "succeeded"}).content.decode()
    assert f'/runs/{done.pk}/"' in body and f'/runs/{queued.pk}/"' not in body
    body = office_client.get(reverse("runs:list"), {"kind": "orgs.export"}).content.decode()
    assert f'/runs/{done.pk}/"' not in body and "没有符合条件的后台任务" in body


def test_outsider_gets_404_for_another_units_run(client, tree, office_user, outsider):
    run = execute(start(office_user, tree.county, n=1))
    attached = run_attach_file(run=run, name="甲县.xlsx", data=b"PK", content_type="x/y")
    client.force_login(outsider)
    for name in ("runs:detail", "runs:card"):
        assert client.get(reverse(name, kwargs={"run_id": run.pk})).status_code == 404
    for name in ("runs:cancel", "runs:retry"):
        assert client.post(reverse(name, kwargs={"run_id": run.pk})).status_code == 404
    url = reverse("runs:file", kwargs={"run_id": run.pk, "file_id": attached.pk})
    assert client.get(url).status_code == 404


def test_a_colleague_who_did_not_start_it_gets_404(client, tree, coordinator):
    run = start(coordinator, tree.school)
    client.force_login(make_user("coord2", tree.school, "coordinator"))
    assert client.get(reverse("runs:detail", kwargs={"run_id": run.pk})).status_code == 404
    assert client.post(reverse("runs:cancel", kwargs={"run_id": run.pk})).status_code == 404
    run.refresh_from_db()
    assert not run.cancel_requested


def test_card_polls_while_active_and_stops_when_done(office_client, tree, office_user):
    run = start(office_user, tree.county, n=2)
    active = office_client.get(card_url(run), HTTP_HX_REQUEST="true")
    body = active.content.decode()
    assert 'hx-trigger="every 2s"' in body and 'role="progressbar"' in body
    assert "<html" not in body and 'class="btn run-cancel"' in body
    assert "HX-Refresh" not in active
    execute(run)
    ended = office_client.get(card_url(run, reload=True), HTTP_HX_REQUEST="true")
    body = ended.content.decode()
    assert "hx-trigger" not in body and "counted 2" in body and "已完成" in body
    assert ended["HX-Refresh"] == "true"  # the page around it shows what the run made


def test_detail_cancel_and_retry_from_the_page(office_client, tree, office_user):
    run = start(office_user, tree.county, n=2)
    detail = reverse("runs:detail", kwargs={"run_id": run.pk})
    assert office_client.get(detail).status_code == 200
    response = office_client.post(
        reverse("runs:cancel", kwargs={"run_id": run.pk}), {"next": "/documents/"}
    )
    assert response.status_code == 302 and response["Location"] == "/documents/"
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    page = office_client.get(detail).content.decode()
    assert 'class="btn run-retry"' in page and "已取消" in page
    evil = office_client.post(
        reverse("runs:retry", kwargs={"run_id": run.pk}), {"next": "https://evil.example/"}
    )
    assert evil["Location"] == detail  # never sent off the site
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED


def test_file_download(office_client, tree, office_user):
    run = execute(start(office_user, tree.county, n=1))
    attached = run_attach_file(run=run, name="units.xlsx", data=b"PK-data", content_type="x/y")
    page = office_client.get(reverse("runs:detail", kwargs={"run_id": run.pk})).content.decode()
    url = reverse("runs:file", kwargs={"run_id": run.pk, "file_id": attached.pk})
    assert url in page
    response = office_client.get(url)
    assert b"".join(response.streaming_content) == b"PK-data"
    assert "units.xlsx" in response["Content-Disposition"]


def test_the_card_in_english(office_client, tree, office_user):
    run = execute(start(office_user, tree.county, n=3, crash_at=1))
    office_client.cookies["shidian_language"] = "en"
    body = office_client.get(card_url(run)).content.decode()
    assert "Failed" in body and "server log" in body and "Retry" in body
    assert "ZeroDivision" not in body


@pytest.mark.parametrize("status", ["queued", "running", "failed"])
def test_status_filter_values_render(office_client, tree, office_user, status):
    Run.objects.create(unit=tree.county, kind="tests.count", status=status, created_by=office_user)
    assert office_client.get(reverse("runs:list"), {"status": status}).status_code == 200


def test_nav_has_the_runs_entry(office_client):
    body = office_client.get(reverse("core:home")).content.decode()
    assert reverse("runs:list") in body and "后台任务" in body
