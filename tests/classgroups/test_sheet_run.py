import pytest
from django.urls import reverse

from shidian.apps.classgroups import jobs
from shidian.apps.runs.models import Run, RunStatus
from shidian.docgen import convert
from tests.classgroups.helpers import make_class_list
from tests.conftest import make_user
from tests.documents.test_pdf_run import FAKE

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_soffice(settings, tmp_path, monkeypatch):
    script = tmp_path / "soffice"
    script.write_text(FAKE)
    script.chmod(0o755)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCUMENTS_SOFFICE = str(script)
    settings.RUNS_PROGRESS_INTERVAL = 0
    monkeypatch.setattr(convert, "uno_available", lambda *a, **k: False)
    return script


def test_seating_sheet_pdf_through_a_run(
    tree, coordinator, coordinator_client, client, fake_soffice, django_capture_on_commit_callbacks
):
    cl = make_class_list(coordinator, 20)
    with django_capture_on_commit_callbacks(execute=True):
        r = coordinator_client.post(reverse("classgroups:sheet", kwargs={"class_list_id": cl.pk}))
    assert r.status_code == 302
    run = Run.objects.about(cl).get(kind=jobs.SHEET)
    assert run.status == RunStatus.SUCCEEDED
    page = coordinator_client.get(r["Location"]).content.decode()
    assert f'id="run-{run.pk}"' in page
    url = reverse("classgroups:sheet_pdf", kwargs={"class_list_id": cl.pk})
    pdf = coordinator_client.get(url)
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    # The county office sees runs of its subtree, but not the sheet itself.
    client.force_login(make_user("o", tree.county, "office"))
    assert client.get(url).status_code == 404


def _make_sheet(client, cl, capture):
    with capture(execute=True):
        client.post(reverse("classgroups:sheet", kwargs={"class_list_id": cl.pk}))
    cl.refresh_from_db()
    assert cl.sheet_pdf


def test_move_or_regroup_makes_the_pdf_stale_until_regenerated(
    tree, coordinator, coordinator_client, fake_soffice, django_capture_on_commit_callbacks
):
    from shidian.apps.classgroups import services

    cl = make_class_list(coordinator, 20)
    detail = reverse("classgroups:detail", kwargs={"class_list_id": cl.pk})
    pdf_url = reverse("classgroups:sheet_pdf", kwargs={"class_list_id": cl.pk})
    _make_sheet(coordinator_client, cl, django_capture_on_commit_callbacks)
    assert pdf_url in coordinator_client.get(detail).content.decode()
    assert coordinator_client.get(pdf_url).status_code == 200

    pupil = cl.pupils.filter(group=0).first()
    r = coordinator_client.post(
        reverse("classgroups:move", kwargs={"class_list_id": cl.pk}),
        {"pupil": pupil.pk, "group": 1},
    )
    assert r.status_code == 302
    page = coordinator_client.get(detail).content.decode()
    assert pdf_url not in page and "cg-stale" in page
    r = coordinator_client.get(pdf_url)
    assert r.status_code == 302 and r["Location"] == detail  # never the stale sheet

    _make_sheet(coordinator_client, cl, django_capture_on_commit_callbacks)
    r = coordinator_client.get(pdf_url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")

    services.class_list_regroup(class_list=cl, by=coordinator, seed=cl.seed + 7)
    assert coordinator_client.get(pdf_url).status_code == 302


def test_sheet_drawn_before_a_move_is_stored_as_stale(tree, coordinator, fake_soffice):
    """A move while LibreOffice converts: the stored sheet carries the old groups' mark."""
    from shidian.apps.classgroups import services
    from shidian.apps.classgroups.sheet import sheet_is_fresh

    cl = make_class_list(coordinator, 20)
    real = services.seating_docx

    def docx_then_move(class_list):
        data = real(class_list)
        pupil = class_list.pupils.filter(group=0).first()
        services.pupil_move(class_list=class_list, pupil=pupil, group=2, by=coordinator)
        return data

    services.seating_docx = docx_then_move
    try:
        jobs.make_sheet(type("R", (), {"params": {"class_list_id": cl.pk}})(), lambda *a, **k: 0)
    finally:
        services.seating_docx = real
    cl.refresh_from_db()
    assert cl.sheet_pdf and not sheet_is_fresh(cl)
